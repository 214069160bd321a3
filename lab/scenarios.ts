/**
 * The scenario API: put a host into a named fault state, drive real traffic through its nginx,
 * collect what the host logged, and restore it. The table itself is lab/scenarios/table.ts.
 */
import { writeFile } from 'node:fs/promises';
import { run, sleep } from './exec.js';
import type { Lab } from './fleet.js';
import { NGINX_ACCESS_LOG, NGINX_ERROR_LOG } from './nginx-config.js';
import type { ScenarioRun } from './scenarios/check.js';
import { checkScenario } from './scenarios/check.js';
import { driveTraffic } from './scenarios/drive.js';
import { linesSince, markLogs } from './scenarios/log-marks.js';
import { resetHost, SCENARIO_MARKER } from './scenarios/restore.js';
import { findScenario } from './scenarios/table.js';
import type { Scenario } from './scenarios/types.js';
import { sshRun } from './ssh-client.js';

export type { ScenarioRun } from './scenarios/check.js';
export { checkScenario } from './scenarios/check.js';
export type { DriveResult } from './scenarios/drive.js';
export { driveTraffic } from './scenarios/drive.js';
export { findScenario, SCENARIOS } from './scenarios/table.js';
export type { DriveSpec, Scenario, ScenarioExpectation } from './scenarios/types.js';

function targetFor(lab: Lab, host: string, s: Scenario) {
  const spec = lab.host(host);
  const missing = s.needs.filter((svc) => !spec.services.includes(svc));
  if (missing.length > 0) {
    throw new Error(
      `lab: scenario ${s.name} needs ${missing.join(', ')} on ${host}, which runs only ${spec.services.join(', ')}; use web-1`,
    );
  }
  return spec;
}

/** Puts `host` into the fault state `name`. */
export async function applyScenario(lab: Lab, host: string, name: string): Promise<Scenario> {
  const s = findScenario(name);
  const spec = targetFor(lab, host, s);
  await writeFile(lab.path(host, SCENARIO_MARKER), `${name}\n`);
  await s.apply({ lab, host: spec });
  return s;
}

/** Returns `host` to healthy, including what its last scenario changed on other hosts. */
export async function restoreHost(lab: Lab, host: string): Promise<void> {
  const last = await lab.readFile(host, SCENARIO_MARKER).then(
    (t) => t.trim(),
    () => '',
  );
  if (last) await findScenario(last).restoreElsewhere?.({ lab, host: lab.host(host) });
  await resetHost(lab, host);
}

async function kernelLog(): Promise<string[]> {
  const { stdout } = await run('dmesg', [], { allowFail: true });
  return stdout.split('\n').filter(Boolean);
}

/** Kernel lines after `last` (found by content: the ring buffer drops old lines when full). */
function kernelLinesAfter(lines: string[], last: string | undefined): string[] {
  const i = last === undefined ? -1 : lines.lastIndexOf(last);
  return lines.slice(i + 1);
}

/**
 * Applies scenario `name` to `host`, drives its traffic, and gathers everything the scenario
 * promises (log lines since just before `apply`, host evidence, ssh result), polling for up to
 * `settleMs` since logs are written a moment after the client got its answer.
 */
export async function runScenario(
  lab: Lab,
  host: string,
  name: string,
  settleMs = 15_000,
): Promise<ScenarioRun> {
  const s = findScenario(name);
  const logFiles = [NGINX_ERROR_LOG, NGINX_ACCESS_LOG, ...(s.expect.logs ?? []).map((l) => l.file)];
  const marks = await markLogs(lab, host, logFiles);
  const kernelLast = s.expect.kernelLog ? (await kernelLog()).at(-1) : undefined;
  await applyScenario(lab, host, name);
  const { statuses } = await driveTraffic(lab, host, s.drive);
  const deadline = Date.now() + settleMs;
  for (;;) {
    const logs: Record<string, string[]> = {};
    for (const l of s.expect.logs ?? []) logs[l.file] = await linesSince(lab, host, l.file, marks);
    const result: ScenarioRun = {
      scenario: name,
      host,
      statuses,
      errorLog: await linesSince(lab, host, NGINX_ERROR_LOG, marks),
      accessLog: await linesSince(lab, host, NGINX_ACCESS_LOG, marks),
      logs,
    };
    if (s.expect.hostCheck) {
      result.hostCheck = (await lab.exec(host, s.expect.hostCheck.command, { allowFail: true })).stdout;
    }
    if (s.expect.ssh) {
      const r = await sshRun(lab, host, 'hostname');
      result.ssh = { code: r.code, stderr: r.stderr };
    }
    if (s.expect.kernelLog) result.kernelLog = kernelLinesAfter(await kernelLog(), kernelLast);
    // The access log is written after the response; requests nginx never answered have no line.
    const logged = result.accessLog.length >= statuses.filter((st) => st !== 0).length;
    if ((logged && checkScenario(s, result).length === 0) || Date.now() > deadline) return result;
    await sleep(250);
  }
}
