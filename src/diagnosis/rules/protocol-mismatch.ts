import type { SignatureId } from '../../parse/types.js';
import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action } from './actions.js';
import { describePass, passesFor } from './config.js';
import { groupByPeer, summarize, withSignature } from './log-signals.js';
import { owningService, parsePeer, peerLabel } from './peers.js';

/** What each signature means about the two ends (catalog C16). */
const MEANING: Partial<Record<SignatureId, (pass: string, label: string) => string>> = {
  fastcgi_proto: (pass, label) =>
    `${pass} talks FastCGI to ${label}, which answers HTTP: point fastcgi_pass at php-fpm or use proxy_pass http://`,
  grpc_to_http1: (pass, label) =>
    `${pass} talks gRPC (HTTP/2) to ${label}, which speaks HTTP/1.x: use proxy_pass, or grpc_pass only to an h2c/gRPC listener`,
  http09_reply: (pass, label) =>
    `${pass} sends plain HTTP to ${label}, which is not an HTTP listener (TLS port?): try proxy_pass https://${label} after curl -vk https://${label}/`,
  invalid_header: (_pass, label) =>
    `${label} emits malformed headers (stricter since nginx 1.21.1): fix the backend's header generation; ignore_invalid_headers does not fix framing errors`,
};

/**
 * Catalog C16: the `*_pass` module and the listener disagree (FastCGI to HTTP, gRPC to HTTP/1, HTTP
 * to TLS or uwsgi binary) or the backend sends invalid HTTP. Which side is wrong needs intent: HUMAN.
 */
export function protocolMismatchRule(ev: Evidence): Finding[] {
  const out: Finding[] = [];
  const list = withSignature(ev, 'invalid_header', 'fastcgi_proto', 'grpc_to_http1', 'http09_reply');
  for (const [raw, group] of groupByPeer(list)) {
    const p = parsePeer(raw);
    const label = p ? peerLabel(p) : 'the upstream';
    const pass = passesFor(ev, p)[0];
    const svc = owningService(ev, p);
    const sig = group.at(-1)?.signature ?? 'invalid_header';
    const explain = MEANING[sig] ?? MEANING.invalid_header;
    const passText = pass ? describePass(pass) : `${p?.scheme ?? 'proxy'}://`;
    out.push({
      cause: 'protocol-mismatch',
      // Each of these signatures has one catalog candidate.
      confidence: sig === 'invalid_header' ? 0.85 : 0.92,
      title: `nginx and ${label} speak different protocols${svc ? ` (${svc.name} is ${svc.kind})` : ''}: ${group.at(-1)?.message ?? ''}`,
      evidence: [...summarize(ev, group), ...(pass ? [describePass(pass)] : [])],
      remediation: [
        explain ? explain(passText, label) : `Match the *_pass module to what listens on ${label}.`,
        `Check what listens: ss -ltnp | grep ${p?.kind === 'tcp' ? `:${p.port}` : label}; curl -v --max-time 5 http://${label}/ vs curl -vk https://${label}/`,
        'Then nginx -t && nginx -s reload.',
      ],
      actions: [action('fix-protocol', 'human', `Align the *_pass scheme/module with ${label}`)],
    });
  }
  return out;
}
