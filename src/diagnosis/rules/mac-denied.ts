import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action } from './actions.js';
import { groupByPeer, peerOf, summarize, withSignature } from './log-signals.js';
import { findTarget, parsePeer, peerLabel } from './peers.js';

export interface MacEvidence {
  /** An LSM is enforcing and logged denials naming nginx. */
  confirmed: boolean;
  enforcing: 'selinux' | 'apparmor' | undefined;
  denials: string[];
}

export function macEvidence(ev: Evidence): MacEvidence {
  const sec = ev.security;
  const enforcing =
    sec?.selinux === 'enforcing' ? 'selinux' : sec?.apparmor === 'enabled' ? 'apparmor' : undefined;
  const denials = sec?.denials ?? [];
  return { confirmed: enforcing !== undefined && denials.length > 0, enforcing, denials };
}

/**
 * Catalog C06: errno 13 on a TCP connect is almost always an LSM (file modes do not apply to TCP);
 * on a unix socket it is C05 unless SELinux/AppArmor is enforcing and logged a denial, or the socket
 * mode already lets the worker in.
 */
export function macDeniedRule(ev: Evidence): Finding[] {
  const mac = macEvidence(ev);
  const out: Finding[] = [];
  const tcp = withSignature(ev, 'tcp_eacces');
  const unix = withSignature(ev, 'socket_eacces').filter((e) => {
    const tc = findTarget(ev, parsePeer(peerOf(e) ?? ''));
    return mac.confirmed || (mac.enforcing !== undefined && tc?.socket?.workerMayConnect === true);
  });
  for (const [raw, list] of groupByPeer([...tcp, ...unix])) {
    const p = parsePeer(raw);
    const label = p ? peerLabel(p) : 'the upstream';
    const isTcp = p?.kind === 'tcp';
    const tc = findTarget(ev, p);
    // Enforcing + a denial line is direct confirmation; TCP EACCES alone is a one-candidate signature.
    const confidence = mac.confirmed ? 0.96 : mac.enforcing ? 0.8 : ev.security === undefined ? 0.7 : 0.45;
    const who = mac.enforcing === 'apparmor' ? 'AppArmor' : 'SELinux';
    const port = p?.kind === 'tcp' ? p.port : undefined;
    const remediation =
      mac.enforcing === 'apparmor'
        ? [
            'Allow the connection in the nginx AppArmor profile (/etc/apparmor.d/), then apparmor_parser -r <profile>; journalctl -k | grep \'apparmor="DENIED"\' | grep nginx shows what was denied.',
          ]
        : isTcp
          ? [
              `Allow nginx to connect to ${label}: setsebool -P httpd_can_network_connect 1`,
              `Or narrower: semanage port -a -t http_port_t -p tcp ${port ?? '<port>'}`,
            ]
          : [
              `Label the socket and its directory for httpd: semanage fcontext -a -t httpd_var_run_t '${p?.kind === 'unix' ? p.path : '<socket>'}' && restorecon -v ${p?.kind === 'unix' ? p.path : '<socket>'} (or run the service in a confined domain)`,
            ];
    out.push({
      cause: 'mac-denied',
      confidence,
      title: `${who} denies nginx the connection to ${label}${mac.confirmed ? '' : mac.enforcing ? ` (${who} enforcing)` : ' (errno 13 on a TCP connect)'}`,
      evidence: [...summarize(ev, list), ...mac.denials.slice(-5), ...(tc ? [tc.detail] : [])],
      remediation: [
        ...remediation,
        `Explain the denial first: ausearch -m AVC,USER_AVC -c nginx -ts recent | audit2why`,
        'Do not setenforce 0 or disable the profile.',
      ],
      // Catalog C06: security policy change = HUMAN.
      actions: [
        action(
          isTcp ? 'set-selinux-boolean' : 'fix-mac-policy',
          'human',
          `Change the ${who} policy for nginx`,
        ),
      ],
    });
  }
  return out;
}
