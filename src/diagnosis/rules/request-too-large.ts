import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action } from './actions.js';
import { RESET_SIGNATURES, summarize } from './log-signals.js';
import { errorsOf, signalLines } from './service-errors.js';

/** Where each app server sets the request size it accepts (catalog C27, section 9). */
const LIMIT_KNOBS: Record<string, string> = {
  gunicorn: 'limit_request_line / limit_request_field_size',
  node: 'the body parser limit, e.g. express.json({ limit }), and http maxHeaderSize for headers',
  'php-fpm': 'post_max_size and upload_max_filesize in php.ini',
  puma: 'the app framework limits; puma http_content_length_limit',
  apache: 'LimitRequestBody / LimitRequestFieldSize',
};

/**
 * Catalog C27: the upstream rejects the request (uwsgi `invalid request block size: 5292 (max 4096)`,
 * or any server's "request body ... over the limit" line, parse/app-signatures.ts `any`), nginx
 * sees 104 / premature close / broken pipe while sending.
 */
export function requestTooLargeRule(ev: Evidence): Finding[] {
  const out: Finding[] = [];
  for (const svc of ev.services) {
    const lines = signalLines(svc, 'request-too-large');
    if (lines.length === 0) continue;
    const resets = errorsOf(ev, svc, RESET_SIGNATURES);
    const size = /invalid request block size: (\d+) \(max (\d+)\)/.exec(lines.at(-1) ?? '');
    const need = size?.[1] ? Math.min(65535, 2 ** Math.ceil(Math.log2(Number(size[1]) + 1))) : 32768;
    out.push({
      cause: 'request-too-large',
      confidence: resets.length > 0 ? 0.93 : 0.65,
      title: `${svc.name} rejects requests larger than its ${svc.kind === 'uwsgi' ? 'buffer' : 'limit'}${size ? ` (${size[1]} > max ${size[2]} bytes)` : ''}${
        resets.length > 0 ? `: ${resets.length} resets in nginx` : ''
      }`,
      evidence: [...lines.slice(-3), ...summarize(ev, resets)],
      remediation: [
        svc.kind === 'uwsgi'
          ? `Raise buffer-size = ${Math.max(need, 32768)} (max 65535) in the uwsgi config of ${svc.name}, then systemctl restart ${svc.name}`
          : `Raise the request-size limit of ${svc.name}${LIMIT_KNOBS[svc.kind] ? ` (${LIMIT_KNOBS[svc.kind]})` : ' (its body and header size limits)'} to what clients really send, or make clients send less.`,
        'Keep client_max_body_size in nginx at or below the backend limit so nginx answers 413 first; look for cookie bloat.',
      ],
      // Catalog C27: GUARDED.
      actions: [
        svc.kind === 'uwsgi'
          ? action('raise-uwsgi-buffer-size', 'guarded', `Raise the request buffer of ${svc.name}`)
          : action('raise-request-size-limit', 'guarded', `Raise the request-size limit of ${svc.name}`),
      ],
    });
  }
  return out;
}
