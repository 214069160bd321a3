import type { ErrorLogEntry } from '../../parse/types.js';
import type { Evidence } from '../evidence.js';
import type { Action, Finding } from '../finding.js';
import { action, oomKilled, restartAction, restartStep, unitName } from './actions.js';
import { summarize } from './log-signals.js';
import { findTarget, owningService, type Peer, peerLabel } from './peers.js';
import { restartFit, restartWindowFinding } from './restart-window.js';

/**
 * `connect() to unix:/path failed (111: Connection refused)`: the socket file exists but nobody
 * listens (catalog C04). Confirmed by the probe (`stale`, or `listening: false`); if the socket answers
 * now it was a restart (C28) or is historical; if it is gone now, C03 wording applies.
 */
export function staleSocketFinding(
  ev: Evidence,
  p: Peer & { kind: 'unix' },
  list: ErrorLogEntry[],
): Finding[] {
  const tc = findTarget(ev, p);
  const svc = owningService(ev, p);
  const label = peerLabel(p);
  const evidence = [...summarize(ev, list), ...(tc ? [tc.detail, ...tc.lines] : [])];
  if (tc?.state === 'open') {
    const fit = restartFit(ev, svc, list);
    if (svc && fit.fits) return [restartWindowFinding(ev, svc, tc, label, list, fit)];
  }
  const confirmed = tc?.state === 'stale' || tc?.socket?.listening === false;
  const confidence = tc?.state === 'open' ? 0.4 : confirmed ? (oomKilled(ev, svc) ? 0.85 : 0.94) : 0.65;
  const actions: Action[] = [];
  const remediation: string[] = [];
  if (svc) {
    remediation.push(restartStep(svc));
    actions.push(restartAction(ev, svc, 'stale'));
  } else {
    remediation.push(
      `Restart the service that should own ${p.path} (ss -lxp | grep '${p.path}' shows who listens).`,
    );
  }
  remediation.push(
    `If it fails with "Address already in use", remove the stale file first, only when nothing owns it: ss -lxp | grep '${p.path}'; fuser ${p.path} || rm ${p.path}`,
    `Then find why the process died without unlinking its socket: journalctl -u ${svc ? unitName(svc) : '<unit>'} --since "-2h" --no-pager`,
  );
  // Deleting the socket file is GUARDED: only when ss/fuser prove it is unowned (catalog C04).
  actions.push(action('remove-stale-socket', 'guarded', `Remove ${p.path} when ss/fuser show no owner`));
  const now = tc?.state === 'open' ? ` earlier in the window; ${label} accepts connections now` : '';
  return [
    {
      cause: 'socket-stale',
      confidence,
      title: `${label} exists but nobody listens on it${svc ? ` (${svc.name} ${svc.running === false ? 'is not running' : 'owns it'})` : ''}${now}`,
      evidence,
      remediation,
      actions,
    },
  ];
}
