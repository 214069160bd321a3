/**
 * Issue 15, items 8 and 9 on a real lab host (real sshd, nginx, app, sudo):
 * - least privilege: web-1 is diagnosed as a non-root `diag` user whose only root rights are the
 *   sudoers file `diagnose502 sudoers` prints (checked by visudo, installed in web-1 only); its logs
 *   are unreadable without sudo. The same lab fault gives the same cause as a diagnosis as root, and
 *   no check "could not check" because of permissions.
 * - probe framing: an app log line `__UNIT app active 0` neither hides the down app nor, the other
 *   way round, fakes a failed one.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { run, sleep } from '../../lab/exec.js';
import { restoreHost, runScenario } from '../../lab/scenarios.js';
import { labSkipReason, useLab } from '../../lab/with-lab.js';
import { runSudoers } from '../../src/cli/run-sudoers.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { resolveTarget } from '../../src/inventory/resolve-target.js';
import { diagnoseTarget } from '../../src/pipeline/diagnose-target.js';
import { sshConnector } from '../../src/pipeline/ssh-connector.js';
import type { HostReport } from '../../src/report/types.js';

const HOST = 'web-1';
const USER = 'diag';
const FILE = 'test/lab/least-privilege.test.ts';

function sudoMissing(): string | undefined {
  for (const tool of ['sudo', 'visudo', 'useradd']) {
    const found = ['/usr/bin', '/usr/sbin', '/bin', '/sbin'].some((d) => existsSync(`${d}/${tool}`));
    if (!found) return `${tool} is not installed (apt-get install sudo)`;
  }
  return undefined;
}

const skip = labSkipReason(FILE) ?? sudoMissing();
if (skip && !labSkipReason(FILE)) console.warn(`${FILE}: skipped: ${skip}`);

/** What a person reads of a report: the first cause and the checks that could not run. */
const summary = (h: HostReport | undefined) => ({
  verdict: h?.verdict,
  cause: h?.findings[0]?.cause,
  checks: h?.checks.length ?? 0,
  couldNot: (h?.checks ?? []).filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.summary}`),
});

const PERMISSION = /permission|password|sudo|not allowed|denied|unreadable|could not be read|EACCES/i;

describe.skipIf(skip !== undefined)('least privilege and probe framing on a lab host', () => {
  const fixture = useLab({ hosts: 2 });
  let asRootPath = '';
  let asDiagPath = '';
  const figures: string[] = [];

  beforeAll(async () => {
    const { lab } = fixture;
    // The user exists machine-wide (the hosts share /etc/passwd), with no password and no home;
    // `*` rather than `!`: sshd refuses key logins to a locked account when PAM is off.
    const known = await run('id', ['-u', USER], { allowFail: true });
    if (known.code !== 0) await run('useradd', ['-M', '-d', '/nonexistent', '-s', '/bin/sh', USER]);
    await run('usermod', ['-p', '*', '-s', '/bin/sh', USER]);
    asRootPath = lab.inventoryPath;
    const inv = parse(await readFile(asRootPath, 'utf8')) as {
      hosts: Record<string, { ssh?: Record<string, unknown> }>;
    };
    const web1 = inv.hosts[HOST];
    if (!web1) throw new Error(`no ${HOST} in ${asRootPath}`);
    web1.ssh = { ...(web1.ssh ?? {}), user: USER, sudo: true };
    asDiagPath = path.join(path.dirname(asRootPath), 'inventory-diag.yml');
    await writeFile(asDiagPath, stringify(inv));

    // The sudoers file as an operator makes it, checked by visudo, installed in web-1 only (its own
    // /etc/sudoers.d, bind-mounted in the host's mount namespace).
    const out: string[] = [];
    const io = {
      env: {},
      cwd: process.cwd(),
      version: 'test',
      stdout: {
        write: (s: string) => {
          out.push(s);
          return true;
        },
      },
      stderr: process.stderr,
    } as never;
    expect(await runSudoers([HOST, '--inventory', asDiagPath], io)).toBe(0);
    const text = out.join('');
    const dir = lab.path(HOST, '/run/d502-sudoers.d');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'diagnose502'), text, { mode: 0o440 });
    const check = await run('visudo', ['-cf', path.join(dir, 'diagnose502')], { allowFail: true });
    expect(check.stdout + check.stderr).toMatch(/parsed OK/);
    await lab.exec(HOST, 'mount --bind /run/d502-sudoers.d /etc/sudoers.d');
    // The key login for diag, and logs only root may read (as nginx writes them on RHEL).
    const key = await readFile(`${lab.privateKeyPath}.pub`, 'utf8');
    await lab.writeFile(HOST, `/etc/ssh/authorized_keys/${USER}`, key);
    await lab.exec(HOST, `chmod 0644 /etc/ssh/authorized_keys/${USER}`);
  }, 120_000);

  afterAll(() => {
    if (figures.length > 0) console.log(`[${FILE}] figures:\n${figures.join('\n')}`);
  });

  const lockLogs = () =>
    fixture.lab.exec(
      HOST,
      'chmod 0600 /var/log/nginx/error.log /var/log/nginx/access.log /var/log/app/app.log; chmod 0700 /var/log/nginx',
    );

  async function diagnose(inventoryPath: string, sinceS: number) {
    const inventory = await loadInventory({ flagPath: inventoryPath, cwd: process.cwd() });
    const hosts = resolveTarget(inventory, HOST);
    const report = await diagnoseTarget(HOST, hosts, sshConnector(hosts), { sinceS });
    return report.hosts[0];
  }

  it('diag logs in, cannot read the logs itself, and may run exactly the listed commands with sudo', async () => {
    const { lab } = fixture;
    await lockLogs();
    const as = (cmd: string) =>
      run(
        'ssh',
        [
          '-F',
          '/dev/null',
          '-o',
          'BatchMode=yes',
          '-o',
          'IdentitiesOnly=yes',
          '-i',
          lab.privateKeyPath,
          '-o',
          `UserKnownHostsFile=${lab.knownHostsPath}`,
          `${USER}@${lab.host(HOST).address}`,
          cmd,
        ],
        {
          allowFail: true,
          timeoutMs: 30_000,
        },
      );
    expect((await as('id -un')).stdout.trim()).toBe(USER);
    expect((await as('tail -c 10 -- /var/log/nginx/error.log')).code).not.toBe(0);
    expect((await as('sudo -n tail -c 4194304 -- /var/log/nginx/error.log >/dev/null')).code).toBe(0);
    const refused = await as('sudo -n tail -c 10 -- /etc/shadow');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/sudo/);
    expect((await as('sudo -n sh -c id')).code).not.toBe(0);
  });

  for (const scenario of ['app-down', 'socket-permission']) {
    it(`${scenario}: the same cause as root and as diag, and no check stopped by permissions`, async () => {
      const { lab } = fixture;
      await restoreHost(lab, HOST);
      await sleep(3_000);
      const t0 = Date.now();
      try {
        await runScenario(lab, HOST, scenario);
        await lockLogs();
        const sinceS = Math.ceil((Date.now() - t0) / 1000) + 2;
        const root = summary(await diagnose(asRootPath, sinceS));
        const diag = summary(await diagnose(asDiagPath, sinceS));
        figures.push(
          `${scenario}: as root: ${root.verdict} ${root.cause}, ${root.checks} checks, ${root.couldNot.length} could not; ` +
            `as diag (sudo per command): ${diag.verdict} ${diag.cause}, ${diag.checks} checks, ${diag.couldNot.length} could not ${JSON.stringify(diag.couldNot)}`,
        );
        expect(diag.cause, JSON.stringify({ root, diag })).toBe(root.cause);
        expect(diag.verdict).toBe(root.verdict);
        expect(diag.checks).toBe(root.checks);
        expect(diag.couldNot.filter((c) => PERMISSION.test(c))).toEqual([]);
        expect(diag.couldNot.length).toBeLessThanOrEqual(root.couldNot.length);
      } finally {
        await restoreHost(lab, HOST);
      }
    });
  }

  /** The first finding's actions, as the buttons a report would get. */
  const actions = (h: HostReport | undefined) =>
    (h?.findings[0]?.actions ?? []).map((a) => `${a.id}:${a.kind}`);

  it('an app log line `__UNIT app active 0` does not hide the down app (nor its restart button)', async () => {
    const { lab } = fixture;
    await restoreHost(lab, HOST);
    await sleep(3_000);
    const t0 = Date.now();
    try {
      await runScenario(lab, HOST, 'app-down');
      await lab.exec(HOST, "printf '%s\\n' '__UNIT app active 0' '__END' >> /var/log/app/app.log");
      const sinceS = Math.ceil((Date.now() - t0) / 1000) + 2;
      const host = await diagnose(asRootPath, sinceS);
      expect(host?.findings[0]?.cause, JSON.stringify(host?.findings[0])).toBe('upstream-down');
      expect(actions(host)).toContain('restart-service:app:safe');
    } finally {
      await restoreHost(lab, HOST);
    }
  });

  it('an app log line `__UNIT app inactive 0` neither fakes a down app nor changes the cause (no restart button for a running app)', async () => {
    const { lab } = fixture;
    await restoreHost(lab, HOST);
    await sleep(3_000);
    const t0 = Date.now();
    try {
      // The app crashed mid-request and is running again: nothing to restart.
      await runScenario(lab, HOST, 'app-crash-mid-request');
      await lab.service(HOST, 'start', 'app');
      await lab.exec(HOST, "printf '%s\\n' '__UNIT app inactive 0' >> /var/log/app/app.log");
      const sinceS = Math.ceil((Date.now() - t0) / 1000) + 2;
      const host = await diagnose(asRootPath, sinceS);
      expect(host?.findings[0]?.cause, JSON.stringify(host?.findings[0])).toBe('upstream-crash');
      expect(actions(host)).not.toContain('restart-service:app:safe');
    } finally {
      await restoreHost(lab, HOST);
    }
  });
});
