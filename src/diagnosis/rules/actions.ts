import type { Evidence, ServiceEvidence } from '../evidence.js';
import type { Action, ActionKind } from '../finding.js';
import { killsOf } from './oom-tie.js';

/**
 * Action builders with stable ids (a Slack button carries the id). Kinds follow the catalog section 8
 * automation policy: SAFE = idempotent after a pre-check, GUARDED = config change behind `nginx -t`,
 * a backup and an approval, HUMAN = security, capacity, data or code decisions.
 */
export function action(id: string, kind: ActionKind, label: string): Action {
  return { id, kind, label };
}

/** The inventory unit name a restart targets (`app` -> `app.service` in labels). */
export function unitName(svc: ServiceEvidence): string {
  return svc.name.includes('.') ? svc.name : `${svc.name}.service`;
}

/** Did the kernel (a kill tied to this service) or the app server report an OOM kill (catalog C11)? */
export function oomKilled(ev: Evidence, svc: ServiceEvidence | undefined): boolean {
  if (!svc) return false;
  if (killsOf(ev, svc).length > 0) return true;
  // gunicorn logs "was sent SIGKILL! Perhaps out of memory?" after a WORKER TIMEOUT too (catalog C09):
  // without a kernel line, that SIGKILL is the watchdog's.
  const signals = new Set(svc.logLines.map((l) => l.signal));
  return signals.has('worker-oom') && !signals.has('worker-timeout');
}

export { svcMatchesProcess } from './oom-tie.js';

/**
 * Restart of the unit that owns the failing target. SAFE only when the catalog says so: the unit is
 * not running (or its socket is stale) and its last exit was not an OOM kill (C01/C04/C11, section 8);
 * otherwise a person decides.
 */
export function restartAction(ev: Evidence, svc: ServiceEvidence, why: 'down' | 'stale' | 'wedged'): Action {
  const id = `restart-service:${svc.name}`;
  if (oomKilled(ev, svc))
    return action(id, 'human', `Restart ${unitName(svc)} after fixing memory (it was OOM-killed)`);
  // Section 8 pre-check "< 3 restarts/hour": a unit that keeps restarting is a crash loop for a person.
  if (Number(svc.settings.restarts ?? 0) >= 3)
    return action(id, 'human', `Restart ${unitName(svc)} (crash loop: find the cause first)`);
  const safe = why === 'stale' || (why === 'wedged' ? svc.running === true : svc.running === false);
  return action(id, safe ? 'safe' : 'human', `Restart ${unitName(svc)}`);
}

export function restartStep(svc: ServiceEvidence): string {
  return `Start the app: systemctl restart ${unitName(svc)} (then check: systemctl status ${unitName(svc)} --no-pager -l)`;
}

export const reloadNginx = (label = 'Test and reload nginx (nginx -t && nginx -s reload)'): Action =>
  action('reload-nginx', 'safe', label);
