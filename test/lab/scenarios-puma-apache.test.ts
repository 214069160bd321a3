// Issue 18 item 6 for puma and Apache httpd as app servers behind nginx: each put on a real host
// (Debian's puma 5 and apache2 2.4 behind real nginx) into the states of a worker killed, timed out
// and overloaded, and diagnosed over real SSH; each state must come out as its own cause. One lab.
import { afterAll, describe, expect, it } from 'vitest';
import { sleep } from '../../lab/exec.js';
import { checkScenario, driveTraffic, findScenario, restoreHost, runScenario } from '../../lab/scenarios.js';
import type { LabFixture } from '../../lab/with-lab.js';
import { labSkipReason, useLab } from '../../lab/with-lab.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { resolveTarget } from '../../src/inventory/resolve-target.js';
import { diagnoseTarget } from '../../src/pipeline/diagnose-target.js';
import { sshConnector } from '../../src/pipeline/ssh-connector.js';
import { restoreCase, SCENARIO_HOST } from './scenario-cases.js';
import { SCENARIO_GROUPS } from './scenario-groups.js';

const TAG = '[test/lab/scenarios-puma-apache]';

/** One case per scenario: restore, break, drive, check what the host wrote, diagnose; the causes must differ. */
function diagnosedCases(
  fixture: LabFixture,
  names: readonly string[],
  table: string[],
  evidence: RegExp,
): void {
  const firsts = new Map<string, string>();
  for (const name of names) {
    const s = findScenario(name);
    it(`${name}: ${s.summary} -> ${s.expect.status} (${s.expectedCause})`, async () => {
      const lab = fixture.lab;
      const started = Date.now();
      await restoreHost(lab, SCENARIO_HOST);
      // The restore restarts every service: its lines fall before the window (as test/e2e does).
      await sleep(4_000);
      const t0 = Date.now();
      const run = await runScenario(lab, SCENARIO_HOST, name);
      expect(checkScenario(s, run), run.errorLog.join('\n')).toEqual([]);
      const inventory = await loadInventory({ flagPath: lab.inventoryPath, cwd: process.cwd() });
      const hosts = resolveTarget(inventory, SCENARIO_HOST);
      const sinceS = Math.ceil((Date.now() - t0) / 1000) + 2;
      const report = await diagnoseTarget(SCENARIO_HOST, hosts, sshConnector(hosts), { sinceS });
      const host = report.hosts[0];
      const dump = `${name}: ${JSON.stringify(host, null, 2)}`;
      const first = host?.findings[0];
      table.push(
        `${name} | ${s.expectedCause} | ${first ? `${first.cause} (${first.confidence})` : 'none'} | ${((Date.now() - started) / 1000).toFixed(1)}`,
      );
      console.log(
        `${TAG} ${name}: ${host?.findings.map((f) => `${f.cause} (${f.confidence}) ${f.title}\n    ${f.evidence.join('\n    ')}`).join('\n  ')}`,
      );
      expect(first?.cause, dump).toBe(s.expectedCause);
      firsts.set(name, first?.cause ?? '');
      expect(first?.evidence.join('\n'), dump).toMatch(evidence);
    }, 120_000);
  }
  it(`${names.join(', ')}: each its own cause`, () => {
    expect(firsts.size).toBe(names.length);
    expect(new Set(firsts.values()).size).toBe(names.length);
  });
}

describe.skipIf(labSkipReason('test/lab/scenarios-puma-apache.test.ts') !== undefined)(
  'lab scenarios: puma and Apache killed, timed out, overloaded, diagnosed',
  () => {
    const fixture = useLab({ hosts: 2 });
    /** scenario | expected | first finding (confidence) | seconds, printed at the end. */
    const table: string[] = [];
    afterAll(() => {
      if (table.length > 0)
        console.log(`${TAG} scenario | expected | first (confidence) | s\n${table.join('\n')}`);
    });

    it('a healthy host running puma and Apache too: no cause (their start lines and sockets are no finding)', async () => {
      const lab = fixture.lab;
      await restoreHost(lab, SCENARIO_HOST);
      for (const path of ['/rb/', '/ap/lab.cgi'])
        expect((await driveTraffic(lab, SCENARIO_HOST, { path, count: 2 })).statuses).toEqual([200, 200]);
      const inventory = await loadInventory({ flagPath: lab.inventoryPath, cwd: process.cwd() });
      const hosts = resolveTarget(inventory, SCENARIO_HOST);
      // The window holds the restore: the restarts of puma and Apache, their start lines.
      const report = await diagnoseTarget(SCENARIO_HOST, hosts, sshConnector(hosts), { sinceS: 60 });
      const host = report.hosts[0];
      expect(
        host?.findings.map((f) => f.cause),
        JSON.stringify(host, null, 2),
      ).toEqual(['no-502-evidence']);
    }, 60_000);

    diagnosedCases(fixture, SCENARIO_GROUPS.puma, table, /puma/);
    diagnosedCases(fixture, SCENARIO_GROUPS.apache, table, /127\.0\.0\.1:8030|apache|AH0/);
    restoreCase(fixture, 'puma-backlog-full');
  },
);
