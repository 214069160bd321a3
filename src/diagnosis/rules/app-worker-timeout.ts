import type { Evidence, ServiceEvidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action } from './actions.js';
import { modulePrefix, passesFor } from './config.js';
import { peerOf, RESET_SIGNATURES, summarize, topPaths } from './log-signals.js';
import { owningService, parsePeer } from './peers.js';
import { errorsOf, signalLines } from './service-errors.js';
import { dominantFailureTime, mostlyAt, parseSeconds } from './timing.js';

const TIMEOUT_KEYS = ['timeout', 'harakiri', 'request_terminate_timeout', 'worker_timeout'];
/** What each server calls the timeout that kills or stops a slow worker. */
const TIMEOUT_NAME: Record<string, string> = {
  'php-fpm': 'request_terminate_timeout',
  uwsgi: 'harakiri',
  gunicorn: '--timeout',
  puma: 'worker_timeout',
  apache: 'Apache Timeout (CGI scripts: CGIScriptTimeout)',
};

function appTimeoutS(svc: ServiceEvidence): number | undefined {
  for (const k of TIMEOUT_KEYS) {
    const v = parseSeconds(svc.settings[k]);
    if (v !== undefined && v > 0) return v;
  }
  return undefined;
}

/**
 * 5xx the service answered itself, relayed by nginx (access log): Apache answers 504 when its
 * `Timeout` stops a CGI script, and nginx logs nothing of its own for it.
 */
function answeredItself(ev: Evidence, svc: ServiceEvidence): number {
  return (ev.accessLog?.perUpstream ?? [])
    .filter((u) => u.relayed > 0 && owningService(ev, parsePeer(u.upstream))?.name === svc.name)
    .reduce((n, u) => n + u.relayed, 0);
}

/**
 * Catalog C09: the app server's watchdog (gunicorn `timeout`, uwsgi harakiri, php-fpm
 * request_terminate_timeout, puma worker_timeout) kills a busy worker, so nginx sees a reset or a
 * premature close with `$upstream_response_time` clustered at the app timeout, below the read timeout;
 * or, with the app's own timeout lines, a 504 the app server answered itself (Apache's CGI `Timeout`).
 */
export function appWorkerTimeoutRule(ev: Evidence): Finding[] {
  const out: Finding[] = [];
  for (const svc of ev.services) {
    const resets = errorsOf(ev, svc, RESET_SIGNATURES);
    const lines = signalLines(svc, 'worker-timeout');
    const own = lines.length > 0 ? answeredItself(ev, svc) : 0;
    const cut = resets.length + own;
    const limit = appTimeoutS(svc);
    const clustered = limit !== undefined && mostlyAt(ev, limit);
    const dominant = limit === undefined ? dominantFailureTime(ev) : undefined;
    const first = resets[0];
    const pass = first ? passesFor(ev, parsePeer(peerOf(first) ?? ''))[0] : undefined;
    const readTimeout = pass?.readTimeoutS ?? 60;
    const guessed = dominant !== undefined && dominant < readTimeout;
    if (lines.length === 0 && !clustered && !(guessed && resets.length > 0)) continue;
    if (resets.length === 0 && lines.length === 0) continue;
    const confidence =
      lines.length > 0 && cut > 0
        ? clustered
          ? 0.95
          : 0.92
        : clustered
          ? 0.85
          : lines.length > 0
            ? 0.6
            : 0.55;
    const t = limit ?? dominant;
    const paths = topPaths(resets);
    const prefix = modulePrefix(pass);
    out.push({
      cause: 'app-worker-timeout',
      confidence,
      title: `${svc.name} kills workers at its ${t !== undefined ? `${t}s ` : ''}timeout: ${cut} requests cut off${paths[0] ? `, mostly ${paths[0].path}` : ''}`,
      evidence: [
        ...lines.slice(-4),
        ...summarize(ev, resets),
        ...(own > 0 ? [`${own} × 5xx answered by ${svc.name} itself and relayed by nginx (access log)`] : []),
        ...(clustered || guessed
          ? [`failed requests cluster at ${t}s upstream response time (access log)`]
          : []),
        ...(limit !== undefined
          ? [`${svc.name} timeout setting: ${limit}s; nginx ${prefix}_read_timeout ${readTimeout}s`]
          : []),
      ],
      remediation: [
        `Find the slow endpoint${paths.length > 0 ? `s (${paths.map((p) => `${p.path} ×${p.count}`).join(', ')})` : ''} and fix it, or move long jobs to a background queue.`,
        `If the work is legitimately long, raise ${TIMEOUT_NAME[svc.kind] ?? 'the app timeout'} and ${prefix}_read_timeout together, keeping app timeout < nginx read timeout (now ${t ?? '?'}s < ${readTimeout}s).`,
        ...(svc.kind === 'gunicorn'
          ? [
              'gunicorn: use --worker-class gthread (or an async worker) for I/O-bound apps: sync workers block the heartbeat.',
            ]
          : []),
      ],
      // Catalog C09: timeout policy and code = HUMAN.
      actions: [action('investigate-slow-endpoint', 'human', 'Fix the slow endpoint / timeout policy')],
    });
  }
  return out;
}
