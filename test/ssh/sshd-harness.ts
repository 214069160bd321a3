/**
 * A real OpenSSH sshd on 127.0.0.1 for the SSH tests: temp host key, key-only auth, root login
 * with a temp authorized_keys. Needs root (sshd's privilege separation) and /usr/sbin/sshd.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

/** Why the real-SSH tests cannot run here, or undefined when they can. */
export function sshdUnavailableReason(): string | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return 'not running as root (sshd needs root for privilege separation)';
  }
  if (!existsSync(SSHD)) return `${SSHD} is not installed (apt-get install openssh-server)`;
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'ssh-keygen is not installed';
  }
  return undefined;
}

/** Generates an unencrypted key pair; returns the private key path (public key at `.pub`). */
export function keygen(path: string, type: 'ed25519' | 'ecdsa' | 'rsa' = 'ed25519'): string {
  const args = ['-q', '-t', type, '-N', '', '-C', `test-${type}`, '-f', path];
  if (type === 'rsa') args.splice(2, 0, '-b', '2048');
  execFileSync('ssh-keygen', args, { stdio: 'ignore' });
  return path;
}

/** `type base64` of a public key file (the comment dropped). */
export function publicKeyOf(privatePath: string): string {
  const [type = '', key = ''] = readFileSync(`${privatePath}.pub`, 'utf8').trim().split(/\s+/);
  return `${type} ${key}`;
}

/** `SHA256:…` as printed by `ssh-keygen -lf`. */
export function fingerprintOf(privatePath: string): string {
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${privatePath}.pub`], {
    encoding: 'utf8',
  });
  const match = /SHA256:[A-Za-z0-9+/]+/.exec(out);
  if (match === null) throw new Error(`unexpected ssh-keygen -l output: ${out}`);
  return match[0];
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface SshdFixture {
  dir: string;
  port: number;
  /** Pid of the listening sshd; each connection's sshd and commands are its descendants. */
  pid: number;
  hostKey: string;
  /** Private key accepted for root. */
  clientKey: string;
  /** known_hosts with the right `[127.0.0.1]:port` entry. */
  knownHosts: string;
  /** Everything sshd logged so far (-e sends the log to stderr). */
  log(): string;
  stop(): Promise<void>;
}

/** `extraConfig`: more sshd_config lines, e.g. a server's own `KexAlgorithms`. */
export async function startSshd(options: { extraConfig?: string[] } = {}): Promise<SshdFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'diagnose502-sshd-'));
  // Privilege separation directory; Debian creates it from the service unit, which is not used here.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = keygen(join(dir, 'ssh_host_ed25519_key'));
  const clientKey = keygen(join(dir, 'client_ed25519'));
  writeFileSync(join(dir, 'authorized_keys'), `${publicKeyOf(clientKey)}\n`, { mode: 0o600 });
  const port = await freePort();
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${publicKeyOf(hostKey)}\n`);
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      'PidFile none',
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      // The temp dir lives under world-writable /tmp, which StrictModes would refuse.
      'StrictModes no',
      'MaxSessions 10',
      'AllowTcpForwarding yes',
      // VERBOSE, not DEBUG: with -e, debug lines of the session child end up on the command's stderr.
      'LogLevel VERBOSE',
      ...(options.extraConfig ?? []),
      '',
    ].join('\n'),
  );

  let log = '';
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    log += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Kill it even if the test process dies without running afterAll.
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);

  const stop = async () => {
    process.removeListener('exit', onExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  while (!log.includes(`Server listening on 127.0.0.1 port ${port}`)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`sshd did not start (exit ${child.exitCode}):\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (child.pid === undefined) throw new Error('sshd has no pid');
  return { dir, port, pid: child.pid, hostKey, clientKey, knownHosts, log: () => log, stop };
}
