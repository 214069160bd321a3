import type { LogTail } from '../probes/defs/log-tail.js';
import { errorLogTimeToEpochMs, parseErrorLog } from './parse/parse-error-log.js';
import type { ErrorLogEntry } from './parse/types.js';

export interface ErrorWindow {
  entries: ErrorLogEntry[];
  /** The tail read did not reach back to the window start. */
  truncated: boolean;
}

/** The error-log entries inside the window, using the host's own clock and zone (nginx logs local time). */
export function windowErrorLog(tail: LogTail, sinceS: number): ErrorWindow {
  const nowMs = (tail.nowS ?? Date.now() / 1000) * 1000;
  const startMs = nowMs - sinceS * 1000;
  const all = parseErrorLog(tail.text);
  const entries = all.filter((e) => {
    const t = errorLogTimeToEpochMs(e.timestamp, tail.utcOffsetMinutes);
    return t === undefined || Number.isNaN(t) ? false : t >= startMs;
  });
  const first = all[0];
  const firstMs = first ? errorLogTimeToEpochMs(first.timestamp, tail.utcOffsetMinutes) : undefined;
  return { entries, truncated: tail.cut && firstMs !== undefined && firstMs > startMs };
}

/** Entries that speak of an upstream failure (a catalog 3.1 signature), not startup notices. */
export function upstreamErrors(entries: ErrorLogEntry[]): ErrorLogEntry[] {
  return entries.filter((e) => e.signature !== undefined);
}
