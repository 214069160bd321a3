import type { Evidence, ServiceEvidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action, restartAction, unitName } from './actions.js';
import { summarize, windowUpstreamErrors } from './log-signals.js';
import { killsOf, svcMatchesProcess } from './oom-tie.js';
import { DEATH_SIGNATURES, errorsOf, signalLines } from './service-errors.js';

/**
 * Catalog C11: the kernel (or a cgroup) OOM killer killed the app. Resets (104 / prematurely closed)
 * while workers die, then 111 when the master goes. Never a SAFE restart afterwards: the catalog
 * says restart at most once and repeated OOM is a capacity decision (section 8).
 */
export function oomKilledRule(ev: Evidence): Finding[] {
  if (windowUpstreamErrors(ev).length === 0) return [];
  const kills = ev.kernel?.oomKills ?? [];
  const out: Finding[] = [];
  const claimed = new Set<string>();
  for (const svc of ev.services) {
    const mine = killsOf(ev, svc);
    const appLines = signalLines(svc, 'worker-oom');
    if (mine.length === 0 && appLines.length === 0) continue;
    for (const k of mine) claimed.add(k.line);
    const related = errorsOf(ev, svc, DEATH_SIGNATURES);
    // Kernel line + matching upstream errors is direct confirmation; an app-only hint is weaker.
    // App-only SIGKILL lines next to WORKER TIMEOUT lines are the watchdog (C09), not memory.
    const watchdog = mine.length === 0 && signalLines(svc, 'worker-timeout').length > 0;
    const confidence = watchdog
      ? 0.45
      : mine.length > 0
        ? related.length > 0
          ? 0.96
          : 0.85
        : related.length > 0
          ? 0.85
          : 0.7;
    const first = mine[0];
    const what = first
      ? `${first.process}${first.pid !== undefined ? ` (pid ${first.pid})` : ''}`
      : 'a worker';
    out.push(
      finding(
        ev,
        svc,
        confidence,
        `The OOM killer killed ${what} of ${svc.name}${related.length > 0 ? `: ${related.length} upstream errors followed` : ''}`,
        [...mine.map((k) => k.line).slice(-3), ...appLines.slice(-3), ...summarize(ev, related)],
      ),
    );
  }
  const loose = kills.filter((k) => !claimed.has(k.line));
  if (loose.length > 0) {
    // Not tied to the upstream's process (pid, cgroup, or name and time): a database or a sidecar
    // can still be why the app fails, but direct evidence of the failing upstream ranks first.
    const sameName = loose.filter((k) => ev.services.some((s) => svcMatchesProcess(s, k.process)));
    out.push(
      finding(
        ev,
        undefined,
        0.3,
        `The OOM killer killed ${loose.map((k) => k.process).join(', ')} on this host, not tied to the failing upstream (context)`,
        [
          ...loose.map((k) => k.line).slice(-3),
          ...(sameName.length > 0
            ? [
                `${sameName.map((k) => `${k.process}${k.pid !== undefined ? ` (pid ${k.pid})` : ''}`).join(', ')}: same name as an app, but neither its pid nor its cgroup, and the upstream was already refusing connections before the kill (or the kill came after the errors)`,
              ]
            : []),
          ...summarize(ev, windowUpstreamErrors(ev), 3),
        ],
      ),
    );
  }
  return out;
}

function finding(
  ev: Evidence,
  svc: ServiceEvidence | undefined,
  confidence: number,
  title: string,
  evidence: string[],
): Finding {
  const r = ev.resources;
  const mem =
    r?.memAvailableKb !== undefined && r.memTotalKb
      ? `memory now: ${Math.round(r.memAvailableKb / 1024)} MB available of ${Math.round(r.memTotalKb / 1024)} MB`
      : undefined;
  return {
    cause: 'upstream-oom-killed',
    confidence,
    title,
    evidence: mem ? [...evidence, mem] : evidence,
    remediation: ev.systemd === false ? noSystemdSteps(svc) : systemdSteps(svc),
    actions: [
      ...(svc ? [restartAction(ev, svc, 'down')] : []),
      action('investigate-oom', 'human', 'Decide memory sizing (workers vs RAM, leaks)'),
    ],
  };
}

const LEAK_STEP =
  'Contain leaks: pm.max_requests = 500 (php-fpm) or gunicorn --max-requests 1000 --max-requests-jitter 100.';

/** Catalog C11 fix on a systemd host (also when no unit was checked: most hosts run systemd). */
function systemdSteps(svc: ServiceEvidence | undefined): string[] {
  const unit = svc ? unitName(svc) : '<unit>';
  return [
    `Check the limit and the current use: systemctl show ${unit} -p MemoryMax -p MemoryCurrent; systemctl status ${unit} --no-pager -l; free -m; ps -eo pid,rss,comm --sort=-rss | head`,
    'Right-size concurrency to RAM: fewer workers (or threads instead of processes); php-fpm pm.max_children = RAM / avg worker RSS.',
    LEAK_STEP,
    `Restart ${unit} once if it is down, and only after the above: a restart alone brings the next OOM kill.`,
    `Add RAM/swap, or raise the cgroup limit (MemoryMax= in a drop-in: systemctl edit ${unit}), only with the measurements above.`,
  ];
}

/** Catalog C11 fix on a host without systemd: no unit, no MemoryMax=; the app server caps itself. */
function noSystemdSteps(svc: ServiceEvidence | undefined): string[] {
  const name = svc?.name ?? 'the killed process';
  return [
    'Check the current use: free -m; cat /proc/pressure/memory; ps -eo pid,rss,etimes,args --sort=-rss | head (this host has no systemd: no unit memory limit applies)',
    `Find what starts ${name} and whether it brought it back: its supervisor (supervisord: supervisorctl status; runit: sv status /etc/service/*; OpenRC: rc-status; pm2 ls), its container (docker inspect -f '{{.State.OOMKilled}} {{.RestartCount}}' <container>), or its init script.`,
    `Cap memory in the app server's own config: ${ownMemoryCap(svc?.kind)}.`,
    LEAK_STEP,
    `Restart ${name} once through that supervisor if it is down, and only after the above: a restart alone brings the next OOM kill.`,
    'Add RAM or swap (or raise the container memory limit) only with the measurements above.',
  ];
}

/** Where each app server bounds its own memory (its worker count, or its heap). */
function ownMemoryCap(kind: string | undefined): string {
  switch (kind) {
    case 'php-fpm':
      return 'pm.max_children = RAM / avg worker RSS in the pool config (e.g. /etc/php/*/fpm/pool.d/www.conf)';
    case 'gunicorn':
      return 'fewer --workers (RAM / avg worker RSS), or --threads instead of processes';
    case 'uwsgi':
      return 'fewer processes, and reload-on-rss = <MB> to recycle a worker that grows';
    case 'node':
      return 'node --max-old-space-size=<MB> below the RAM left for it (fewer cluster/pm2 instances)';
    case 'puma':
      return 'fewer workers (RAM / avg worker RSS) in config/puma.rb';
    case 'apache':
      return 'MaxRequestWorkers = RAM / avg child RSS';
    default:
      return 'php-fpm pm.max_children = RAM / avg worker RSS, gunicorn fewer --workers, node --max-old-space-size=<MB>';
  }
}
