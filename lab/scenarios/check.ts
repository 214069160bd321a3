/**
 * Whether what a scenario run produced is what the scenario says it produces. Pure, so the same
 * check serves the lab's own tests and the lead's end-to-end diagnosis test.
 */
import type { Scenario } from './types.js';

export interface ScenarioRun {
  scenario: string;
  host: string;
  statuses: number[];
  /** New lines of the host's nginx error and access logs since just before `apply`. */
  errorLog: string[];
  accessLog: string[];
  /** New lines of the scenario's other logs, by path inside the host. */
  logs: Record<string, string[]>;
  hostCheck?: string;
  ssh?: { code: number; stderr: string };
  kernelLog?: string[];
}

/** What is missing from `run`; empty when the run shows everything the scenario promises. */
export function checkScenario(s: Scenario, run: ScenarioRun): string[] {
  const problems: string[] = [];
  const e = s.expect;
  const hits = run.statuses.filter((st) => st === e.status).length;
  if (e.statusMatch === 'all' ? hits !== run.statuses.length || hits === 0 : hits === 0) {
    problems.push(`statuses ${JSON.stringify(run.statuses)}: expected ${e.statusMatch} ${e.status}`);
  }
  const needLine = (lines: string[], re: RegExp, where: string) => {
    if (!lines.some((l) => re.test(l))) problems.push(`no ${where} line matches ${re}`);
  };
  if (e.errorLog === null) {
    if (run.errorLog.length > 0)
      problems.push(`expected no error-log line, got: ${run.errorLog.join(' | ')}`);
  } else {
    needLine(run.errorLog, e.errorLog, 'error-log');
  }
  for (const re of e.errorLogAlso ?? []) needLine(run.errorLog, re, 'error-log');
  if (e.accessLog) needLine(run.accessLog, e.accessLog, 'access-log');
  for (const { file, pattern } of e.logs ?? []) needLine(run.logs[file] ?? [], pattern, file);
  if (e.hostCheck && !e.hostCheck.pattern.test(run.hostCheck ?? '')) {
    problems.push(
      `\`${e.hostCheck.command}\` output does not match ${e.hostCheck.pattern}: ${run.hostCheck}`,
    );
  }
  if (e.ssh && !e.ssh.test(run.ssh?.stderr ?? '')) {
    problems.push(`ssh stderr does not match ${e.ssh}: ${run.ssh?.stderr}`);
  }
  if (e.kernelLog) needLine(run.kernelLog ?? [], e.kernelLog, 'kernel-log');
  return problems;
}
