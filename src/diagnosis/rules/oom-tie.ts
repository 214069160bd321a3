import type { ErrorLogEntry } from '../../parse/types.js';
import type { Evidence, OomKill, ServiceEvidence } from '../evidence.js';
import { entryMs } from './clock.js';
import { RESET_SIGNATURES } from './log-signals.js';
import { DEATH_SIGNATURES, errorsOf } from './service-errors.js';

/**
 * Whether a kernel OOM kill was the app's (catalog C11), not some other program's on the same host
 * (or, in a lab or a container host, the same kernel). A process name alone is weak: `node`,
 * `python3`, `php-fpm8.2` run many times on a machine. A kill belongs to a service when its pid is
 * one of the service's, its memory cgroup names the service's unit, or its name fits and its time
 * fits the service's errors: the kill came no later than those errors, and the service was not
 * already refusing connections before it (then it was down for another reason and the kill is only
 * context).
 */
export function killBelongsTo(ev: Evidence, svc: ServiceEvidence, k: OomKill): boolean {
  if (k.pid !== undefined && svc.pids.includes(k.pid)) return true;
  if (k.memcg !== undefined && memcgNames(k.memcg, svc)) return true;
  if (!svcMatchesProcess(svc, k.process)) return false;
  return timeFits(ev, svc, k);
}

/** The kills of the window that belong to this service. */
export function killsOf(ev: Evidence, svc: ServiceEvidence): OomKill[] {
  return (ev.kernel?.oomKills ?? []).filter((k) => killBelongsTo(ev, svc, k));
}

/** `/system.slice/php8.2-fpm.service`, `/system.slice/app.service/...`, a compose `app` scope. */
function memcgNames(memcg: string, svc: ServiceEvidence): boolean {
  const name = svc.name.replace(/\.service$/, '');
  return memcg.split('/').some((part) => part === `${name}.service` || part === name);
}

/**
 * Error log seconds (an entry stamped S happened in [S, S + 1 s)) plus the drift of dmesg's ISO
 * stamps, which are the boot time plus the monotonic clock, from the wall clock nginx writes
 * (about a second on a long-running VM; journald stamps do not drift).
 */
const LOG_GRAIN_MS = 1000 + 2000;
/** A dying worker shows as resets within seconds of the kill. */
const DEATH_SLACK_MS = 30_000;

function timeFits(ev: Evidence, svc: ServiceEvidence, k: OomKill): boolean {
  if (k.timeMs === undefined) return true;
  const kill = k.timeMs;
  const timed = (list: ErrorLogEntry[]) =>
    list.map((e) => entryMs(ev, e)).filter((t): t is number => t !== undefined);
  const errors = timed(errorsOf(ev, svc, DEATH_SIGNATURES));
  if (errors.length === 0) return true;
  // A kill after the last error cannot have caused the errors.
  if (Math.max(...errors) + LOG_GRAIN_MS < kill) return false;
  // Already refusing before the kill, and no reset around it: the app was down for another reason.
  const refusedBefore = timed(errorsOf(ev, svc, ['connect_refused', 'socket_missing'])).some(
    (t) => t + LOG_GRAIN_MS <= kill,
  );
  if (!refusedBefore) return true;
  return timed(errorsOf(ev, svc, RESET_SIGNATURES)).some(
    (t) => t + LOG_GRAIN_MS >= kill && t <= kill + DEATH_SLACK_MS,
  );
}

/** A process name as the kernel logs it (`comm`, 15 characters) that fits the service. */
export function svcMatchesProcess(svc: ServiceEvidence, process: string, pid?: number): boolean {
  if (pid !== undefined && svc.pids.includes(pid)) return true;
  const p = process.toLowerCase();
  const name = svc.name.toLowerCase().replace(/\.service$/, '');
  const kind = svc.kind.toLowerCase();
  // php-fpm workers show as `php-fpm8.2`, node apps as `node`, gunicorn as `gunicorn` or `python3`.
  return (
    p === name || p.startsWith(kind) || name.startsWith(p) || (kind === 'apache' && /apache2|httpd/.test(p))
  );
}
