// One vitest case per scenario: apply it to web-1 of a real lab, drive real traffic, and require the
// status and log signatures the scenario promises; restore web-1 after each case.
import { afterEach, expect, it } from 'vitest';
import { checkScenario, driveTraffic, findScenario, restoreHost, runScenario } from '../../lab/scenarios.js';
import { sshRun } from '../../lab/ssh-client.js';
import type { LabFixture } from '../../lab/with-lab.js';

export const SCENARIO_HOST = 'web-1';

export function scenarioCases(fixture: LabFixture, names: readonly string[]): void {
  afterEach(async () => {
    await restoreHost(fixture.lab, SCENARIO_HOST);
  });

  for (const name of names) {
    const s = findScenario(name);
    it(`${name}: ${s.summary} -> ${s.expect.status || 'no answer'} (${s.expectedCause})`, async () => {
      const run = await runScenario(fixture.lab, SCENARIO_HOST, name);
      // Spelled out for the reader; checkScenario below covers every promise of the table entry.
      if (s.expect.statusMatch === 'all') {
        expect(run.statuses.every((st) => st === s.expect.status)).toBe(true);
      } else {
        expect(run.statuses).toContain(s.expect.status);
      }
      const errorLog = s.expect.errorLog;
      if (errorLog) expect(run.errorLog.some((line) => errorLog.test(line))).toBe(true);
      else expect(run.errorLog).toEqual([]);
      expect(checkScenario(s, run)).toEqual([]);
    });
  }
}

/** After a scenario and restoreHost, the host answers as it did after `up`. */
export function restoreCase(fixture: LabFixture, name: string): void {
  it(`restoreHost brings ${SCENARIO_HOST} back to healthy after ${name}`, async () => {
    await runScenario(fixture.lab, SCENARIO_HOST, name);
    await restoreHost(fixture.lab, SCENARIO_HOST);
    for (const path of ['/', '/php/', '/py/', '/uw/', '/rb/', '/ap/lab.cgi', '/remote/']) {
      expect((await driveTraffic(fixture.lab, SCENARIO_HOST, { path, count: 1 })).statuses).toEqual([200]);
    }
    const status = await fixture.lab.service(SCENARIO_HOST, 'status', 'all');
    expect(status.code).toBe(0);
    expect(status.stdout).not.toMatch(/stopped|unhealthy/);
    const ssh = await sshRun(fixture.lab, SCENARIO_HOST, 'hostname');
    expect(ssh.stderr).toBe('');
    expect(ssh.stdout.trim()).toBe(SCENARIO_HOST);
  });
}
