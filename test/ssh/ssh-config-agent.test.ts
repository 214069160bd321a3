// Works where `ssh` works (issue 19), against real OpenSSH: keys that exist only in a running
// ssh-agent (passphrase-protected on disk), a host reached only through an ssh config alias and its
// ProxyJump, known_hosts taken from the config's UserKnownHostsFile, and StrictHostKeyChecking no
// not weakening host-key verification.
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateInventory } from '../../src/inventory/load-inventory.js';
import { readInventorySource } from '../../src/inventory/sources.js';
import { inventoryFromSshConfig } from '../../src/inventory/ssh-config-inventory.js';
import type { ResolvedHost } from '../../src/inventory/types.js';
import type { ConnectTarget, SshSession } from '../../src/ssh/connect.js';
import { connectHost } from '../../src/ssh/connect.js';
import { HostKeyError, type SshError } from '../../src/ssh/errors.js';
import { connectWithTransport } from '../../src/ssh/pick-transport.js';
import type { SshdFixture } from './sshd-harness.js';
import { publicKeyOf, sshdUnavailableReason, startSshd } from './sshd-harness.js';

const skipReason = sshdUnavailableReason() ?? (existsSync('/usr/bin/ssh-agent') ? undefined : 'no ssh-agent');
if (skipReason !== undefined) console.warn(`[test/ssh] skipping ssh config and agent tests: ${skipReason}`);

const PASSPHRASE = 'correct horse battery staple';
const limits = { timeoutMs: 10_000, maxBytes: 100_000 };

async function failure(promise: Promise<unknown>): Promise<SshError> {
  try {
    await promise;
  } catch (error) {
    return error as SshError;
  }
  throw new Error('expected a rejection');
}

/** A running `ssh-agent -D` on its own socket; ended by its pid. */
async function startAgent(dir: string): Promise<{ socket: string; stop: () => void }> {
  const socket = join(dir, `agent-${Math.random().toString(36).slice(2)}.sock`);
  const child: ChildProcess = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 20));
  if (!existsSync(socket)) throw new Error('ssh-agent did not start');
  return { socket, stop: () => child.kill('SIGTERM') };
}

