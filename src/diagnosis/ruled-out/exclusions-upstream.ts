import { isIP } from 'node:net';
import type { UpstreamTarget } from '../../parse/types.js';
import { describeTarget, type TargetCheck } from '../../probes/target-state.js';
import type { Evidence } from '../evidence.js';
import { withSignature } from '../rules/log-signals.js';
import { type Exclusion, fewNames } from './exclusion.js';

/**
 * The targets of one kind as the upstream probe checked them, or undefined when some target of the
 * config was not checked (a variable target, one not sent, one whose check said nothing): a claim
 * about "the upstreams" must cover all of them.
 */
function checked(ev: Evidence, kind: 'tcp' | 'unix'): TargetCheck[] | undefined {
  const config = ev.nginx.config?.targets;
  if (!config || config.some((t) => t.kind === 'variable')) return undefined;
  const wanted = config.filter((t) => t.kind === kind).map(describeTarget);
  const got = ev.targets.filter((t) => t.target.kind === kind && t.state !== 'unknown');
  const names = new Set(got.map((t) => describeTarget(t.target)));
  if (wanted.length === 0 || wanted.some((w) => !names.has(w))) return undefined;
  return got;
}

const names = (list: readonly TargetCheck[]) =>
  fewNames([...new Set(list.map((t) => describeTarget(t.target)))]);
const paths = (list: readonly TargetCheck[]) =>
  fewNames([...new Set(list.map((t) => (t.target as Extract<UpstreamTarget, { kind: 'unix' }>).path))]);
const plural = (list: readonly unknown[], one: string, many: string) => (list.length === 1 ? one : many);

/** C01, C03-C05, C07, C18: what nginx dials, checked from the nginx host. */
export const UPSTREAM_EXCLUSIONS: readonly Exclusion[] = [
  {
    cause: 'upstream-down',
    probes: ['nginx-config', 'upstreams'],
    check: (ev) => {
      const tcp = checked(ev, 'tcp');
      if (!tcp || tcp.some((t) => t.state !== 'open')) return undefined;
      return `${plural(tcp, 'upstream', 'upstreams')} ${names(tcp)}: accepting connections`;
    },
  },
  {
    cause: 'socket-missing',
    probes: ['nginx-config', 'upstreams'],
    check: (ev) => {
      const unix = checked(ev, 'unix');
      if (!unix || unix.some((t) => t.socket === undefined)) return undefined;
      return `${plural(unix, 'socket', 'sockets')} ${paths(unix)}: ${plural(unix, 'exists', 'exist')}`;
    },
  },
  {
    cause: 'socket-stale',
    probes: ['nginx-config', 'upstreams'],
    check: (ev) => {
      const unix = checked(ev, 'unix');
      if (!unix || unix.some((t) => t.socket?.listening !== true)) return undefined;
      return `${plural(unix, 'socket', 'sockets')} ${paths(unix)}: listening`;
    },
  },
  {
    cause: 'socket-permission',
    probes: ['nginx-config', 'upstreams'],
    check: (ev) => {
      const unix = checked(ev, 'unix');
      if (!unix || unix.some((t) => t.socket?.workerMayConnect !== true)) return undefined;
      const who = ev.nginx.workerUser ?? 'the nginx worker user';
      const first = unix[0]?.socket;
      const modes = unix.length === 1 && first ? ` (${first.owner}:${first.group} mode ${first.mode})` : '';
      return `${plural(unix, 'socket', 'sockets')} ${paths(unix)}: ${who} may connect${modes}`;
    },
  },
  {
    cause: 'dns-failure',
    probes: ['error-log', 'nginx-config', 'upstreams'],
    check: (ev) => {
      const tcp = checked(ev, 'tcp');
      if (!tcp) return undefined;
      const dns = withSignature(ev, 'dns_runtime', 'dns_no_resolver', 'dns_config_load', 'dns_module');
      if (dns.length > 0) return undefined;
      const named = tcp.filter(
        (t) => t.target.kind === 'tcp' && isIP(t.target.host.replace(/^\[|\]$/g, '')) === 0,
      );
      if (named.length === 0) return 'DNS: upstreams are addresses, no name to resolve';
      if (
        named.some((t) => t.state === 'unresolved' || (t.resolved !== undefined && t.resolved.length === 0))
      )
        return undefined;
      const hosts = [...new Set(named.map((t) => (t.target.kind === 'tcp' ? t.target.host : '')))];
      const to =
        named.length === 1 && named[0]?.resolved?.length ? ` (${fewNames(named[0].resolved, 2)})` : '';
      return `DNS: ${fewNames(hosts)} ${plural(hosts, 'resolves', 'resolve')}${to}, no resolver error in the error log`;
    },
  },
  {
    cause: 'network-blocked',
    probes: ['security', 'nginx-config', 'upstreams'],
    check: (ev) => {
      const sec = ev.security;
      // A ruleset that could not be listed (no root, no sudo) is not an empty one.
      if (!sec?.firewallTool || sec.firewallError !== undefined || sec.blockingRules.length > 0)
        return undefined;
      if (ev.targets.some((t) => t.state === 'timeout' || t.state === 'unreachable')) return undefined;
      // Routing to a target nobody checked (a variable one) is unknown.
      const remote = (ev.nginx.config?.targets ?? []).some((t) => t.kind !== 'unix');
      if (remote && !checked(ev, 'tcp')) return undefined;
      if (sec.firewallTool === 'none') return 'firewall: neither nft nor iptables on the host';
      return `firewall: 0 drop/reject rules (${sec.firewallTool})`;
    },
  },
  {
    cause: 'mac-denied',
    probes: ['security'],
    check: (ev) => {
      const sec = ev.security;
      // An enforcing SELinux logs to the audit log, which an unprivileged read may not see: no claim.
      if (!sec || sec.denials.length > 0 || sec.selinux === 'enforcing') return undefined;
      const selinux = `SELinux ${sec.selinux ?? 'absent'}`;
      if (sec.apparmor === 'enabled') {
        // AppArmor's denials are kernel-log lines: without the kernel log, nothing is known.
        if (ev.unavailable['kernel-log'] !== undefined || !ev.kernel) return undefined;
        return `AppArmor: no denial naming nginx in the kernel log (${selinux})`;
      }
      return `SELinux/AppArmor: not enforcing (${selinux}, AppArmor ${sec.apparmor ?? 'absent'})`;
    },
  },
];
