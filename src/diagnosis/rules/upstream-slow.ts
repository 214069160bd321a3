import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action } from './actions.js';
import { describePass, modulePrefix, passesFor } from './config.js';
import { groupByPeer, summarize, topPaths, withSignature } from './log-signals.js';
import { parsePeer, peerLabel } from './peers.js';
import { mostlyAt } from './timing.js';
import { poolSignals } from './worker-pool.js';

/**
 * Catalog C13: `upstream timed out (110: ...) while reading response header from upstream` (504) is
 * the app answering slower than `*_read_timeout`. With pool saturation lines it is C08 first; with
 * failures clustered at the configured read timeout the timing confirms nginx gave up.
 */
export function upstreamSlowRule(ev: Evidence): Finding[] {
  const out: Finding[] = [];
  for (const [raw, list] of groupByPeer(withSignature(ev, 'timeout_read_header', 'timeout_read_body'))) {
    const p = parsePeer(raw);
    const label = p ? peerLabel(p) : 'the upstream';
    const pass = passesFor(ev, p)[0];
    const prefix = modulePrefix(pass, p?.scheme);
    const timeout = pass?.readTimeoutS ?? 60;
    const atTimeout = mostlyAt(ev, timeout);
    const saturated = poolSignals(ev, p).length > 0;
    const confidence = saturated ? 0.5 : atTimeout ? 0.87 : 0.75;
    const paths = topPaths(list);
    const top = paths[0];
    const where = pass?.location ?? (top ? top.path : '/');
    out.push({
      cause: 'upstream-slow',
      confidence,
      title: `${label} answers slower than ${prefix}_read_timeout ${timeout}s (${list.length} × 504${
        top ? `, mostly ${top.path}` : ''
      })`,
      evidence: [
        ...summarize(ev, list),
        ...(paths.length > 0
          ? [`slowest endpoints: ${paths.map((x) => `${x.path} (${x.count})`).join(', ')}`]
          : []),
        ...(pass ? [`${describePass(pass)}: ${prefix}_read_timeout ${timeout}s`] : []),
        ...(atTimeout ? [`failed requests cluster at ${timeout}s upstream response time (access log)`] : []),
      ],
      remediation: [
        `Find out whether the app finishes after nginx gives up: app access log durations > ${timeout}s, slow logs, DB slow query log, for ${paths.map((x) => x.path).join(', ') || 'the failing paths'}.`,
        `If it is an expected long operation, raise the timeout only there: location ${where} { ${prefix}_read_timeout 300s; }${pass ? ` in ${pass.file}` : ''}, keeping the app's own timeout below it; then nginx -t && nginx -s reload`,
        'If every endpoint is slow at once, look at worker saturation (C08) and dependencies (DB, external APIs) instead; better: make long work asynchronous.',
      ],
      // Catalog C13: timeout policy = HUMAN.
      actions: [
        action('raise-read-timeout', 'human', `Raise ${prefix}_read_timeout for ${where}`),
        action('investigate-slow-endpoint', 'human', 'Find the slow endpoint / dependency'),
      ],
    });
  }
  return out;
}
