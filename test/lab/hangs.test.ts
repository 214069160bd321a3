/**
 * Real hangs on a real lab host: one stuck check costs only itself. A resolver that drops every
 * query, a health URL whose listener accepts and never answers, and an error log that cannot be read
 * (a FIFO with no writer: open(2) blocks exactly as on a stalled file system, and is killable the
 * same way; a hung NFS or FUSE mount is not set up here). Each time the host's report must arrive
 * within its budget, with the stuck check marked and every other check done, and the right verdict.
 * Lab id 41, its own lab for this file.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { deadAddress } from '../../lab/config.js';
import { sleep } from '../../lab/exec.js';
import type { Lab } from '../../lab/fleet.js';
import { startLab } from '../../lab/fleet.js';
import { labUnavailableReason } from '../../lab/preflight.js';
import { reconfigureNginx } from '../../lab/scenarios/host-actions.js';
import { driveTraffic, restoreHost } from '../../lab/scenarios.js';
import { runCli } from '../../src/cli/run-cli.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { resolveTarget } from '../../src/inventory/resolve-target.js';
import { diagnoseTarget } from '../../src/pipeline/diagnose-target.js';
import { sshConnector } from '../../src/pipeline/ssh-connector.js';
import { PROBE_BATCHES } from '../../src/probes/probe-set.js';
import type { HostReport, TargetReport } from '../../src/report/types.js';

const LAB_ID = 41;
const HOST = 'web-1';
/** The host's budget: its batch's own limit (which no stuck probe may reach now) and a margin for SSH. */
const BATCH_MS = PROBE_BATCHES[0]?.timeoutMs ?? 10_000;
const BUDGET_MS = BATCH_MS + 2_000;
const NAME = 'api.internal.test';

const skipReason = labUnavailableReason();
if (skipReason !== undefined) console.warn(`[test/lab/hangs] skipping the hang tests: ${skipReason}`);

/** Every check of the report ran to an answer, except `stuck`, which says why it could not. */
function expectOnlyStuck(host: HostReport, stuck: string | undefined, dump: string): void {
  const ids = host.checks.map((c) => c.id);
  for (const p of PROBE_BATCHES.flatMap((b) => b.probes)) expect(ids, dump).toContain(p.id);
  for (const c of host.checks) {
    expect(c.summary, dump).not.toMatch(/not run|timed out after 10000 ms|could not be stopped/);
    if (c.id === stuck) continue;
    expect(c.status === 'error' && /could not check/.test(c.summary) ? c.summary : 'checked', dump).toBe(
      'checked',
    );
  }
}

