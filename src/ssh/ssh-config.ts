/**
 * How OpenSSH resolves a host, asked of the installed client: `ssh -G [-F FILE] host` prints the
 * configuration `ssh host` would use (Host and Match blocks, Include, defaults) without connecting.
 * Asking the client, instead of parsing ssh_config by hand, gets every rule of ssh_config(5) right,
 * Match included. Run with an argument array (execFile, no shell), for a host that was first checked
 * to be a plain host token; `Match exec` lines of the person's own config run as they would for
 * `ssh host`.
 */
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { join } from 'node:path';

/** A host token: a name, DNS name or address, never an option (`-oProxyCommand=…`) or a pattern. */
export const SSH_HOST_TOKEN = /^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,252}|[0-9A-Fa-f:.]{2,45})$/;

export interface SshConfigSource {
  /** `-F FILE`; undefined: what plain `ssh` reads (~/.ssh/config, then /etc/ssh/ssh_config). */
  file?: string | undefined;
  /** The ssh client; `ssh` from PATH by default. */
  sshBinary?: string | undefined;
}

/** The options of `ssh -G` this tool honours, `~` and `%` tokens expanded. */
export interface ResolvedSshConfig {
  /** The name asked about. */
  host: string;
  hostname: string;
  user: string;
  port: number;
  /** `[user@]host[:port]` hops, first hop first; empty: direct. */
  proxyJump: string[];
  identityFiles: string[];
  certificateFiles: string[];
  userKnownHostsFiles: string[];
  /** `yes`, `no`, `ask`, `accept-new` as ssh prints them (`true`/`false` read as yes/no). */
  strictHostKeyChecking: string;
  connectTimeoutS?: number;
  hostKeyAlias?: string;
  proxyCommand?: string;
  /** Every option as printed, lower-case keys (repeated options joined with "\n"). */
  all: ReadonlyMap<string, string>;
}

export class SshClientMissingError extends Error {
  override readonly name = 'SshClientMissingError';
}

function run(binary: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      { timeout: 10_000, maxBuffer: 1_000_000, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
      (error, stdout, stderr) => {
        if (error === null) return resolve(stdout);
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          return reject(new SshClientMissingError(`the ssh client (${binary}) is not installed`));
        }
        const why = stderr.trim().split('\n').slice(-3).join(' ') || error.message;
        reject(new Error(why));
      },
    );
  });
}

/** Parses `ssh -G` output: `key value` lines. */
export function parseSshG(host: string, text: string, home: string, localUser: string): ResolvedSshConfig {
  const all = new Map<string, string>();
  const many = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(.*)$/.exec(line.trim());
    if (m === null) continue;
    const key = (m[1] ?? '').toLowerCase();
    const value = m[2] ?? '';
    many.set(key, [...(many.get(key) ?? []), value]);
    all.set(key, many.get(key)?.join('\n') ?? value);
  }
  const one = (key: string) => many.get(key)?.[0];
  const hostname = one('hostname') ?? host;
  const user = one('user') ?? localUser;
  const port = Number(one('port') ?? 22);
  const tokens = (value: string) =>
    value
      .replace(/^~(?=\/|$)/, home)
      .replace(/%([%dhnpru])/g, (_, t: string) =>
        t === '%'
          ? '%'
          : t === 'd'
            ? home
            : t === 'h'
              ? hostname
              : t === 'n'
                ? host
                : t === 'p'
                  ? String(port)
                  : t === 'r'
                    ? user
                    : localUser,
      );
  const paths = (key: string) =>
    (many.get(key) ?? []).flatMap((v) => v.split(/\s+/)).filter((v) => v !== '' && v !== 'none');
  const jump = one('proxyjump');
  const strict = one('stricthostkeychecking') ?? 'ask';
  const timeout = Number(one('connecttimeout'));
  const alias = one('hostkeyalias');
  const proxyCommand = one('proxycommand');
  return {
    host,
    hostname,
    user,
    port,
    proxyJump: jump === undefined || jump === 'none' ? [] : jump.split(','),
    identityFiles: paths('identityfile').map(tokens),
    certificateFiles: paths('certificatefile').map(tokens),
    userKnownHostsFiles: paths('userknownhostsfile').map(tokens),
    strictHostKeyChecking: strict === 'true' ? 'yes' : strict === 'false' ? 'no' : strict,
    ...(Number.isFinite(timeout) && timeout > 0 ? { connectTimeoutS: timeout } : {}),
    ...(alias === undefined || alias === 'none' ? {} : { hostKeyAlias: alias }),
    ...(proxyCommand === undefined || proxyCommand === 'none' ? {} : { proxyCommand }),
    all,
  };
}

export interface SshGOverrides {
  user?: string | undefined;
  port?: number | undefined;
}

/**
 * `ssh -G` for one host. Explicit values of the inventory go in as `-l`/`-p`, as Ansible passes
 * them, so `Match user` sees them and they win over the config. Throws `SshClientMissingError`
 * without an ssh client, and an Error naming the config file when ssh refuses it.
 */
export async function resolveSshHost(
  host: string,
  source: SshConfigSource,
  overrides: SshGOverrides = {},
): Promise<ResolvedSshConfig> {
  if (!SSH_HOST_TOKEN.test(host)) throw new Error(`"${host.slice(0, 60)}" is not a host name or address`);
  const args = ['-G'];
  if (source.file !== undefined) args.push('-F', source.file);
  if (overrides.user !== undefined) args.push('-l', overrides.user);
  if (overrides.port !== undefined) args.push('-p', String(overrides.port));
  args.push(host);
  const out = await run(source.sshBinary ?? 'ssh', args);
  const me = userInfo();
  // OpenSSH takes ~ from the passwd entry, not $HOME; userInfo() reads the same entry.
  return parseSshG(host, out, me.homedir, me.username);
}

/** The name `ssh -G` is asked about to learn what the config gives a host it does not name. */
const UNLISTED_HOST = 'diagnose502-unlisted-host.invalid';

/**
 * Whether the config says anything of its own about `host`: something `ssh -G` gives it differs
 * from what it gives a name no config names (so `Host *` defaults alone do not count).
 */
export async function configNamesHost(host: string, source: SshConfigSource): Promise<boolean> {
  const [mine, other] = await Promise.all([
    resolveSshHost(host, source),
    resolveSshHost(UNLISTED_HOST, source),
  ]);
  if (mine.hostname !== host) return true;
  for (const [key, value] of mine.all) {
    if (key === 'hostname') continue;
    const theirs = other.all.get(key)?.replaceAll(UNLISTED_HOST, host);
    if (theirs !== value) return true;
  }
  return false;
}

/** `~/.ssh/config` of the passwd entry, where plain `ssh` reads it. */
export function defaultSshConfigPath(): string {
  return join(userInfo().homedir, '.ssh', 'config');
}
