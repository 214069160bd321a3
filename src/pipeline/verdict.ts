import type { Finding } from '../diagnosis/finding.js';
import { ESSENTIAL_PROBES } from '../probes/probe-set.js';
import type { HostReport, NotChecked, Verdict } from '../report/types.js';

/**
 * The host's verdict from its ranked findings and the checks that could not run (pure). A cause is a
 * cause whatever else could not be checked; without one, the answer is "no cause found" only when the
 * essential checks (probe-set.ts: the error log, the nginx config) ran. Otherwise it is inconclusive:
 * the `no-502-evidence` finding, which would read as "all clear", is dropped so it can never be the
 * headline, and the report names what could not be checked and why. A `context` finding (502s
 * counted while the error log could not be read) is kept as what was seen, but is not a cause.
 */
export function hostVerdict(
  findings: readonly Finding[],
  unavailable: Readonly<Record<string, string>>,
  byHand: Readonly<Record<string, string>> = {},
): { verdict: Verdict; notChecked: NotChecked[]; findings: Finding[] } {
  const notChecked = ESSENTIAL_PROBES.flatMap((check): NotChecked[] => {
    const reason = unavailable[check];
    if (reason === undefined) return [];
    const hand = byHand[check];
    return [hand === undefined ? { check, reason } : { check, reason, byHand: hand }];
  });
  const seen = findings.filter((f) => f.cause !== 'no-502-evidence');
  if (seen.some((f) => f.context !== true))
    return { verdict: 'cause-found', notChecked, findings: [...findings] };
  if (notChecked.length > 0) return { verdict: 'inconclusive', notChecked, findings: seen };
  return { verdict: 'no-cause', notChecked, findings: [...findings] };
}

/** The target's verdict: a cause on any host, else inconclusive if any host was, else no cause. */
export function targetVerdict(hosts: readonly Pick<HostReport, 'verdict'>[]): Verdict {
  if (hosts.some((h) => h.verdict === 'cause-found')) return 'cause-found';
  if (hosts.some((h) => h.verdict === 'inconclusive')) return 'inconclusive';
  return 'no-cause';
}
