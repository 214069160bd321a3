// Issue 18 item 6 for puma: a worker killed mid-request, a worker puma kills at worker_timeout, a
// request slower than proxy_read_timeout and a full socket backlog, each put on a real host (Debian's
// puma 5 behind real nginx) and diagnosed over real SSH: the four must come out as four causes.
import { afterAll, describe, expect, it } from 'vitest';
import { sleep } from '../../lab/exec.js';
import { checkScenario, findScenario, restoreHost, runScenario } from '../../lab/scenarios.js';
import { labSkipReason, useLab } from '../../lab/with-lab.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { resolveTarget } from '../../src/inventory/resolve-target.js';
import { diagnoseTarget } from '../../src/pipeline/diagnose-target.js';
import { sshConnector } from '../../src/pipeline/ssh-connector.js';
import { restoreCase, SCENARIO_HOST } from './scenario-cases.js';
import { SCENARIO_GROUPS } from './scenario-groups.js';

describe.skipIf(labSkipReason('test/lab/scenarios-puma.test.ts') !== undefined)(
  'lab scenarios: puma (killed, timed out, slow, overloaded), diagnosed',
  () => {
    const fixture = useLab({ hosts: 2 });
    /** scenario | expected | first finding (confidence) | seconds, printed at the end. */
    const table: string[] = [];
    const firsts = new Map<string, string>();

    afterAll(() => {
      if (table.length > 0)
        console.log(
          `[test/lab/scenarios-puma] scenario | expected | first (confidence) | s\n${table.join('\n')}`,
        );
    });

    for (const name of SCENARIO_GROUPS.puma) {
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
          `[test/lab/scenarios-puma] ${name}: ${host?.findings.map((f) => `${f.cause} (${f.confidence}) ${f.title}\n    ${f.evidence.join('\n    ')}`).join('\n  ')}`,
        );
        expect(first?.cause, dump).toBe(s.expectedCause);
        firsts.set(name, first?.cause ?? '');
        expect(first?.evidence.join('\n'), dump).toMatch(/puma\.sock|puma|Worker/);
      }, 120_000);
    }

    it('the four states are four causes', () => {
      expect(new Set(firsts.values()).size).toBe(SCENARIO_GROUPS.puma.length);
    });

    restoreCase(fixture, 'puma-backlog-full');
  },
);
