import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action } from './actions.js';
import { RESET_SIGNATURES, summarize } from './log-signals.js';
import { errorsOf, signalLines } from './service-errors.js';

/**
 * Catalog C27: the upstream rejects the request (uwsgi `invalid request block size: 5292 (max 4096)`),
 * nginx sees 104 / premature close / broken pipe while sending.
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
      title: `${svc.name} rejects requests larger than its buffer${size ? ` (${size[1]} > max ${size[2]} bytes)` : ''}${
        resets.length > 0 ? `: ${resets.length} resets in nginx` : ''
      }`,
      evidence: [...lines.slice(-3), ...summarize(ev, resets)],
      remediation: [
        svc.kind === 'uwsgi'
          ? `Raise buffer-size = ${Math.max(need, 32768)} (max 65535) in the uwsgi config of ${svc.name}, then systemctl restart ${svc.name}`
          : `Raise the request-size limit of ${svc.name} (gunicorn limit_request_line / limit_request_field_size, node maxHeaderSize, php post_max_size).`,
        'Keep client_max_body_size in nginx at or below the backend limit so nginx answers 413 first; look for cookie bloat.',
      ],
      // Catalog C27: GUARDED.
      actions: [action('raise-uwsgi-buffer-size', 'guarded', `Raise the request buffer of ${svc.name}`)],
    });
  }
  return out;
}
