import type { Evidence, TargetCheck } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action, reloadNginx } from './actions.js';
import { agoLabel } from './clock.js';
import { describePass, passesFor, versionAtLeast } from './config.js';
import { groupByPeer, summarize, withSignature } from './log-signals.js';
import { findTarget, isIp, type Peer, parsePeer, peerLabel } from './peers.js';

/**
 * Catalog C19/C20: nginx resolved a hostname once at start/reload and still dials that IP, while the
 * name resolves elsewhere now (ELB, container recreated). The failing IP belongs to no configured
 * target, and exactly one hostname target on the same port resolves to other addresses.
 */
export function addressChanged(ev: Evidence, p: Peer): TargetCheck | undefined {
  if (p.kind !== 'tcp' || !isIp(p.host) || findTarget(ev, p)) return undefined;
  const named = ev.targets.filter(
    (tc) =>
      tc.target.kind === 'tcp' &&
      tc.target.port === p.port &&
      !isIp(tc.target.host) &&
      (tc.resolved?.length ?? 0) > 0,
  );
  const only = named.length === 1 ? named[0] : undefined;
  return only && !(only.resolved ?? []).includes(p.host) ? only : undefined;
}

export function addressChangedRule(ev: Evidence): Finding[] {
  const list = withSignature(
    ev,
    'connect_refused',
    'unreachable',
    'timeout_connect',
    'tls_verify',
    'tls_other',
  );
  const out: Finding[] = [];
  for (const [raw, group] of groupByPeer(list)) {
    const p = parsePeer(raw);
    const tc = p ? addressChanged(ev, p) : undefined;
    if (p?.kind !== 'tcp' || !tc || tc.target.kind !== 'tcp') continue;
    const name = tc.target.host;
    const now = (tc.resolved ?? []).join(', ');
    const pass = passesFor(ev, { kind: 'tcp', scheme: p.scheme, host: name, port: p.port })[0];
    const workerAge = ev.nginx.workerAgeS;
    const container = /^172\.(1[6-9]|2\d|3[01])\./.test(p.host) || name.indexOf('.') < 0;
    const modern = versionAtLeast(ev.nginx.version, '1.27.3');
    out.push({
      cause: 'upstream-address-changed',
      // The new address answering confirms the stale cache; otherwise the name may be broken too.
      confidence: tc.state === 'open' ? 0.92 : 0.8,
      title: `nginx still dials ${peerLabel(p)} for ${name}, which now resolves to ${now}${
        workerAge !== undefined ? ` (workers resolved it ${agoLabel(workerAge)})` : ''
      }`,
      evidence: [
        ...summarize(ev, group),
        `${name} resolves now to ${now}; nginx dials ${peerLabel(p)}`,
        ...tc.lines,
        ...(pass ? [describePass(pass)] : []),
      ],
      remediation: [
        `Re-resolve now: nginx -t && nginx -s reload${container ? ' (Docker: docker exec <nginx container> nginx -s reload)' : ''}`,
        modern
          ? `Make it permanent: upstream { zone ${name}_zone 64k; server ${name}:${p.port} resolve; } with a resolver in scope (nginx >= 1.27.3)`
          : `Make it permanent: resolver ${container ? '127.0.0.11' : '<your DNS>'} valid=30s ipv6=off; then set $up ${p.scheme}://${name}:${p.port}; ${pass?.directive ?? 'proxy_pass'} $up;${pass ? ` in ${pass.file}:${pass.line}` : ''}`,
        ...(container
          ? ['Containers: target the service name on a shared user network, and make the app bind 0.0.0.0.']
          : []),
      ],
      // Catalog C19: reload = SAFE after nginx -t when the resolved IP differs; config change = GUARDED.
      actions: [
        reloadNginx(),
        action('add-resolver', 'guarded', `Resolve ${name} at run time (resolver + variable or resolve)`),
      ],
    });
  }
  return out;
}
