/**
 * The lab network: a router namespace that joins every host and the root namespace, routing between
 * them. Each host is a network namespace with `eth0` on the lab's /24; the router holds the other end
 * of each host's veth pair with a /32 route to the host, and answers ARP for every address it routes
 * (proxy ARP), so hosts and the root namespace reach each other as on one LAN. The root namespace (the
 * CLI, tests) reaches the router over one more veth pair, the uplink, that has the lab's .1 address.
 *
 * Not a Linux bridge: a bridge logs every port state change and promiscuous-mode switch to the
 * kernel ring buffer (about nine lines per host up and down), which every lab host's kernel-log probe
 * then reads, so the test suite's lab churn made diagnoses slower and slower; routed veths with IPv6
 * off log nothing. Only the namespaces' own sysctls change (forwarding, proxy ARP), not the machine's.
 */
import type { LabConfig } from './config.js';
import { netnsName, vethName } from './config.js';
import { run } from './exec.js';
import type { HostSpec } from './topology.js';

const ip = (args: string[]) => run('ip', args, { timeoutMs: 20_000 });
const sysctlIn = (ns: string, settings: string[]) =>
  run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', ...settings], { timeoutMs: 20_000 });
/** IPv6 link-local chatter and DAD add nothing to a 502 lab, and its address events are logged. */
const NO_IPV6 = ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'];

export async function linkExists(name: string): Promise<boolean> {
  return (await run('ip', ['link', 'show', 'dev', name], { allowFail: true })).code === 0;
}

async function netnsExists(ns: string): Promise<boolean> {
  return (await run('ip', ['netns', 'exec', ns, 'true'], { allowFail: true })).code === 0;
}

/** The router namespace and the uplink from the root namespace (idempotent). */
export async function createNetwork(cfg: LabConfig): Promise<void> {
  const router = cfg.routerNetns;
  if (!(await netnsExists(router))) {
    await ip(['netns', 'add', router]);
    await sysctlIn(router, [
      ...NO_IPV6,
      'net.ipv4.ip_forward=1',
      'net.ipv4.conf.all.proxy_arp=1',
      'net.ipv4.conf.default.proxy_arp=1',
    ]);
    await ip(['-n', router, 'link', 'set', 'lo', 'up']);
  }
  if (!(await linkExists(cfg.uplink))) {
    await ip(['link', 'add', cfg.uplink, 'type', 'veth', 'peer', 'name', 'up0', 'netns', router]);
    // Only this interface of the root namespace: no IPv6 address events for it.
    await run('sysctl', ['-qw', `net.ipv6.conf.${cfg.uplink}.disable_ipv6=1`], { allowFail: true });
  }
  await ip(['addr', 'replace', `${cfg.uplinkAddress}/24`, 'dev', cfg.uplink]);
  await ip(['link', 'set', cfg.uplink, 'up']);
  await ip(['-n', router, 'link', 'set', 'up0', 'up']);
  await ip(['-n', router, 'route', 'replace', `${cfg.uplinkAddress}/32`, 'dev', 'up0']);
}

export async function createHostNetwork(cfg: LabConfig, host: HostSpec): Promise<void> {
  const ns = netnsName(cfg, host.name);
  const veth = vethName(cfg, host.lastOctet);
  await ip(['netns', 'add', ns]);
  await sysctlIn(ns, NO_IPV6);
  // The host's end is called eth0 like on a real machine; the router's end has the lab-unique name.
  await ip(['-n', cfg.routerNetns, 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
  await ip(['-n', cfg.routerNetns, 'link', 'set', veth, 'up']);
  await ip(['-n', cfg.routerNetns, 'route', 'replace', `${host.address}/32`, 'dev', veth]);
  await ip(['-n', ns, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0']);
  await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  await ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
}

export async function listLabNetns(cfg: LabConfig): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list'], { allowFail: true });
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(cfg.netnsPrefix));
}

export async function listLabLinks(cfg: LabConfig): Promise<string[]> {
  const { stdout } = await run('ip', ['-o', 'link', 'show'], { allowFail: true });
  return stdout
    .split('\n')
    .map((line) => /^\d+: ([^:@]+)/.exec(line)?.[1] ?? '')
    .filter(
      // The bridge and root-side veths are what labs of earlier versions left in the root namespace.
      (name) => name === cfg.uplink || name === cfg.legacyBridge || name.startsWith(cfg.vethPrefix),
    );
}

/** Pids of every process whose network namespace is `ns` (ip netns pids reads /proc). */
export async function netnsPids(ns: string): Promise<number[]> {
  const { stdout } = await run('ip', ['netns', 'pids', ns], { allowFail: true });
  return stdout
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

export async function deleteNetns(ns: string): Promise<void> {
  await run('ip', ['netns', 'del', ns], { allowFail: true });
}

export async function deleteLink(name: string): Promise<void> {
  await run('ip', ['link', 'del', name], { allowFail: true });
}
