import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server, Socket } from 'node:net';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EffectiveSsh } from '../../src/inventory/types.js';
import type { ConnectTarget, SshSession } from '../../src/ssh/connect.js';
import { connectHost } from '../../src/ssh/connect.js';
import { HostKeyError, HostUnreachableError, type SshError } from '../../src/ssh/errors.js';
import type { SshdFixture } from './sshd-harness.js';
import {
  fingerprintOf,
  freePort,
  keygen,
  publicKeyOf,
  sshdUnavailableReason,
  startSshd,
} from './sshd-harness.js';

const skipReason = sshdUnavailableReason();
if (skipReason !== undefined) console.warn(`[test/ssh] skipping real-SSH tests: ${skipReason}`);

/** Whether a process is alive (sshd runs on this machine, so remote pids are local pids). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** sshd refuses `signal` requests for root logins (privilege separation is off for root). */
const ROOT_SIGNAL_REFUSAL = 'session signalling requires privilege separation';

async function settle(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe.skipIf(skipReason !== undefined)('SSH against a real sshd', () => {
  let sshd: SshdFixture;
  const sessions: SshSession[] = [];
  /** Remote processes that outlived their channel (root logins); ended by pid in afterAll. */
  const strayPids: number[] = [];

  const target = (overrides: Partial<EffectiveSsh> = {}): ConnectTarget => ({
    name: 'lab',
    address: '127.0.0.1',
    ssh: {
      user: 'root',
      port: sshd.port,
      privateKeyPath: sshd.clientKey,
      knownHostsPath: sshd.knownHosts,
      connectTimeoutMs: 5000,
      sudo: false,
      ...overrides,
    },
  });
  const open = async (host: ConnectTarget = target(), maxChannels?: number) => {
    const session = await connectHost(host, maxChannels === undefined ? {} : { maxChannels });
    sessions.push(session);
    return session;
  };
  const limits = { timeoutMs: 10_000, maxBytes: 1_000_000 };

  beforeAll(async () => {
    sshd = await startSshd();
  });

  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.close()));
    for (const pid of strayPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await sshd?.stop();
  });

  it('runs a command and returns stdout, stderr and the exit code', async () => {
    const session = await open();
    const result = await session.run('echo out; echo err >&2; exit 3', limits);
    expect(result).toMatchObject({
      stdout: 'out\n',
      stderr: 'err\n',
      code: 3,
      timedOut: false,
      truncated: false,
    });
    expect(result.aborted).toBe(false);
  });

  it('decodes output as UTF-8 with replacement characters', async () => {
    const session = await open();
    const result = await session.run("printf 'caf\\303\\251 \\377!'", limits);
    expect(result.stdout).toBe('café \uFFFD!');
  });

  it('runs 12 commands in parallel on one connection through the limiter (MaxSessions 10)', async () => {
    const session = await open();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => session.run(`sleep 0.3; echo run-${i}`, limits)),
    );
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 12 }, (_, i) => `run-${i}`));
    expect(results.every((r) => r.code === 0)).toBe(true);
  });

  it('without the limiter, sshd refuses channels beyond MaxSessions (why the limiter exists)', async () => {
    const session = await open(target(), 12);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, () => session.run('sleep 1; echo ok', limits)),
    );
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const o of refused) expect((o.reason as SshError).code).toBe('channel-failed');
  });

  /**
   * The remote process gets SIGTERM (then SIGKILL). OpenSSH refuses `signal` requests for root
   * logins, which these tests use, and logs the refusal: that proves the request was sent, and the
   * process then outlives the channel (as with `ssh host sleep 30` and Ctrl-C).
   */
  const expectSignalled = async (pid: number, logFrom: number) => {
    if (sshd.log().slice(logFrom).includes(ROOT_SIGNAL_REFUSAL)) {
      strayPids.push(pid);
      return;
    }
    await settle(300);
    expect(processAlive(pid)).toBe(false);
  };

  it('stops `sleep 30` at timeoutMs 500, reports timedOut and signals the process', async () => {
    const session = await open();
    const logFrom = sshd.log().length;
    const result = await session.run('echo $$; exec sleep 30', { ...limits, timeoutMs: 500 });
    expect(result).toMatchObject({ timedOut: true, aborted: false, truncated: false, code: null });
    expect(result.durationMs).toBeLessThan(3000);
    const pid = Number(result.stdout.trim());
    expect(pid).toBeGreaterThan(1);
    await expectSignalled(pid, logFrom);
    // The session is still usable: the slot of the stopped channel was given back.
    const again = await Promise.all(Array.from({ length: 8 }, () => session.run('echo again', limits)));
    expect(again.every((r) => r.stdout === 'again\n')).toBe(true);
  });

  it('closes the channel on timeout: the command cannot write or go on afterwards', async () => {
    const session = await open();
    const marker = join(sshd.dir, 'marker-after-timeout');
    // Once sshd closed the channel, `echo late` hits a closed pipe and SIGPIPE ends the shell.
    const result = await session.run(`sleep 2; echo late; touch ${marker}`, { ...limits, timeoutMs: 300 });
    expect(result.timedOut).toBe(true);
    await settle(2500);
    expect(existsSync(marker)).toBe(false);
    // Control: given the time, the same command does create its marker.
    const control = join(sshd.dir, 'marker-control');
    await session.run(`sleep 2; echo late; touch ${control}`, { ...limits, timeoutMs: 5000 });
    expect(existsSync(control)).toBe(true);
  });

  it('caps output at maxBytes and reports truncated', async () => {
    const session = await open();
    const result = await session.run('yes | head -c 10000000', { ...limits, maxBytes: 100_000 });
    expect(result.truncated).toBe(true);
    expect(result.timedOut).toBe(false);
    const bytes = Buffer.byteLength(result.stdout);
    expect(bytes).toBeLessThanOrEqual(100_000);
    expect(bytes).toBeGreaterThan(0);
    expect(result.durationMs).toBeLessThan(5000);
  });

  it('aborts a running command through its AbortSignal', async () => {
    const session = await open();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const logFrom = sshd.log().length;
    const result = await session.run('echo $$; exec sleep 30', { ...limits, signal: controller.signal });
    expect(result).toMatchObject({ aborted: true, timedOut: false, code: null });
    expect(result.durationMs).toBeLessThan(3000);
    await expectSignalled(Number(result.stdout.trim()), logFrom);
  });

  it('returns at once for an already aborted signal', async () => {
    const session = await open();
    const result = await session.run('echo never', { ...limits, signal: AbortSignal.abort() });
    expect(result).toMatchObject({ aborted: true, stdout: '' });
  });

  it('passes stdin to the command', async () => {
    const session = await open();
    const text = await session.run('cat', { ...limits, stdin: 'hello\nworld\n' });
    expect(text.stdout).toBe('hello\nworld\n');
    const big = await session.run('wc -c', { ...limits, stdin: Buffer.alloc(1 << 20, 0x61) });
    expect(big.stdout.trim()).toBe(String(1 << 20));
  });

  it('gives EOF on stdin when there is none, so reading commands finish', async () => {
    const session = await open();
    const result = await session.run('cat; echo done', { ...limits, timeoutMs: 3000 });
    expect(result).toMatchObject({ stdout: 'done\n', timedOut: false, code: 0 });
  });

  it('prefixes privileged commands with sudo -n on sudo hosts', async () => {
    const session = await open(target({ sudo: true }));
    const plain = await session.run('echo plain', limits);
    expect(plain).toMatchObject({ stdout: 'plain\n', code: 0 });
    // Whether or not sudo is installed here, the command line must start with it: either sudo ran
    // `id -u` as root, or the shell could not find sudo (exit 127).
    const privileged = await session.run('id -u', { ...limits, privileged: true });
    const sudoInstalled = (await session.run('command -v sudo', limits)).code === 0;
    if (sudoInstalled) expect(privileged.stdout.trim() === '0' || /sudo/.test(privileged.stderr)).toBe(true);
    else expect(privileged).toMatchObject({ code: 127, stderr: expect.stringMatching(/sudo/) });
  });

  it('close() is idempotent, and run() after close throws session-closed', async () => {
    const session = await open();
    await Promise.all([session.close(), session.close()]);
    await session.close();
    expect(session.closed).toBe(true);
    const error = await failure(session.run('echo x', limits));
    expect((error as SshError).code).toBe('session-closed');
  });

  it('fails a command still running when the session closes (session-closed)', async () => {
    const session = await open();
    const running = session.run('sleep 3', limits);
    await settle(300);
    const started = Date.now();
    await session.close();
    const error = await failure(running);
    expect((error as SshError).code).toBe('session-closed');
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('closes the session when the connect signal aborts later', async () => {
    const controller = new AbortController();
    const session = await connectHost(target(), { signal: controller.signal });
    sessions.push(session);
    controller.abort();
    await settle(200);
    expect(session.closed).toBe(true);
  });

  it('refuses an unknown host key before login: HostKeyError, and nothing ran', async () => {
    const empty = join(sshd.dir, 'known_hosts.empty');
    writeFileSync(empty, '# nothing here\n');
    const marker = join(sshd.dir, 'marker-unknown');
    const logBefore = sshd.log().length;
    const error = await failure(
      connectHost(target({ knownHostsPath: empty })).then((s) => s.run(`touch ${marker}`, limits)),
    );
    expect(error).toBeInstanceOf(HostKeyError);
    const keyError = error as HostKeyError;
    expect(keyError.code).toBe('host-key-mismatch');
    expect(keyError.problem).toBe('unknown');
    expect(keyError.fingerprint).toBe(fingerprintOf(sshd.hostKey));
    expect(keyError.message).toContain(empty);
    expect(keyError.message).toContain(fingerprintOf(sshd.hostKey));
    await settle(200);
    expect(existsSync(marker)).toBe(false);
    // sshd never saw an authentication attempt on this connection.
    expect(sshd.log().slice(logBefore)).not.toMatch(/Accepted publickey|Failed publickey/);
  });

  it('treats a missing known_hosts file as unknown and names the file', async () => {
    const missing = join(sshd.dir, 'does-not-exist');
    const error = await failure(connectHost(target({ knownHostsPath: missing })));
    expect(error).toBeInstanceOf(HostKeyError);
    expect((error as HostKeyError).message).toContain(missing);
  });

  it('refuses a changed host key (known_hosts has another key for the host)', async () => {
    const other = keygen(join(sshd.dir, 'other_host_key'));
    const changed = join(sshd.dir, 'known_hosts.changed');
    writeFileSync(changed, `[127.0.0.1]:${sshd.port} ${publicKeyOf(other)}\n`);
    const marker = join(sshd.dir, 'marker-changed');
    const error = await failure(
      connectHost(target({ knownHostsPath: changed })).then((s) => s.run(`touch ${marker}`, limits)),
    );
    expect(error).toBeInstanceOf(HostKeyError);
    expect((error as HostKeyError).problem).toBe('mismatch');
    expect((error as HostKeyError).message).toMatch(/CHANGED/);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses a key marked @revoked even when it is also recorded', async () => {
    const revoked = join(sshd.dir, 'known_hosts.revoked');
    const line = `[127.0.0.1]:${sshd.port} ${publicKeyOf(sshd.hostKey)}`;
    writeFileSync(revoked, `${line}\n@revoked ${line}\n`);
    const error = await failure(connectHost(target({ knownHostsPath: revoked })));
    expect((error as HostKeyError).problem).toBe('revoked');
  });

  it('accepts a hashed known_hosts entry for [127.0.0.1]:PORT', async () => {
    const hashed = join(sshd.dir, 'known_hosts.hashed');
    writeFileSync(hashed, `[127.0.0.1]:${sshd.port} ${publicKeyOf(sshd.hostKey)}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', hashed], { stdio: 'ignore' });
    const content = readFileSync(hashed, 'utf8');
    expect(content).toMatch(/^\|1\|/);
    expect(content).not.toContain('127.0.0.1');
    const session = await open(target({ knownHostsPath: hashed }));
    expect((await session.run('echo hashed', limits)).stdout).toBe('hashed\n');
  });

  it('prefers P-256 key exchange, and takes curve25519 from a server that disables NIST curves', async () => {
    const negotiated = async (fixture: SshdFixture): Promise<unknown> => {
      const records: Record<string, unknown>[] = [];
      const logger = pino({ level: 'debug' }, { write: (line: string) => records.push(JSON.parse(line)) });
      const session = await connectHost(
        target({ port: fixture.port, knownHostsPath: fixture.knownHosts, privateKeyPath: fixture.clientKey }),
        { logger },
      );
      expect((await session.run('echo kex', limits)).stdout).toBe('kex\n');
      await session.close();
      return records.find((r) => r.msg === 'ssh connected')?.kex;
    };
    expect(await negotiated(sshd)).toBe('ecdh-sha2-nistp256');
    const hardened = await startSshd({ extraConfig: ['KexAlgorithms curve25519-sha256'] });
    try {
      expect(await negotiated(hardened)).toBe('curve25519-sha256');
    } finally {
      await hardened.stop();
    }
  });

  it('connects through a jump host (forwardOut to the target)', async () => {
    const jump: ConnectTarget = { ...target(), name: 'bastion' };
    const session = await open({ ...target(), name: 'behind', jump });
    expect((await session.run('echo via-jump', limits)).stdout).toBe('via-jump\n');
    await session.close();
    expect(session.closed).toBe(true);
  });

  it('reports a refused port quickly as HostUnreachableError (ECONNREFUSED)', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await failure(connectHost(target({ port })));
    expect(error).toBeInstanceOf(HostUnreachableError);
    expect((error as HostUnreachableError).reason).toBe('ECONNREFUSED');
    expect((error as HostUnreachableError).code).toBe('host-unreachable');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  describe('a server that accepts TCP but never speaks', () => {
    let silent: Server;
    const sockets: Socket[] = [];
    let port = 0;

    beforeAll(async () => {
      silent = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const address = silent.address();
      port = typeof address === 'object' && address !== null ? address.port : 0;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it('fails with HostUnreachableError after the connect timeout', async () => {
      const error = await failure(connectHost(target({ port, connectTimeoutMs: 800 })));
      expect(error).toBeInstanceOf(HostUnreachableError);
      expect((error as HostUnreachableError).reason).toBe('ETIMEDOUT');
    });

    it('aborts a connect in progress through the AbortSignal', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const started = Date.now();
      const error = await failure(
        connectHost(target({ port, connectTimeoutMs: 10_000 }), { signal: controller.signal }),
      );
      expect((error as SshError).code).toBe('ssh-aborted');
      expect(Date.now() - started).toBeLessThan(3000);
    });
  });

  it('reports a key the server does not accept as HostUnreachableError (auth-failed)', async () => {
    const wrong = keygen(join(sshd.dir, 'wrong_client_key'));
    const error = await failure(connectHost(target({ privateKeyPath: wrong })));
    expect(error).toBeInstanceOf(HostUnreachableError);
    expect((error as HostUnreachableError).reason).toBe('auth-failed');
    expect((error as HostUnreachableError).message).toContain('All configured authentication methods failed');
  });

  it('reports an unreadable private key as an ssh-config error', async () => {
    const error = await failure(connectHost(target({ privateKeyPath: join(sshd.dir, 'no-such-key') })));
    expect((error as SshError).code).toBe('ssh-config');
    expect((error as SshError).message).toContain('no-such-key');
  });
});
