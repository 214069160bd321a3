import type { EvidenceParts } from '../probes/probe-set.js';

export type { AppLogLine, AppSignal, KernelEvidence, OomKill } from '../parse/types.js';
export type { LogWindow } from '../probes/defs/log-tail.js';
export type { NginxEvidence } from '../probes/defs/nginx-config.js';
export type { SecurityEvidence } from '../probes/defs/security.js';
export type { ServiceEvidence } from '../probes/defs/services.js';
export type { ListenerEvidence } from '../probes/defs/sockets.js';
export type { ResourceEvidence } from '../probes/defs/system.js';
export type { TargetCheck, TargetState } from '../probes/target-state.js';

/**
 * Everything the probes learned about one host, as plain data. Rules are pure functions of this.
 * A field left `undefined` means "could not check" (the probe failed, timed out or its tool is
 * missing); rules must not read absence as health.
 *
 * Each probe's record gives its part (probes/defs/*.ts `evidence`, e.g. `resources` from the system
 * probe, `targets` from the upstream checks, `nginx` from `nginx -T` with the process list): the parts
 * are typed from the records (probes/probe-set.ts EvidenceParts), so a new probe's part is here as soon
 * as the probe is in the set. This file adds what belongs to the host and the window.
 */
export type Evidence = EvidenceBase & EvidenceParts;

export interface EvidenceBase {
  host: string;
  /** When collection finished (epoch ms) and where the window starts. */
  collectedAtMs: number;
  windowStartMs: number;
  /** The host's zone offset: nginx error-log timestamps are local time without a zone. */
  utcOffsetMinutes: number;
  /** Probe ids that could not run, with the reason (for "could not check" wording). */
  unavailable: Record<string, string>;
}
