// The OpenSSH transport (issue 19 items 4-5) against a real sshd presenting a host certificate and
// trusting a user CA: known_hosts holding only a `@cert-authority` line is enough (chosen without a
// setting), another CA, a certificate not naming the host and `@revoked` are refused before login;
// a user certificate beside the key file logs in; commands share one multiplexed login.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectTarget, SshSession } from '../../src/ssh/connect.js';
import { HostKeyError, type SshError } from '../../src/ssh/errors.js';
import { connectWithTransport } from '../../src/ssh/pick-transport.js';
import type { SshdFixture } from './sshd-harness.js';
import { sshdUnavailableReason, startSshd } from './sshd-harness.js';

const skipReason = sshdUnavailableReason();
if (skipReason !== undefined) console.warn(`[test/ssh] skipping OpenSSH transport tests: ${skipReason}`);

const limits = { timeoutMs: 10_000, maxBytes: 100_000 };
const keygen = (...args: string[]) => execFileSync('ssh-keygen', ['-q', ...args], { stdio: 'ignore' });
const pub = (path: string) => readFileSync(`${path}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');

async function failure(promise: Promise<unknown>): Promise<SshError> {
  try {
    await promise;
  } catch (error) {
    return error as SshError;
  }
  throw new Error('expected a rejection');
}

describe.skipIf(skipReason !== undefined)('the OpenSSH transport: host and user certificates', () => {
  let sshd: SshdFixture;
  let dir: string;
  let hostKey: string;
  let userKey: string;
  const sessions: SshSession[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'd502-certs-'));
    const hostCa = join(dir, 'host_ca');
    const userCa = join(dir, 'user_ca');
    keygen('-t', 'ed25519', '-N', '', '-f', hostCa);
    keygen('-t', 'ed25519', '-N', '', '-f', join(dir, 'other_ca'));
    keygen('-t', 'ed25519', '-N', '', '-f', userCa);
    // An ECDSA host key with a certificate for 127.0.0.1 only, beside the harness's ed25519 key.
    hostKey = join(dir, 'ssh_host_ecdsa_key');
    keygen('-t', 'ecdsa', '-N', '', '-f', hostKey);
    keygen('-s', hostCa, '-I', 'lab-host', '-h', '-n', '127.0.0.1', '-V', '-5m:+1h', `${hostKey}.pub`);
    // A user key whose only credential is a certificate from the user CA, beside the key file.
    userKey = join(dir, 'id_user');
    keygen('-t', 'ed25519', '-N', '', '-f', userKey);
    keygen('-s', userCa, '-I', 'oncall', '-n', 'root', '-V', '-5m:+1h', `${userKey}.pub`);
    sshd = await startSshd({
      extraConfig: [
        `HostKey ${hostKey}`,
        `HostCertificate ${hostKey}-cert.pub`,
        `TrustedUserCAKeys ${userCa}.pub`,
      ],
    });
    writeFileSync(join(sshd.dir, 'authorized_keys'), '');
  }, 30_000);

  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.close()));
    await sshd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const target = (knownHosts: string, address = '127.0.0.1'): ConnectTarget => {
    const path = join(dir, `known_hosts_${Math.random().toString(36).slice(2)}`);
    writeFileSync(path, knownHosts);
    return {
      name: 'web-cert',
      address,
      ssh: {
        user: 'root',
        port: sshd.port,
        privateKeyPath: userKey,
        knownHostsPath: path,
        connectTimeoutMs: 5000,
        sudo: false,
      },
    };
  };
  const caLine = (ca: string, host = '127.0.0.1') =>
    `@cert-authority [${host}]:${sshd.port} ${pub(join(dir, ca))}\n`;
  const open = async (t: ConnectTarget) => {
    const session = await connectWithTransport(t, { agent: null });
    sessions.push(session);
    return session;
  };

  it('accepts the host certificate of the CA in known_hosts, and logs in with a user certificate file', async () => {
    const session = await open(target(caLine('host_ca')));
    const r = await session.run('echo cert-ok; id -un', limits);
    expect(r).toMatchObject({ stdout: 'cert-ok\nroot\n', code: 0, timedOut: false });
    expect(sshd.log()).toMatch(/Accepted publickey for root .*ED25519-CERT.*ID oncall/);
  });

  it('runs commands in parallel on one login (ControlMaster), with time limits', async () => {
    const before = (sshd.log().match(/Accepted publickey/g) ?? []).length;
    const session = await open(target(caLine('host_ca')));
    const results = await Promise.all([1, 2, 3].map((n) => session.run(`echo ${n}`, limits)));
    expect(results.map((r) => r.stdout)).toEqual(['1\n', '2\n', '3\n']);
    const slow = await session.run('sleep 5', { timeoutMs: 300, maxBytes: 1000 });
    expect(slow).toMatchObject({ timedOut: true, code: null });
    expect(slow.durationMs).toBeLessThan(3000);
    const capped = await session.run('head -c 100000 /dev/zero', { timeoutMs: 5000, maxBytes: 1000 });
    expect(capped.truncated).toBe(true);
    expect(capped.stdout.length).toBe(1000);
    expect((sshd.log().match(/Accepted publickey/g) ?? []).length).toBe(before + 1);
    await session.close();
    expect(session.closed).toBe(true);
  });

  it('refuses a host certificate of another CA before login', async () => {
    const error = await failure(open(target(caLine('other_ca'))));
    expect(error).toBeInstanceOf(HostKeyError);
    expect(error.message).toContain('nothing was run');
  });

  it('refuses a certificate that does not name the host as a principal', async () => {
    const error = await failure(open(target(caLine('host_ca', 'localhost'), 'localhost')));
    expect(error).toBeInstanceOf(HostKeyError);
  });

  it('@revoked wins over the CA', async () => {
    const error = await failure(open(target(`${caLine('host_ca')}@revoked * ${pub(hostKey)}\n`)));
    expect(error).toBeInstanceOf(HostKeyError);
    expect(error.message).toMatch(/revoked|not accepted/);
  });
});
