// Scenarios of causes the evidence showed while the rules read it wrong (issue 9 section 3): the app
// up elsewhere, the upstream's own 502 in other log formats, restart windows, unrelated OOM kills.
// Each is also diagnosed the way a newcomer's first inventory describes a host: addresses and log
// paths only, no services, so the rules must read the host itself (ss, ps, the logs).
import { describe, expect, it } from 'vitest';
import { sleep } from '../../lab/exec.js';
import { findScenario, runScenario } from '../../lab/scenarios.js';
import { labSkipReason, useLab } from '../../lab/with-lab.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { resolveTarget } from '../../src/inventory/resolve-target.js';
import { diagnoseTarget } from '../../src/pipeline/diagnose-target.js';
import { sshConnector } from '../../src/pipeline/ssh-connector.js';
import { restoreCase, SCENARIO_HOST, scenarioCases } from './scenario-cases.js';
import { SCENARIO_GROUPS } from './scenario-groups.js';

describe.skipIf(labSkipReason('test/lab/scenarios-misread.test.ts') !== undefined)(
  'lab scenarios: causes read wrong before',
  () => {
    const fixture = useLab({ hosts: 2 });
    scenarioCases(fixture, SCENARIO_GROUPS.misread);
    restoreCase(fixture, 'wrong-address-localhost-ipv6');

    for (const name of SCENARIO_GROUPS.misread) {
      const s = findScenario(name);
      it(`${name}: an inventory without services still gets ${s.expectedCause} first`, async () => {
        // The last case's restore restarted every service: let its lines fall before the window.
        await sleep(3_000);
        const t0 = Date.now();
        await runScenario(fixture.lab, SCENARIO_HOST, name);
        // Only this scenario's lines: the kernel log is the machine's, earlier cases ran here.
        const sinceS = Math.ceil((Date.now() - t0) / 1000) + 2;
        const inventory = await loadInventory({ flagPath: fixture.lab.inventoryPath, cwd: process.cwd() });
        const hosts = resolveTarget(inventory, SCENARIO_HOST).map((h) => ({ ...h, services: [] }));
        const report = await diagnoseTarget(SCENARIO_HOST, hosts, sshConnector(hosts), { sinceS });
        const findings = report.hosts[0]?.findings ?? [];
        const dump = JSON.stringify(
          findings.map((f) => [f.cause, f.confidence, f.title]),
          null,
          1,
        );
        expect(findings[0]?.cause, dump).toBe(s.expectedCause);
        for (const also of s.alsoCauses ?? [])
          expect(
            findings.map((f) => f.cause),
            dump,
          ).toContain(also);
      });
    }
  },
);
