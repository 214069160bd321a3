import type { HostFacts } from '../facts/host-facts.js';
import { ALL_PROBES } from '../probes/probe-set.js';
import type { AnyProbeRecord } from '../probes/record.js';
import type { Evidence, EvidenceBase } from './evidence.js';

/**
 * Assembles the Evidence of one host from its facts: the host and the window, then each probe's part
 * as its record gives it (probes/defs/*.ts `evidence`). Pure.
 */
export function buildEvidence(facts: HostFacts): Evidence {
  const { window } = facts;
  const base: EvidenceBase = {
    host: facts.ctx.host.name,
    collectedAtMs: window.endMs,
    windowStartMs: window.startMs,
    utcOffsetMinutes: window.clock.utcOffsetMinutes,
    unavailable: { ...facts.unavailable },
  };
  // Each record is typed on its own (its part is checked against EvidenceParts by the compiler).
  const parts = (ALL_PROBES as readonly AnyProbeRecord[]).map((r) => r.evidence(facts.result(r), facts));
  return Object.assign(base, ...parts) as Evidence;
}
