import type { Evidence } from '../evidence.js';
import type { Action, Finding } from '../finding.js';
import { action, oomKilled, restartAction } from './actions.js';
import { groupByPeer, summarize, withSignature } from './log-signals.js';
import { findTarget, owningService, type Peer, parsePeer, peerLabel } from './peers.js';

/** App-log lines that say the pool is saturated (php-fpm max_children, uwsgi listen queue), for the peer's service. */
export function poolSignals(ev: Evidence, p: Peer | undefined): string[] {
  const svc = owningService(ev, p);
  const services = svc ? [svc] : ev.services;
  return services.flatMap((s) =>
    s.logLines
      .filter((l) => l.signal === 'pool-max-children' || l.signal === 'listen-queue-full')
      .map((l) => l.line),
  );
}

/**
 * Catalog C08: `connect() to unix:... failed (11: Resource temporarily unavailable)` is a full unix
 * listen queue (Linux returns EAGAIN, not ECONNREFUSED); read/connect/send timeouts count as pool
 * exhaustion only with the app's own saturation lines (`server reached pm.max_children`, uwsgi
 * `listen queue ... full`).
 */
export function workerPoolRule(ev: Evidence): Finding[] {
  const list = withSignature(
    ev,
    'backlog_full_unix',
    'timeout_read_header',
    'timeout_connect',
    'timeout_send',
  );
  const out: Finding[] = [];
  for (const [raw, group] of groupByPeer(list)) {
    const p = parsePeer(raw);
    const signals = poolSignals(ev, p);
    const eagain = group.filter((e) => e.signature === 'backlog_full_unix');
    if (eagain.length === 0 && signals.length === 0) continue;
    const svc = owningService(ev, p);
    const tc = findTarget(ev, p);
    const label = p ? peerLabel(p) : 'the upstream';
    // EAGAIN has one candidate; the app's own saturation line confirms it.
    const confidence = signals.length > 0 ? 0.93 : 0.8;
    const max = svc?.settings['pm.max_children'] ?? svc?.settings.workers ?? svc?.settings.processes;
    const mem = ev.resources;
    const headroom =
      mem?.memAvailableKb !== undefined && mem.memTotalKb
        ? ` (${Math.round(mem.memAvailableKb / 1024)} MB of ${Math.round(mem.memTotalKb / 1024)} MB RAM available)`
        : '';
    const actions: Action[] = [];
    if (svc && !oomKilled(ev, svc))
      // Catalog section 8: reload/restart to clear a wedged pool is SAFE but rate-limited (drops in-flight requests).
      actions.push(restartAction(ev, svc, 'wedged'));
    actions.push(action('raise-pool-size', 'human', `Size the ${svc?.kind ?? 'app'} worker pool`));
    out.push({
      cause: 'worker-pool-exhausted',
      confidence,
      title: `${svc ? `${svc.name} (${svc.kind})` : label} has no free workers${max ? ` (pool size ${max})` : ''}: requests queue on ${label}`,
      evidence: [...summarize(ev, group), ...signals.slice(-5), ...(tc ? [tc.detail] : [])],
      remediation: [
        ...sizingSteps(svc?.kind, max, headroom),
        'If each request is slow (DB, external API), fix that dependency first: more workers only move the queue.',
        ...(svc
          ? [
              `Mitigation now: systemctl reload ${svc.name} (graceful) clears a wedged pool; at most once, it drops in-flight requests.`,
            ]
          : []),
      ],
      actions,
    });
  }
  return out;
}

function sizingSteps(kind: string | undefined, max: string | undefined, headroom: string): string[] {
  switch (kind) {
    case 'php-fpm':
      return [
        `Raise pm.max_children${max ? ` from ${max}` : ''} to about (RAM for PHP) / (avg worker RSS)${headroom}: ps -o rss= -C php-fpm8.2 | awk '{s+=$1} END {print s/NR/1024 " MB avg"}'`,
        'Raise listen.backlog (and net.core.somaxconn) in the pool; set request_slowlog_timeout = 5s to find slow scripts.',
      ];
    case 'uwsgi':
      return [
        `Raise processes${max ? ` from ${max}` : ''}${headroom} and --listen 1024 (with net.core.somaxconn).`,
      ];
    case 'gunicorn':
      return [
        `Raise --workers${max ? ` from ${max}` : ''} to (2 × cores) + 1${headroom}, or use --threads / an async worker class.`,
      ];
    default:
      return [`Add workers${max ? ` (now ${max})` : ''} only if CPU and RAM allow${headroom}.`];
  }
}