describe.skipIf(skipReason !== undefined)('a stuck check costs only itself (real hangs, real SSH)', () => {
  let lab: Lab | undefined;
  let dir = '';
  let inventoryText = '';

  beforeAll(async () => {
    lab = await startLab({ id: LAB_ID, hosts: 2, replace: true });
    dir = await mkdtemp(join(tmpdir(), 'd502-hangs-'));
    inventoryText = await readFile(lab.inventoryPath, 'utf8');
  }, 300_000);

  afterAll(async () => {
    await lab?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 300_000);

  /** The lab's inventory with `change` applied to web-1's entry, written to a file of its own. */
  async function inventoryWith(
    name: string,
    change: (host: Record<string, unknown>) => void,
  ): Promise<string> {
    const doc = parse(inventoryText) as { hosts: Record<string, Record<string, unknown>> };
    const host = doc.hosts[HOST];
    if (!host) throw new Error(`no ${HOST} in the lab inventory`);
    change(host);
    const file = join(dir, `${name}.yml`);
    await writeFile(file, stringify(doc));
    return file;
  }

  async function diagnose(inventoryPath: string): Promise<{ report: TargetReport; host: HostReport }> {
    const inventory = await loadInventory({ flagPath: inventoryPath, cwd: process.cwd() });
    const hosts = resolveTarget(inventory, HOST);
    const report = await diagnoseTarget(HOST, hosts, sshConnector(hosts), { sinceS: 120 });
    const host = report.hosts[0];
    if (!host) throw new Error(`no report for ${HOST}`);
    // For the run's log: how long the host took, and what the slow checks said.
    const slow = host.checks
      .filter((c) => c.durationMs >= 1_000)
      .map((c) => `${c.id} ${c.durationMs} ms: ${c.summary}`);
    console.log(
      `[test/lab/hangs] ${HOST} ${host.verdict} in ${host.durationMs} ms (budget ${BUDGET_MS}); ${slow.join('; ')}`,
    );
    return { report, host };
  }

  // First: the scenarios after it leave 502s in the access log, which would be a (guessed) cause here.
  it('an error log that cannot be read: "could not check", the rest done, inconclusive, exit 3', async () => {
    if (!lab) throw new Error('the lab did not start');
    await restoreHost(lab, HOST);
    const fifo = '/var/log/nginx/stalled-error.log';
    await lab.exec(HOST, `rm -f ${fifo} && mkfifo ${fifo}`);
    try {
      const inventory = await inventoryWith('stalled-log', (h) => {
        h.nginx = { ...(h.nginx as Record<string, unknown>), errorLog: fifo };
      });
      const { host } = await diagnose(inventory);
      const dump = JSON.stringify(host, null, 2);
      expect(host.durationMs, dump).toBeLessThan(BUDGET_MS);
      expectOnlyStuck(host, 'error-log', dump);
      expect(
        host.checks.find((c) => c.id === 'error-log'),
        dump,
      ).toMatchObject({
        status: 'error',
        summary: 'could not check: timed out after 3 s',
      });
      expect(host.verdict, dump).toBe('inconclusive');
      expect(host.notChecked, dump).toEqual([
        { check: 'error-log', reason: 'timed out after 3 s', byHand: `tail -n 100 ${fifo}` },
      ]);
      expect(
        host.findings.map((f) => f.cause),
        dump,
      ).not.toContain('no-502-evidence');
      // Nothing of the probe outlives it on the host.
      const left = await lab.exec(HOST, `pgrep -af "tail -c .* ${fifo}"`, { allowFail: true });
      expect(left.stdout.trim(), dump).toBe('');

      // The whole command line: the JSON verdict and exit code 3.
      const out: string[] = [];
      const sink = (into: string[]) =>
        new Writable({
          write(chunk, _enc, cb) {
            into.push(String(chunk));
            cb();
          },
        });
      const code = await runCli([HOST, '--inventory', inventory, '--json', '--since', '2m'], {
        env: {},
        stdout: sink(out),
        stderr: sink([]),
        version: 'test',
      });
      const doc = JSON.parse(out.join('')) as TargetReport;
      expect(doc.verdict).toBe('inconclusive');
      expect(code).toBe(3);
    } finally {
      await lab.exec(HOST, `rm -f ${fifo}`, { allowFail: true });
    }
  }, 120_000);
  it('a health URL that accepts and never answers: its check times out alone, everything else is done', async () => {
    if (!lab) throw new Error('the lab did not start');
    await restoreHost(lab, HOST);
    // A listener that accepts every connection and never writes a byte, inside web-1.
    const { stdout } = await lab.exec(
      HOST,
      `setsid ${process.execPath} -e "require('net').createServer((s) => s.resume()).listen(9099, '127.0.0.1')" </dev/null >/dev/null 2>&1 & echo $!`,
    );
    const pid = Number(stdout.trim());
    try {
      await sleep(1_000);
      const inventory = await inventoryWith('silent-health', (h) => {
        const services = (h.services as Record<string, unknown>[] | undefined) ?? [];
        services.push({ name: 'silent', kind: 'other', health: 'http://127.0.0.1:9099/healthz' });
        h.services = services;
      });
      const { host } = await diagnose(inventory);
      const dump = JSON.stringify(host, null, 2);
      expect(host.durationMs, dump).toBeLessThan(BUDGET_MS);
      expectOnlyStuck(host, undefined, dump);
      const health = host.checks.find((c) => c.id === 'app-health');
      expect(health?.summary, dump).toContain('silent (timed out)');
      expect(host.verdict, dump).not.toBe('inconclusive');
    } finally {
      if (pid > 0) await lab.exec(HOST, `kill ${pid}`, { allowFail: true });
    }
  }, 120_000);

  it('a resolver that drops every query: dns-failure with what nginx logged, within budget', async () => {
    if (!lab) throw new Error('the lab did not start');
    await restoreHost(lab, HOST);
    const resolvConf = await lab.readFile(HOST, '/etc/resolv.conf');
    try {
      const dead = deadAddress(lab.cfg);
      // The host's own resolver and nginx's `resolver` both point at an address that never answers.
      // The address is on the host's link: left alone, its failed ARP soon makes every send fail at
      // once (EHOSTUNREACH), which is no silence. A neighbour entry with a MAC nobody has blackholes it.
      await lab.exec(HOST, `ip neigh replace ${dead} lladdr 02:00:5e:00:de:ad dev eth0 nud permanent`);
      await lab.writeFile(HOST, '/etc/resolv.conf', `nameserver ${dead}\n`);
      await reconfigureNginx(lab, HOST, {
        remote: { kind: 'resolver', resolver: dead, name: NAME, port: 8080 },
      });
      const drive = await driveTraffic(lab, HOST, { path: '/remote/', count: 1, timeoutMs: 10_000 });
      expect(drive.statuses).toEqual([502]);
      await sleep(500);
      const logged = (await lab.readFile(HOST, '/var/log/nginx/error.log'))
        .split('\n')
        .filter((l) => l.includes(`${NAME} could not be resolved (110: Operation timed out)`));
      expect(logged.length).toBeGreaterThan(0);

      const { host } = await diagnose(lab.inventoryPath);
      const dump = JSON.stringify(host, null, 2);
      expect(host.durationMs, dump).toBeLessThan(BUDGET_MS);
      expectOnlyStuck(host, undefined, dump);
      const upstreams = host.checks.find((c) => c.id === 'upstreams');
      expect(upstreams?.summary, dump).toContain(`${NAME}: the resolver (${dead}) did not answer within 2s`);
      expect(host.verdict, dump).toBe('cause-found');
      const first = host.findings[0];
      expect(first?.cause, dump).toBe('dns-failure');
      expect(first?.title, dump).toContain(`the resolver ${dead} does not answer`);
      expect(
        first?.evidence.some((e) => logged.some((l) => e.includes(l.trim()))),
        dump,
      ).toBe(true);
      expect(first?.evidence, dump).toContain(`${NAME}: the resolver (${dead}) did not answer within 2s`);
    } finally {
      await lab.exec(HOST, `ip neigh del ${deadAddress(lab.cfg)} dev eth0`, { allowFail: true });
      await lab.writeFile(HOST, '/etc/resolv.conf', resolvConf);
      await restoreHost(lab, HOST);
    }
  }, 120_000);
});
