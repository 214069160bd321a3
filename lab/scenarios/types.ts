/**
 * A lab scenario: a named fault a host is put into, the traffic that exposes it, and what that
 * traffic really produces (client status, nginx error-log line, app logs, evidence on the host).
 * The table is data so the end-to-end diagnosis test can iterate over it.
 */
import type { Cause } from '../../src/parse/causes.js';
import type { Lab } from '../fleet.js';
import type { HostState } from '../state.js';
import type { ServiceName } from '../topology.js';

export interface DriveSpec {
  path: string;
  count: number;
  method?: 'GET' | 'POST';
  /** Size of a POST body of 'x' bytes. */
  bodyBytes?: number;
  /** Requests in flight at once (default 1: one after the other). */
  concurrency?: number;
  timeoutMs?: number;
}

export interface ScenarioExpectation {
  /** The client status through nginx; 0 means no HTTP answer at all (connection refused). */
  status: number;
  /** `all`: every request gets `status`; `some`: at least one does (races, saturation). */
  statusMatch: 'all' | 'some';
  /** A new nginx error-log line must match; null: no new error-log line at all. */
  errorLog: RegExp | null;
  /** Further error-log lines that must also appear. */
  errorLogAlso?: RegExp[];
  /** A new access-log line must match. */
  accessLog?: RegExp;
  /** New lines in other logs of the same host (paths inside the host). */
  logs?: { file: string; pattern: RegExp }[];
  /** Output of a command run inside the host afterwards (the evidence a diagnosis would find). */
  hostCheck?: { command: string; pattern: RegExp };
  /** stderr of `ssh -o BatchMode=yes ... root@<host> hostname` with the lab key and known_hosts. */
  ssh?: RegExp;
  /** The machine's kernel log (dmesg). */
  kernelLog?: RegExp;
}

export interface ScenarioContext {
  lab: Lab;
  /** The host the scenario is applied to (a web host unless `kind` says otherwise). */
  host: HostState;
}

export interface Scenario {
  name: string;
  /** The cause (docs: ../shared/causes.md) the diagnosis should put first. */
  expectedCause: Cause;
  /** Other causes the diagnosis should report as well. */
  alsoCauses?: Cause[];
  summary: string;
  /** Services the target host must run (web-1..web-3 run them all; later web hosts only nginx + app). */
  needs: ServiceName[];
  drive: DriveSpec;
  expect: ScenarioExpectation;
  apply(ctx: ScenarioContext): Promise<void>;
  /** Undo what `apply` changed outside the target host; restoreHost resets the host itself. */
  restoreElsewhere?(ctx: ScenarioContext): Promise<void>;
}
