import type { ErrorChart } from '../diagnosis/chart-data.js';
import type { Finding } from '../diagnosis/finding.js';
import type { RuledOut } from '../diagnosis/ruled-out/ruled-out.js';
import type { HostHistory } from '../history/history-line.js';
import type { CheckResult } from '../probes/check.js';
import type { LogFileReport } from '../probes/defs/site-logs.js';

/**
 * `cause-found`: some finding names a cause (the first one is the answer). `no-cause`: no cause, and
 * the essential checks ran. `inconclusive`: no cause, but an essential check could not run, so
 * "nothing found" cannot be said (see `notChecked`).
 */
export type Verdict = 'cause-found' | 'no-cause' | 'inconclusive';

/** An essential check that could not run, and why (e.g. `error-log`: `timed out after 3 s`). */
export interface NotChecked {
  check: string;
  reason: string;
  /** The command that reads the same evidence by hand, e.g. `tail -n 100 /var/log/nginx/error.log`. */
  byHand?: string;
}

/** Plain data any renderer (terminal, JSON, Block Kit) turns into a report. */
export interface HostReport {
  host: string;
  address: string;
  durationMs: number;
  verdict: Verdict;
  /** Essential checks that could not run (empty when all ran); they make a host without a cause inconclusive. */
  notChecked: NotChecked[];
  checks: CheckResult[];
  findings: Finding[];
  /**
   * Causes the checks looked for and found absent, one line of evidence each ("firewall: 0
   * drop/reject rules (nftables)"): why the verdict is the verdict. A check that could not run rules
   * nothing out. Always set by the diagnosis (empty when nothing could be checked); optional only for
   * reports written before it existed (the outbox keeps reports across versions).
   */
  ruledOut?: RuledOut[];
  /**
   * 502/504s per minute per upstream from the access log, with the first error, restarts and reloads
   * marked: the chart in the Slack thread. Absent when the access log was not read or had none.
   */
  errorSeries?: ErrorChart;
  /**
   * Every log nginx writes, as `nginx -T` names it at any level, and the inventory's two: which were
   * read (with rotated predecessors), and which not and why (off, syslog, stderr, missing). Absent
   * when nothing was tried (the SSH connection failed).
   */
  logsRead?: LogRead[];
  /**
   * Whether the host was diagnosed before, how often, the previous report's link and the last restart
   * (src/history/): filled by the bot's worker from Redis; absent where there is no history (the CLI).
   */
  history?: HostHistory;
}

/**
 * One log file as the diagnosis read it (or could not): the site-logs probe's report of it
 * (probes/defs/site-logs.ts) without the byte count.
 */
export type LogRead = Omit<LogFileReport, 'bytesRead'>;

export interface TargetReport {
  target: string;
  /** Over all hosts: a cause on any host, else inconclusive if any host was, else no cause. */
  verdict: Verdict;
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
