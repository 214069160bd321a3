import type { Evidence, ServiceEvidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action } from './actions.js';
import { entryMs } from './clock.js';
import { groupByPeer, summarize, withSignature } from './log-signals.js';
import { macEvidence } from './mac-denied.js';
import { findTarget, owningService, parsePeer, peerLabel } from './peers.js';

/**
 * `connect() to unix:/path failed (13: Permission denied)` (catalog C05): the worker user may not
 * write the socket or traverse its directory. When SELinux/AppArmor is enforcing and logged a
 * denial, mac-denied.ts reports C06 instead (decision sketch: "errno 13 on unix socket -> C05, else C06").
 */
export function socketPermissionRule(ev: Evidence): Finding[] {
  if (macEvidence(ev).confirmed) return [];
  const out: Finding[] = [];
  for (const [raw, list] of groupByPeer(withSignature(ev, 'socket_eacces'))) {
    const p = parsePeer(raw);
    if (p?.kind !== 'unix') continue;
    const tc = findTarget(ev, p);
    const svc = owningService(ev, p);
    const user = ev.nginx.workerUser ?? ev.nginx.config?.user?.split(' ')[0] ?? 'www-data';
    const sock = tc?.socket;
    const denied = tc?.state === 'denied' || sock?.workerMayConnect === false;
    const permsLookRight = sock?.workerMayConnect === true;
    const facts = sock ? `${p.path} is ${sock.owner}:${sock.group} mode ${sock.mode}` : `${p.path}`;
    // The worker may connect now: either the errors are older than a fix (historical) or something
    // the mode does not show (parent directory, ACL, LSM) still denies it.
    const last = list.at(-1);
    const lastMs = last ? entryMs(ev, last) : undefined;
    const historical = permsLookRight && lastMs !== undefined && ev.collectedAtMs - lastMs > 120_000;
    const confidence = denied ? 0.94 : historical ? 0.4 : permsLookRight ? 0.5 : 0.75;
    out.push({
      cause: 'socket-permission',
      confidence,
      title: historical
        ? `nginx (${user}) was denied ${peerLabel(p)} earlier in the window (${list.length} ×); the socket lets it in now`
        : permsLookRight
          ? `nginx (${user}) got EACCES on ${peerLabel(p)} although the socket mode allows it: check parent directories and SELinux`
          : `nginx worker ${user} may not connect to ${peerLabel(p)} (${sock ? `${sock.owner}:${sock.group} ${sock.mode}` : 'permission denied'})`,
      evidence: [...summarize(ev, list), ...(tc ? [tc.detail, ...tc.lines] : [])],
      remediation: [
        ...fixSteps(svc, user, p.path),
        `Check every parent directory is traversable by ${user}: namei -l ${p.path}`,
        `Verify: sudo -u ${user} test -w ${p.path} && echo writable (${facts})`,
        'Never chmod 777 the socket: it is recreated on restart anyway, and it is a privilege hole.',
      ],
      // Catalog C05: GUARDED when aligning listen.owner/group with the nginx user on a stock pool file.
      actions: [
        svc?.kind === 'php-fpm'
          ? action(
              'fix-socket-permissions',
              'guarded',
              `Set listen.owner/group = ${user}, listen.mode = 0660 and restart ${svc.name}`,
            )
          : action('fix-socket-permissions', 'human', `Let ${user} connect to ${p.path}`),
      ],
    });
  }
  return out;
}

function fixSteps(svc: ServiceEvidence | undefined, user: string, path: string): string[] {
  const name = svc?.name ?? '<service>';
  switch (svc?.kind) {
    case 'php-fpm':
      return [
        `Set listen.owner = ${user}, listen.group = ${user}, listen.mode = 0660 in the php-fpm pool that listens on ${path} and restart php-fpm: systemctl restart ${name}`,
      ];
    case 'uwsgi':
      return [
        `Set chown-socket = ${user}:${user} and chmod-socket = 660 in the uwsgi config, then systemctl restart ${name}`,
      ];
    case 'gunicorn':
      return [
        `Run gunicorn with --umask 007 and group ${user} (or add ${user} to the socket's group), then systemctl restart ${name}`,
      ];
    default:
      return [
        `Make ${path} owned by (or group-writable for) ${user}, e.g. add ${user} to the socket's group, then restart ${name}`,
      ];
  }
}
