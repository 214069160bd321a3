import type { Cause } from '../../parse/causes.js';
import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import type { Exclusion } from './exclusion.js';
import { HOST_EXCLUSIONS } from './exclusions-host.js';
import { NGINX_EXCLUSIONS } from './exclusions-nginx.js';
import { UPSTREAM_EXCLUSIONS } from './exclusions-upstream.js';

export type { Exclusion } from './exclusion.js';

/** A cause the checks looked for and did not find, with the one line that shows it (issue 20 item 1). */
export interface RuledOut {
  cause: Cause;
  /** e.g. `firewall: 0 drop/reject rules (nftables)`, `OOM kills: none in 15m`. */
  evidence: string;
}

/**
 * The order a reader asks in (a report shows the first few): is the app there, is the path open,
 * did the kernel kill it, is the host full or busy, then the rest.
 */
const ASKED_FIRST: readonly Cause[] = [
  'upstream-down',
  'network-blocked',
  'upstream-oom-killed',
  'disk-full',
  'host-overload',
  'mac-denied',
];
const rank = (c: Cause) => (ASKED_FIRST.includes(c) ? ASKED_FIRST.indexOf(c) : ASKED_FIRST.length);

export const EXCLUSIONS: readonly Exclusion[] = [
  ...UPSTREAM_EXCLUSIONS,
  ...HOST_EXCLUSIONS,
  ...NGINX_EXCLUSIONS,
].sort((a, b) => rank(a.cause) - rank(b.cause));

/**
 * The causes the checks excluded on one host, one line of evidence each. Only a check that ran and
 * looked rules anything out: an exclusion whose probe could not check (`ev.unavailable`) says
 * nothing, and a cause any finding names (even as context) is never listed. Pure.
 */
export function ruledOut(
  ev: Evidence,
  findings: readonly Finding[],
  exclusions: readonly Exclusion[] = EXCLUSIONS,
): RuledOut[] {
  const named = new Set<Cause>(findings.map((f) => f.cause));
  const out: RuledOut[] = [];
  for (const x of exclusions) {
    if (named.has(x.cause) || out.some((o) => o.cause === x.cause)) continue;
    if (x.probes.some((p) => ev.unavailable[p] !== undefined)) continue;
    const evidence = x.check(ev);
    if (evidence !== undefined) out.push({ cause: x.cause, evidence });
  }
  return out;
}
