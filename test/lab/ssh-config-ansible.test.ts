// Works where `ssh` works (issue 19), on the lab's real hosts: `diagnose502 front --inventory
// hosts.ini --ssh-config FILE` (an Ansible INI inventory naming only an alias, whose address, user,
// key, known_hosts and ProxyJump come from the ssh config) gives the same report as diagnose502's own
// YAML inventory saying all of that explicitly; so does the Ansible YAML form, and so does the
// zero-inventory path (no inventory file at all), and the OpenSSH transport.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/fleet.js';
import { startLab } from '../../lab/fleet.js';
import { runScenario } from '../../lab/scenarios.js';
import { labSkipReason } from '../../lab/with-lab.js';
import { runCli } from '../../src/cli/run-cli.js';
import type { TargetReport } from '../../src/report/types.js';

const LAB_ID = 119;

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

async function diagnose(
  argv: string[],
  cwd: string,
): Promise<{ code: number; report: TargetReport; err: string }> {
  const stdout = capture();
  const stderr = capture();
  const code = await runCli([...argv, '--json', '--since', '5m'], {
    env: { PATH: process.env.PATH },
    stdout,
    stderr,
    version: 'test',
    cwd,
  });
  if (stdout.text() === '') throw new Error(`no report (exit ${code}): ${stderr.text()}`);
  return { code, report: JSON.parse(stdout.text()) as TargetReport, err: stderr.text() };
}

/** What a person compares between two reports: verdicts, causes and the checks' outcomes. */
function essence(report: TargetReport) {
  return {
    target: report.target,
    verdict: report.verdict,
    hosts: report.hosts.map((h) => ({
      host: h.host,
      address: h.address,
      verdict: h.verdict,
      findings: h.findings.map((f) => `${f.cause} ${f.confidence.toFixed(2)} ${f.title}`),
      checks: h.checks.map((c) => `${c.id}: ${c.status}`).sort(),
      notChecked: h.notChecked,
    })),
  };
}

describe.skipIf(labSkipReason('test/lab/ssh-config-ansible.test.ts') !== undefined)(
  'an Ansible inventory and the ssh config, against lab hosts',
  () => {
    let lab: Lab | undefined;
    const dir = mkdtempSync(join(tmpdir(), 'd502-ansible-lab-'));
    const cfg = join(dir, 'ssh_config');

    beforeAll(async () => {
      lab = await startLab({ id: LAB_ID, hosts: 2, replace: true });
      const web = lab.host('web-1');
      const app = lab.host('app-1');
      // `front` exists only as an alias of this config, reached through app-1 as ProxyJump.
      writeFileSync(
        cfg,
        [
          'Host front',
          `  HostName ${web.address}`,
          '  ProxyJump appbox',
          'Host appbox',
          `  HostName ${app.address}`,
          'Host *',
          '  User root',
          `  IdentityFile ${lab.privateKeyPath}`,
          `  UserKnownHostsFile ${lab.knownHostsPath}`,
          '',
        ].join('\n'),
      );
      writeFileSync(join(dir, 'hosts.ini'), '[web]\nfront\n\n[prod:children]\nweb\n');
      writeFileSync(
        join(dir, 'hosts.yml'),
        'all:\n  children:\n    prod:\n      children:\n        web:\n          hosts:\n            front:\n',
      );
      writeFileSync(
        join(dir, 'inventory.yml'),
        [
          'ssh:',
          '  user: root',
          `  privateKeyPath: ${lab.privateKeyPath}`,
          `  knownHostsPath: ${lab.knownHostsPath}`,
          'hosts:',
          '  front:',
          `    address: ${web.address}`,
          '    ssh: { jumpHost: appbox }',
          '  appbox:',
          `    address: ${app.address}`,
          'groups:',
          '  prod: [front]',
          '',
        ].join('\n'),
      );
      // A fault nginx reports in its error log, so the reports have a cause to agree on.
      await runScenario(lab, 'web-1', 'socket-permission');
    }, 300_000);

    afterAll(async () => {
      await lab?.stop();
      rmSync(dir, { recursive: true, force: true });
    }, 300_000);

    it('hosts.ini + the ssh config gives the same report as the YAML inventory, and names the cause', async () => {
      const yaml = await diagnose(
        ['front', '--inventory', join(dir, 'inventory.yml'), '--ssh-config', 'none'],
        dir,
      );
      const ini = await diagnose(['front', '--inventory', join(dir, 'hosts.ini'), '--ssh-config', cfg], dir);
      const ansibleYaml = await diagnose(
        ['prod', '--inventory', join(dir, 'hosts.yml'), '--ssh-config', cfg],
        dir,
      );
      const dump = JSON.stringify(essence(ini.report), null, 2);
      expect(ini.code, dump).toBe(1);
      expect(ini.report.hosts[0]?.findings[0]?.cause, dump).toBe('socket-permission');
      expect(essence(ini.report)).toEqual(essence(yaml.report));
      expect({ ...essence(ansibleYaml.report), target: 'front' }).toEqual(essence(yaml.report));
      expect(yaml.code).toBe(ini.code);
    }, 120_000);

    it('the OpenSSH transport (transport: openssh) runs the same probes and gives the same report', async () => {
      const base = join(dir, 'inventory.yml');
      const viaOpenSsh = join(dir, 'inventory-openssh.yml');
      writeFileSync(
        viaOpenSsh,
        readFileSync(base, 'utf8').replace('ssh:\n  user: root', 'ssh:\n  transport: openssh\n  user: root'),
      );
      const yaml = await diagnose(['front', '--inventory', base, '--ssh-config', 'none'], dir);
      const openssh = await diagnose(['front', '--inventory', viaOpenSsh, '--ssh-config', 'none'], dir);
      expect(essence(openssh.report)).toEqual(essence(yaml.report));
    }, 120_000);

    it('with no inventory file at all, `diagnose502 front` works because `ssh front` does', async () => {
      const empty = mkdtempSync(join(tmpdir(), 'd502-noinv-'));
      try {
        const yaml = await diagnose(
          ['front', '--inventory', join(dir, 'inventory.yml'), '--ssh-config', 'none'],
          dir,
        );
        const bare = await diagnose(['front', '--ssh-config', cfg], empty);
        expect(essence(bare.report)).toEqual(essence(yaml.report));
      } finally {
        rmSync(empty, { recursive: true, force: true });
      }
    }, 120_000);
  },
);
