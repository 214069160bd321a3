/**
 * Fills an inventory's raw hosts with what the person's ssh config says of them, as `ssh` itself
 * would resolve them (ssh/ssh-config.ts asks the installed client): the address becomes the
 * config's HostName, and the user, port, key, known_hosts file, connect timeout and ProxyJump the
 * inventory leaves unset come from the config. What the inventory sets explicitly wins, like
 * `ssh -l`/`-p` on a command line. Jump hosts the config names that are not inventory hosts join the
 * inventory under their config name, so they can be reached (and named in errors).
 *
 * Host keys stay strictly verified: `StrictHostKeyChecking no` or `accept-new` are not honoured,
 * with a note saying so.
 */
import { existsSync } from 'node:fs';
import type { ResolvedSshConfig, SshConfigSource } from '../ssh/ssh-config.js';
import { resolveSshHost, SSH_HOST_TOKEN, SshClientMissingError } from '../ssh/ssh-config.js';
import { InventoryError } from './errors.js';

type RawHost = { address?: unknown; ssh?: Record<string, unknown> | null; [key: string]: unknown };

export interface SshConfigFillResult {
  /** What the config asked for that is not honoured, one sentence each. */
  notes: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `[user@]host[:port]` of a ProxyJump hop. */
function parseHop(spec: string): { user?: string; host: string; port?: number } {
  const at = spec.lastIndexOf('@');
  const user = at > 0 ? spec.slice(0, at) : undefined;
  let rest = at >= 0 ? spec.slice(at + 1) : spec;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed) {
    rest = bracketed[1] ?? '';
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else {
    const m = /^([^:]+):(\d+)$/.exec(rest);
    if (m) {
      rest = m[1] ?? '';
      port = Number(m[2]);
    }
  }
  return { ...(user === undefined ? {} : { user }), host: rest, ...(port === undefined ? {} : { port }) };
}

/**
 * Resolves every host of `raw` (a diagnose502 inventory in its raw shape, changed in place) through
 * the ssh config. Without an ssh client, nothing is filled and the note says what is not honoured.
 */
export async function fillFromSshConfig(
  raw: unknown,
  source: SshConfigSource,
  filePath: string,
): Promise<SshConfigFillResult> {
  const notes: string[] = [];
  if (!isRecord(raw) || !isRecord(raw.hosts)) return { notes };
  const hosts = raw.hosts as Record<string, unknown>;
  const defaults = isRecord(raw.ssh) ? raw.ssh : {};
  const configName = source.file ?? '~/.ssh/config';
  const resolved = new Map<string, ResolvedSshConfig>();

  const fill = async (name: string, host: RawHost, explicitUser?: string, explicitPort?: number) => {
    if (typeof host.address !== 'string' || !SSH_HOST_TOKEN.test(host.address)) return;
    const own = isRecord(host.ssh) ? host.ssh : {};
    const pickOwn = (key: string) => (own[key] !== undefined ? own[key] : defaults[key]);
    const user = explicitUser ?? pickOwn('user');
    const port = explicitPort ?? pickOwn('port');
    let config: ResolvedSshConfig;
    try {
      config = await resolveSshHost(host.address, source, {
        user: typeof user === 'string' ? user : undefined,
        port: typeof port === 'number' ? port : undefined,
      });
    } catch (error) {
      if (error instanceof SshClientMissingError) throw error;
      throw new InventoryError(
        'inventory-invalid',
        `ssh -G could not resolve ${host.address} (hosts.${name} of ${filePath}) with the ssh config ${configName}: ` +
          `${(error as Error).message}. Fix: correct ${configName} (try: ssh -G ${source.file === undefined ? '' : `-F ${source.file} `}${host.address})`,
        { file: filePath, cause: error },
      );
    }
    resolved.set(name, config);
    const ssh: Record<string, unknown> = { ...own };
    const unset = (key: string) => own[key] === undefined && defaults[key] === undefined;
    host.address = config.hostname;
    if (unset('user') || explicitUser !== undefined) ssh.user = config.user;
    if (unset('port') || explicitPort !== undefined) ssh.port = config.port;
    if (unset('privateKeyPath')) {
      const key = config.identityFiles.find((path) => existsSync(path)) ?? config.identityFiles[0];
      if (key !== undefined) ssh.privateKeyPath = key;
    }
    if (unset('knownHostsPath')) {
      const file =
        config.userKnownHostsFiles.find((path) => existsSync(path)) ?? config.userKnownHostsFiles[0];
      if (file !== undefined) ssh.knownHostsPath = file;
    }
    if (unset('connectTimeoutMs') && config.connectTimeoutS !== undefined)
      ssh.connectTimeoutMs = Math.min(600_000, config.connectTimeoutS * 1000);
    if (config.strictHostKeyChecking === 'no' || config.strictHostKeyChecking === 'accept-new') {
      notes.push(
        `${name}: StrictHostKeyChecking ${config.strictHostKeyChecking} in ${configName} is not honoured: ` +
          'diagnose502 always verifies host keys against known_hosts and refuses unknown ones',
      );
    }
    if (config.certificateFiles.length > 0) {
      notes.push(
        `${name}: CertificateFile in ${configName} is not used directly: load the key and its certificate into ssh-agent (ssh-add ${config.identityFiles[0] ?? 'KEY'}) and the agent presents them`,
      );
    }
    if (config.hostKeyAlias !== undefined) {
      notes.push(
        `${name}: HostKeyAlias in ${configName} is not honoured: known_hosts is looked up by ${config.hostname}`,
      );
    }
    if (config.proxyCommand !== undefined && config.proxyJump.length === 0) {
      notes.push(
        `${name}: ProxyCommand in ${configName} is not honoured (use ProxyJump): connecting directly`,
      );
    }
    if (own.jumpHost === undefined && defaults.jumpHost === undefined && config.proxyJump.length > 0) {
      // ProxyJump a,b: ssh reaches a, through it b, through b the host.
      let previous: string | null = null;
      for (const spec of config.proxyJump) {
        const hop = parseHop(spec);
        if (!SSH_HOST_TOKEN.test(hop.host)) {
          throw new InventoryError(
            'inventory-invalid',
            `the ProxyJump "${spec}" of ${name} in ${configName} is not a host name. Fix: correct ProxyJump in ${configName}`,
            { file: filePath },
          );
        }
        const existing = Object.hasOwn(hosts, hop.host);
        if (!existing) {
          const added: RawHost = { address: hop.host, ssh: previous === null ? {} : { jumpHost: previous } };
          hosts[hop.host] = added;
          await fill(hop.host, added, hop.user, hop.port);
        }
        previous = hop.host;
      }
      ssh.jumpHost = previous;
    }
    host.ssh = ssh;
  };

  try {
    const names = Object.keys(hosts);
    // Several `ssh -G` at once: each is a short process (~5 ms); a fleet of 200 must not take seconds.
    for (let i = 0; i < names.length; i += 8) {
      await Promise.all(
        names.slice(i, i + 8).map((name) => {
          const host = hosts[name];
          return isRecord(host) && !resolved.has(name) ? fill(name, host as RawHost) : undefined;
        }),
      );
    }
  } catch (error) {
    if (!(error instanceof SshClientMissingError)) throw error;
    notes.push(
      `${error.message}, so ${configName} is not honoured (HostName, User, Port, ProxyJump, IdentityFile, ` +
        'UserKnownHostsFile, Match): only what the inventory itself says is used. Fix: apt-get install openssh-client',
    );
  }
  return { notes };
}
