import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action } from './actions.js';
import { modulePrefix, passesFor, siteRef } from './config.js';
import { entries, groupByPeer, summarize, topPaths, withSignature } from './log-signals.js';
import { parsePeer, peerLabel } from './peers.js';

/**
 * Catalog C15: `upstream sent too big header` -> the response header does not fit `*_buffer_size`
 * (default one page). The fix raises the buffer to the next power of two (cap 64k) and keeps
 * `*_busy_buffers_size` consistent, or nginx refuses to start.
 */
export function headerTooBigRule(ev: Evidence): Finding[] {
  const out: Finding[] = [];
  for (const [raw, list] of groupByPeer(withSignature(ev, 'too_big_header'))) {
    const p = parsePeer(raw);
    const label = p ? peerLabel(p) : 'the upstream';
    const pass = passesFor(ev, p)[0];
    const prefix = modulePrefix(pass, p?.scheme);
    const current = pass?.bufferSizeBytes;
    const next = Math.min(64, Math.max(16, current ? 2 ** Math.ceil(Math.log2(current / 1024 + 1)) : 16));
    const stderr = entries(ev).filter(
      (e) => e.message.startsWith('FastCGI sent in stderr') && e.upstreamPeer === raw,
    );
    const paths = topPaths(list);
    const where = pass ? `in ${siteRef(pass)}` : 'in the server/location that proxies to it';
    const buffers = prefix === 'fastcgi' ? `fastcgi_buffers 16 ${next}k` : `${prefix}_buffers 8 ${next}k`;
    out.push({
      cause: 'header-too-big',
      confidence: 0.94,
      title: `${label} sends response headers larger than ${prefix}_buffer_size (${current ? `${current / 1024}k` : 'default 4k/8k'})${paths[0] ? ` on ${paths[0].path}` : ''}`,
      evidence: [...summarize(ev, list), ...stderr.slice(-2).map((e) => e.raw)],
      remediation: [
        `Measure the header: curl -sk -D - -o /dev/null ${p?.scheme === 'https' ? 'https' : 'http'}://${label}${paths[0]?.path ?? '/'} | wc -c`,
        `Raise ${prefix}_buffer_size to ${next}k (${buffers}; ${prefix}_busy_buffers_size ${next * 2}k) ${where}, then nginx -t && nginx -s reload`,
        ...(stderr.length > 0
          ? ['Stop PHP notices going to stderr before the headers (display_errors = Off, fix the notices).']
          : []),
        'Shrink the headers at the source (cookie bloat, long CSP, big JWTs).',
      ],
      // Catalog C15: raising *_buffer_size to the measured need (cap 64k) = GUARDED.
      actions: [
        action('raise-buffer-size', 'guarded', `Raise ${prefix}_buffer_size to ${next}k, nginx -t, reload`),
      ],
    });
  }
  return out;
}
