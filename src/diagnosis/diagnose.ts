import type { Cause } from '../parse/causes.js';
import type { Evidence } from './evidence.js';
import type { Action, Finding } from './finding.js';
import { accessFailures, unexplainedFinding } from './rules/fallback.js';
import { RULES, type Rule } from './rules/index.js';
import { windowUpstreamErrors } from './rules/log-signals.js';
import { no502EvidenceFinding } from './rules/no-502-evidence.js';

/** Causes that describe what nginx did, not why: they rank after every real cause (catalog C21). */
const SYMPTOMS: ReadonlySet<Cause> = new Set<Cause>(['no-live-upstreams']);

export function isSymptom(cause: Cause): boolean {
  return SYMPTOMS.has(cause);
}

/** Caps for merged findings: a headline stays readable, the verbatim lines stay few (brief: ~5 raw lines). */
const MAX_EVIDENCE = 14;
const MAX_REMEDIATION = 8;

export interface DiagnoseOptions {
  rules?: readonly Rule[];
  /** A rule that throws must not sink the report (house style 6): it is skipped and reported here. */
  onRuleError?: (rule: string, error: unknown) => void;
}

/**
 * Runs every rule on the evidence, merges findings of the same cause, and ranks them: causes before
 * symptoms, then confidence, highest first (stable). With no finding and no upstream error in the
 * window the answer is one `no-502-evidence`; with unexplained errors, a low-confidence guess.
 */
export function diagnose(ev: Evidence, options: DiagnoseOptions = {}): Finding[] {
  const found: Finding[] = [];
  for (const rule of options.rules ?? RULES) {
    try {
      found.push(...rule(ev));
    } catch (error) {
      options.onRuleError?.(rule.name, error);
    }
  }
  const merged = rank(merge(found));
  if (merged.length > 0) return merged;
  if (windowUpstreamErrors(ev).length === 0 && accessFailures(ev) === 0) return [no502EvidenceFinding(ev)];
  return [unexplainedFinding(ev)];
}

/** Same cause: keep the most confident finding's title, union evidence, remediation and actions (capped). */
export function merge(findings: Finding[]): Finding[] {
  const byCause = new Map<Cause, Finding[]>();
  for (const f of findings) {
    const list = byCause.get(f.cause);
    if (list) list.push(f);
    else byCause.set(f.cause, [f]);
  }
  return [...byCause.values()].flatMap((list) => {
    const sorted = [...list].sort((a, b) => b.confidence - a.confidence);
    const best = sorted[0];
    if (!best) return [];
    return [
      {
        ...best,
        evidence: unique(sorted.flatMap((f) => f.evidence)).slice(0, MAX_EVIDENCE),
        // Remediation of one finding stays whole; merged ones add their distinct steps after it.
        remediation: unique(sorted.flatMap((f) => f.remediation)).slice(
          0,
          Math.max(MAX_REMEDIATION, best.remediation.length),
        ),
        actions: uniqueActions(sorted.flatMap((f) => f.actions)),
      },
    ];
  });
}

export function rank(findings: Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) =>
        Number(isSymptom(a.f.cause)) - Number(isSymptom(b.f.cause)) ||
        b.f.confidence - a.f.confidence ||
        a.i - b.i,
    )
    .map(({ f }) => f);
}

function unique(lines: string[]): string[] {
  return [...new Set(lines)];
}

/** First action per id wins: it comes from the most confident finding. */
function uniqueActions(actions: Action[]): Action[] {
  const seen = new Map<string, Action>();
  for (const a of actions) if (!seen.has(a.id)) seen.set(a.id, a);
  return [...seen.values()];
}