/** `ssh-add` with the passphrase typed by an askpass program, as a person would at a prompt. */
function sshAdd(socket: string, key: string, dir: string): void {
  const askpass = join(dir, 'askpass.sh');
  writeFileSync(askpass, `#!/bin/sh\necho '${PASSPHRASE}'\n`, { mode: 0o700 });
  execFileSync('ssh-add', ['-q', key], {
    env: {
      PATH: process.env.PATH,
      SSH_AUTH_SOCK: socket,
      SSH_ASKPASS: askpass,
      SSH_ASKPASS_REQUIRE: 'force',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

describe.skipIf(skipReason !== undefined)('ssh config, ProxyJump and ssh-agent with real OpenSSH', () => {
  let jump: SshdFixture;
  let target: SshdFixture;
  let dir: string;
  let agent: { socket: string; stop: () => void };
  let emptyAgent: { socket: string; stop: () => void };
  let lockedKey: string;
  let config: string;
  const sessions: SshSession[] = [];

  beforeAll(async () => {
    jump = await startSshd();
    target = await startSshd();
    dir = mkdtempSync(join(tmpdir(), 'd502-sshcfg-'));
    lockedKey = join(dir, 'id_locked');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASSPHRASE, '-C', 'locked', '-f', lockedKey]);
    // The target accepts only the passphrase-protected key: nothing unencrypted on disk logs in.
    writeFileSync(join(target.dir, 'authorized_keys'), `${publicKeyOf(lockedKey)}\n`);
    writeFileSync(join(jump.dir, 'authorized_keys'), `${publicKeyOf(lockedKey)}\n`);
    agent = await startAgent(dir);
    sshAdd(agent.socket, lockedKey, dir);
    emptyAgent = await startAgent(dir);
    // known_hosts only where the ssh config says (UserKnownHostsFile), holding both hosts.
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(
      knownHosts,
      `[127.0.0.1]:${jump.port} ${publicKeyOf(jump.hostKey)}\n[127.0.0.1]:${target.port} ${publicKeyOf(target.hostKey)}\n`,
    );
    config = join(dir, 'ssh_config');
    writeFileSync(
      config,
      [
        'Host bastion',
        '  HostName 127.0.0.1',
        `  Port ${jump.port}`,
        'Host web-3',
        '  HostName 127.0.0.1',
        `  Port ${target.port}`,
        '  ProxyJump bastion',
        'Host careless',
        '  HostName 127.0.0.1',
        `  Port ${target.port}`,
        `  UserKnownHostsFile ${join(dir, 'empty_known_hosts')}`,
        '  StrictHostKeyChecking no',
        'Host *',
        '  User root',
        `  IdentityFile ${lockedKey}`,
        `  UserKnownHostsFile ${knownHosts}`,
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'empty_known_hosts'), '');
    chmodSync(config, 0o600);
  }, 30_000);

  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.close()));
    agent?.stop();
    emptyAgent?.stop();
    await jump?.stop();
    await target?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const open = async (host: ConnectTarget, agentSocket: string | null) => {
    const session = await connectHost(host, { agent: agentSocket });
    sessions.push(session);
    return session;
  };

  const direct = (): ConnectTarget => ({
    name: 'direct',
    address: '127.0.0.1',
    ssh: {
      user: 'root',
      port: target.port,
      privateKeyPath: lockedKey,
      knownHostsPath: target.knownHosts,
      connectTimeoutMs: 5000,
      sudo: false,
    },
  });

  it('logs in with a passphrase-protected key that only the running ssh-agent holds unlocked', async () => {
    const session = await open(direct(), agent.socket);
    const r = await session.run('echo agent-ok', limits);
    expect(r.stdout).toBe('agent-ok\n');
    expect(target.log()).toMatch(/Accepted publickey for root from 127\.0\.0\.1 .*ED25519/);
  });

  // ssh2 cannot present user certificates (mscdex/ssh2#551), from an agent or a file: such a host
  // needs the OpenSSH transport (ssh.transport: openssh); the ssh2 refusal says why.
  it('a user certificate only in the agent, on a host trusting only the CA: ssh2 says why, OpenSSH logs in', async () => {
    const caDir = mkdtempSync(join(tmpdir(), 'd502-ca-'));
    const ca = join(caDir, 'user_ca');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'user-ca', '-f', ca]);
    const certKey = join(caDir, 'id_cert');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASSPHRASE, '-C', 'cert', '-f', certKey]);
    execFileSync('ssh-keygen', [
      '-q',
      '-s',
      ca,
      '-I',
      'oncall',
      '-n',
      'root',
      '-V',
      '-5m:+1h',
      `${certKey}.pub`,
    ]);
    const caOnly = await startSshd({ extraConfig: [`TrustedUserCAKeys ${ca}.pub`] });
    try {
      writeFileSync(join(caOnly.dir, 'authorized_keys'), '');
      const certAgent = await startAgent(caDir);
      try {
        sshAdd(certAgent.socket, certKey, dir); // adds the key and id_cert-cert.pub beside it
        const listed = execFileSync('ssh-add', ['-l'], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, SSH_AUTH_SOCK: certAgent.socket },
        });
        expect(listed).toContain('(ED25519-CERT)');
        const host: ConnectTarget = {
          ...direct(),
          ssh: {
            ...direct().ssh,
            port: caOnly.port,
            knownHostsPath: caOnly.knownHosts,
            privateKeyPath: certKey,
          },
        };
        const error = await failure(open(host, certAgent.socket));
        expect(error.code).toBe('host-unreachable');
        expect(error.message).toContain(
          'The agent holds a certificate (ssh-ed25519-cert-v01@openssh.com), which the SSH library used here cannot present (mscdex/ssh2#551)',
        );
        // The OpenSSH transport presents it: the same host, `transport: openssh`.
        const viaOpenSsh = await connectWithTransport(
          { ...host, ssh: { ...host.ssh, transport: 'openssh' } },
          { agent: certAgent.socket },
        );
        sessions.push(viaOpenSsh);
        expect((await viaOpenSsh.run('echo cert-ok', limits)).stdout).toBe('cert-ok\n');
        expect(caOnly.log()).toMatch(/Accepted publickey for root .*ED25519-CERT.*ID oncall/);
        await viaOpenSsh.close();
      } finally {
        certAgent.stop();
      }
    } finally {
      await caOnly.stop();
      rmSync(caDir, { recursive: true, force: true });
    }
  });

  it('without an agent, says the key is passphrase-protected and to ssh-add it', async () => {
    const error = await failure(open(direct(), null));
    expect(error.code).toBe('ssh-config');
    expect(error.message).toContain(`the private key ${lockedKey} for direct is passphrase-protected`);
    expect(error.message).toContain(`ssh-add ${lockedKey}`);
  });

  it('with an agent that lacks the key, the refused login says to ssh-add it', async () => {
    const error = await failure(open(direct(), emptyAgent.socket));
    expect(error.code).toBe('host-unreachable');
    expect(error.message).toMatch(/login as root with the keys of ssh-agent .* was refused/);
    expect(error.message).toContain('ssh-add it');
  });

  it('reaches a host known only by an ssh config alias, through the ProxyJump of that config', async () => {
    const inventory = await inventoryFromSshConfig(
      'web-3',
      { source: { file: config }, name: config },
      '/nowhere/inventory.yml',
    );
    const host = inventory.hosts.get('web-3') as ResolvedHost;
    expect(host.address).toBe('127.0.0.1');
    expect(host.ssh).toMatchObject({ user: 'root', port: target.port, privateKeyPath: lockedKey });
    expect(host.ssh.knownHostsPath).toBe(join(dir, 'known_hosts'));
    expect(host.jump?.name).toBe('bastion');
    expect(host.jump?.ssh.port).toBe(jump.port);
    const jumpLogins = (jump.log().match(/Accepted publickey/g) ?? []).length;
    const session = await open(host, agent.socket);
    expect((await session.run('echo via-jump', limits)).stdout).toBe('via-jump\n');
    // The jump sshd saw one more login (the hop), and the target was reached through it.
    expect((jump.log().match(/Accepted publickey/g) ?? []).length).toBe(jumpLogins + 1);
    await session.close();
  });

  it("fails naming the jump host when the ProxyJump host is down: the route is the config's", async () => {
    const inventory = await inventoryFromSshConfig(
      'web-3',
      { source: { file: config }, name: config },
      '/nowhere/inventory.yml',
    );
    const host = inventory.hosts.get('web-3') as ResolvedHost;
    const bastion = host.jump as ResolvedHost;
    const error = await failure(
      open({ ...host, jump: { ...bastion, ssh: { ...bastion.ssh, port: 1 } } }, agent.socket),
    );
    expect(error.message).toContain('bastion (127.0.0.1:1)');
  });

  it('refuses a name the ssh config does not name, instead of dialling it', async () => {
    await expect(
      inventoryFromSshConfig('web-33', { source: { file: config }, name: config }, '/nowhere/inventory.yml'),
    ).rejects.toThrow(/does not name it.*Fix: add "Host web-33"/);
  });

  it('keeps host keys strict under StrictHostKeyChecking no, and says it is not honoured', async () => {
    const inventory = await inventoryFromSshConfig(
      'careless',
      { source: { file: config }, name: config },
      '/nowhere/inventory.yml',
    );
    expect(inventory.notes?.join('\n')).toContain('StrictHostKeyChecking no');
    const host = inventory.hosts.get('careless') as ResolvedHost;
    const error = await failure(open(host, agent.socket));
    expect(error).toBeInstanceOf(HostKeyError);
    expect(error.message).toContain('refused before login, nothing was run');
  });

  it('an Ansible INI inventory naming the alias resolves through the same ssh config', async () => {
    const ini = '[web]\nweb-3\n\n[edge:children]\nweb\n';
    const path = join(dir, 'hosts.ini');
    const source = await readInventorySource(ini, path, { sshConfig: { file: config } });
    const inventory = validateInventory(source, path);
    const host = inventory.hosts.get('web-3') as ResolvedHost;
    expect(host.jump?.name).toBe('bastion');
    expect(inventory.groups.get('edge')).toEqual(['web-3']);
    const session = await open(host, agent.socket);
    expect((await session.run('echo ansible-ok', limits)).stdout).toBe('ansible-ok\n');
  });
});
