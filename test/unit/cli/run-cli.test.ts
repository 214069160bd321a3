import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { diagnoseAndReport, exitCodeFor, runCli } from '../../../src/cli/run-cli.js';
import type { Connect } from '../../../src/pipeline/diagnose-host.js';
import type { TargetReport } from '../../../src/report/types.js';
import { shRunner } from '../probes/local-runner.js';

function capture(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { text: () => string };
  w.text = () => chunks.join('');
  return w;
}

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) {
  const stdout = capture();
  const stderr = capture();
  const code = await runCli(argv, { env, stdout, stderr, version: '9.9.9', cwd: cwd ?? tmpdir() });
  return { code, out: stdout.text(), err: stderr.text() };
}

const INVENTORY = `ssh:
  user: diag
  privateKeyPath: ./id_ed25519
  knownHostsPath: ./known_hosts
hosts:
  web-1: { address: 10.0.0.11 }
  web-3: { address: 10.0.0.13 }
groups:
  web: [web-1, web-3]
`;

describe('diagnose502 command line', () => {
  it('prints help and the version with exit 0', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: diagnose502 <host|group>');
    expect((await cli(['--version'])).out).toBe('9.9.9\n');
  });

  it('exits 2 with the usage when no target is named', async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('name a host or a group');
  });

  it('exits 2 and says where it looked when there is no inventory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'd502-cli-'));
    const r = await cli(['web-3'], {}, dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain(join(dir, 'inventory.yml'));
  });

  it('with no inventory, refuses a name the ssh config does not name, and a missing --ssh-config', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'd502-cli-'));
    await writeFile(join(dir, 'ssh_config'), 'Host web-3\n  HostName 10.0.0.13\nHost *\n  User diag\n');
    const r = await cli(['web-33', '--ssh-config', 'ssh_config'], {}, dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${join(dir, 'ssh_config')} does not name it`);
    expect(r.err).toContain('Fix: add "Host web-33"');
    const missing = await cli(['web-3'], { DIAGNOSE502_SSH_CONFIG: join(dir, 'nope') }, dir);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('(from DIAGNOSE502_SSH_CONFIG) does not exist');
  });

  it('refuses a host that is not in the inventory and suggests close names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'd502-cli-'));
    await writeFile(join(dir, 'inventory.yml'), INVENTORY);
    const r = await cli(['web-2'], { DIAGNOSE502_INVENTORY: join(dir, 'inventory.yml') });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/web-2/);
    expect(r.err).toMatch(/web-1|web-3/);
    expect(r.out).toBe('');
  });

  it('refuses shell text as a target before looking it up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'd502-cli-'));
    await writeFile(join(dir, 'inventory.yml'), INVENTORY);
    const r = await cli(['web-1;reboot', '--inventory', join(dir, 'inventory.yml')]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
  });

  it('names the field of an invalid inventory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'd502-cli-'));
    await writeFile(join(dir, 'inventory.yml'), INVENTORY.replace('10.0.0.13', '"not an address!"'));
    const r = await cli(['web-3', '--inventory', join(dir, 'inventory.yml')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('hosts.web-3.address');
  });
});

describe('diagnoseAndReport: the one path of the CLI and the demo', () => {
  it('returns the report with its exit code, and runCli answers the same way (one path)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'd502-cli-'));
    const inventory = join(dir, 'inventory.yml');
    const missing = join(dir, 'no-such-error.log');
    await writeFile(
      inventory,
      INVENTORY.replace(
        'web-3: { address: 10.0.0.13 }',
        `web-3: { address: 10.0.0.13, nginx: { errorLog: ${missing} } }`,
      ),
    );
    // The probes run for real with this machine's sh, as sshd would run them, on a PATH with sh
    // alone: nothing leaves the machine. What the rules conclude depends on the machine; the
    // contract is that the code is the report's, whichever front end asks.
    await mkdir(join(dir, 'bin'));
    await symlink('/bin/sh', join(dir, 'bin', 'sh'));
    const connect: Connect = async () => ({ ...shRunner(join(dir, 'bin')), close: () => {} });
    const stdout = capture();
    const stderr = capture();
    const { code, report } = await diagnoseAndReport(
      { target: 'web-3', inventory, sinceS: 45, live: true },
      { env: {}, stdout, stderr, version: 'test', connect },
    );
    if (!report) throw new Error('no report');
    expect(code).toBe(exitCodeFor(report));
    expect(report.hosts[0]?.notChecked.map((n) => n.check)).toContain('error-log');
    expect(stdout.text()).toMatch(/^diagnose502 web-3: .* \(window 45s\)$/m);
    // Live lines on request (the demo), on stderr, as the checks finish.
    expect(stderr.text()).toMatch(/^ {2}\? web-3 error-log +error log missing/m);

    const out = capture();
    const err = capture();
    const cliCode = await runCli(['web-3', '--inventory', inventory, '--since', '45s', '--json'], {
      env: {},
      stdout: out,
      stderr: err,
      version: 'test',
      connect,
    });
    const doc = JSON.parse(out.text()) as TargetReport;
    expect(doc.sinceS).toBe(45);
    expect(cliCode).toBe(exitCodeFor(doc));
    expect(err.text()).toBe('');
  });

  it('answers 2 without a report for an inventory error', async () => {
    const stderr = capture();
    const r = await diagnoseAndReport(
      { target: 'web-3', inventory: join(tmpdir(), 'd502-no-such-inventory.yml'), sinceS: 60 },
      { env: {}, stdout: capture(), stderr, version: 'test' },
    );
    expect(r).toEqual({ code: 2 });
    expect(stderr.text()).toContain('does not exist');
  });
});
