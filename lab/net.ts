/**
 * The lab network: one Linux bridge in the root namespace (so the CLI and tests reach every host
 * directly) and one network namespace per host, joined to the bridge by a veth pair.
 */
import type { LabConfig } from './config.js';
import { netnsName, vethName } from './config.js';
import { run } from './exec.js';
import type { HostSpec } from './topology.js';

const ip = (args: string[]) => run('ip', args, { timeoutMs: 20_000 });

export async function linkExists(name: string): Promise<boolean> {
  return (await run('ip', ['link', 'show', 'dev', name], { allowFail: true })).code === 0;
}

export async function createBridge(cfg: LabConfig): Promise<void> {
  if (!(await linkExists(cfg.bridge))) {
    await ip(['link', 'add', cfg.bridge, 'type', 'bridge', 'stp_state', '0']);
  }
  await ip(['addr', 'replace', `${cfg.bridgeAddress}/24`, 'dev', cfg.bridge]);
  await ip(['link', 'set', cfg.bridge, 'up']);
}

export async function createHostNetwork(cfg: LabConfig, host: HostSpec): Promise<void> {
  const ns = netnsName(cfg, host.name);
  const veth = vethName(cfg, host.lastOctet);
  await ip(['netns', 'add', ns]);
  // The host's end is called eth0 like on a real machine; only the root end needs a lab-unique name.
  await ip(['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
  await ip(['link', 'set', veth, 'master', cfg.bridge, 'up']);
  await ip(['-n', ns, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0']);
  await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  await ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
  // IPv6 link-local chatter and DAD add nothing to a 502 lab; IPv4 only keeps `ss` output readable.
  await run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1'], {
    allowFail: true,
  });
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
    .filter((name) => name === cfg.bridge || name.startsWith(cfg.vethPrefix));
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
