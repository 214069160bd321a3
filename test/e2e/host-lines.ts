/**
 * What a host really wrote during a scenario, as lines, so the end-to-end test can tell a finding
 * that quotes the host verbatim from one that only paraphrases it.
 */
import type { ScenarioRun } from '../../lab/scenarios.js';

/** Shorter lines (`ok`, a bare number) would match by accident. */
const MIN_QUOTED = 16;

/** `extra`: output of commands run on the host after the diagnosis (e.g. `nginx -t`), verbatim. */
export function hostLines(run: ScenarioRun, extra = ''): string[] {
  const all = [
    ...extra.split('\n'),
    ...run.errorLog,
    ...run.accessLog,
    ...Object.values(run.logs).flat(),
    ...(run.kernelLog ?? []),
    ...(run.hostCheck ?? '').split('\n'),
  ];
  return [...new Set(all.map((l) => l.trim()).filter((l) => l.length >= MIN_QUOTED))];
}

/** Evidence lines that quote one of `lines` whole (a rule may prefix a quoted line with its source). */
export function quotedLines(evidence: readonly string[], lines: readonly string[]): string[] {
  return evidence.filter((e) => lines.some((l) => e.includes(l)));
}
