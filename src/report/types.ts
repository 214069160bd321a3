import type { Finding } from '../diagnosis/finding.js';
import type { CheckResult } from '../probes/check.js';

/** Plain data any renderer (terminal, JSON, Block Kit) turns into a report. */
export interface HostReport {
  host: string;
  address: string;
  durationMs: number;
  checks: CheckResult[];
  findings: Finding[];
}

export interface TargetReport {
  target: string;
  /** The window in seconds, and when the run started (ISO). */
  sinceS: number;
  startedAt: string;
  hosts: HostReport[];
}

export type ProgressEvent =
  | { type: 'host-start'; host: string; address: string }
  | { type: 'check'; host: string; check: CheckResult }
  | { type: 'host-done'; host: string; report: HostReport };

export type ProgressListener = (event: ProgressEvent) => void;
