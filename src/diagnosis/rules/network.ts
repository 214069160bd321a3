import type { ErrorLogEntry } from '../../parse/types.js';
import type { Evidence, TargetCheck } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action } from './actions.js';
import { addressChanged } from './address-changed.js';
import { describePass, modulePrefix, passesFor } from './config.js';
import { groupByPeer, summarize, withSignature } from './log-signals.js';
import { findTarget, isLoopback, type Peer, parsePeer, peerLabel } from './peers.js';
import { poolSignals } from './worker-pool.js';

/**
 * Catalog C07 vs C14. Connect timeouts (DROP), 113/101 (REJECT icmp, no route) and 111 behind a
 * tcp-reset REJECT to a REMOTE peer are network-blocked when the probe from the nginx host also
 * fails or a blocking rule names the port. A peer that accepts now, a loopback peer, or kernel SYN
 * flooding lines point at the upstream not accepting (C14) instead; pool saturation (C08) wins over both.
 */
export function networkRule(ev: Evidence): Finding[] {
  const list = withSignature(ev, 'unreachable', 'timeout_connect', 'connect_refused', 'timeout_send');
  const out: Finding[] = [];
  for (const [raw, group] of groupByPeer(list)) {
    const p = parsePeer(raw);
    if (p?.kind !== 'tcp' || addressChanged(ev, p)) continue;
    const tc = findTarget(ev, p);
    const rules = (ev.security?.blockingRules ?? []).filter(
      (r) => r.includes(String(p.port)) || r.includes(p.host),
    );
    const refused = group.filter((e) => e.signature === 'connect_refused');
    // 111 belongs to connect-refused unless a REJECT rule on a remote path explains it.
    const relevant =
      rules.length > 0 && !isLoopback(p.host) ? group : group.filter((e) => !refused.includes(e));
    if (relevant.length === 0) continue;
    const f = classify(ev, p, tc, rules, relevant);
    if (f) out.push(f);
  }
  return out;
}

function classify(
  ev: Evidence,
  p: Peer & { kind: 'tcp' },
  tc: TargetCheck | undefined,
  rules: string[],
  list: ErrorLogEntry[],
): Finding | undefined {
  const label = peerLabel(p);
  const pass = passesFor(ev, p)[0];
  const prefix = modulePrefix(pass, p.scheme);
  const evidence = [...summarize(ev, list), ...(tc ? [tc.detail, ...tc.lines] : []), ...rules.slice(0, 5)];
  const syn = (ev.kernel?.other ?? []).filter((l) => /SYN flooding/i.test(l) && l.includes(String(p.port)));
  const onlySend = list.every((e) => e.signature === 'timeout_send');
  const pathFails = tc?.state === 'timeout' || tc?.state === 'unreachable';
  const remote = !isLoopback(p.host);
  if (poolSignals(ev, p).length > 0) return undefined;
  if (remote && !onlySend && !syn.length && (rules.length > 0 || pathFails || tc === undefined)) {
    const confidence = rules.length > 0 ? 0.92 : pathFails ? 0.85 : 0.6;
    return {
      cause: 'network-blocked',
      confidence,
      title: `The network path from nginx to ${label} is blocked (${rules.length > 0 ? 'a firewall rule drops/rejects it' : tc ? `probe: ${tc.state}` : describeSig(list)})`,
      evidence,
      remediation: [
        `From the nginx host: timeout 5 bash -c '</dev/tcp/${p.host}/${p.port}'; echo $? (124 = DROP); ip route get ${p.host}`,
        `On both hosts: iptables -S; nft list ruleset; firewall-cmd --list-all; ufw status verbose; on ${p.host}: ss -ltnp 'sport = :${p.port}' (bound to 0.0.0.0, not 127.0.0.1?)`,
        `Open ${p.port}/tcp from the nginx host (firewall rule, security group, NetworkPolicy) or fix the route.`,
        `Fail over faster meanwhile: ${prefix}_connect_timeout 5s;${pass ? ` in ${pass.file}:${pass.line}` : ''} (default 60s holds clients a minute)`,
      ],
      // Catalog C07: firewall/SG changes = HUMAN; lowering the connect timeout = GUARDED.
      actions: [
        action('open-firewall', 'human', `Allow nginx -> ${label} through the firewall/security group`),
        action('lower-connect-timeout', 'guarded', `Set ${prefix}_connect_timeout 5s`),
      ],
    };
  }
  const confidence =
    syn.length > 0 ? 0.85 : tc?.state === 'timeout' ? 0.75 : tc?.state === 'open' ? 0.5 : 0.55;
  return {
    cause: 'upstream-not-accepting',
    confidence,
    title: `${label} ${onlySend ? 'stops reading requests' : 'does not accept connections in time'}${
      tc?.state === 'open'
        ? ' (it accepts the probe now)'
        : syn.length > 0
          ? ' (kernel: SYN flooding, accept backlog full)'
          : ''
    }`,
    evidence: [...evidence, ...syn.slice(-3), ...(pass ? [describePass(pass)] : [])],
    remediation: [
      `On the upstream host: ss -ltn 'sport = :${p.port}' (Recv-Q at Send-Q = accept queue full); nstat -az TcpExtListenOverflows TcpExtListenDrops; uptime`,
      'Raise the listen backlog (net.core.somaxconn and the app server backlog), add workers if CPU allows, or find what blocks the process.',
      `Fail over faster: ${prefix}_connect_timeout 5s plus a second server in the upstream group.`,
    ],
    // Catalog C14: connect timeout = GUARDED, capacity = HUMAN.
    actions: [
      action('lower-connect-timeout', 'guarded', `Set ${prefix}_connect_timeout 5s`),
      action('add-capacity', 'human', `Raise backlog/capacity of ${label}`),
    ],
  };
}

function describeSig(list: ErrorLogEntry[]): string {
  const e = list.at(-1);
  return e?.errno !== undefined ? `errno ${e.errno}: ${e.errtext ?? ''}` : (e?.message ?? 'timeouts');
}
