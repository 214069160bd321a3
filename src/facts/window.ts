import type { KernelEvidence } from '../diagnosis/evidence.js';
import { errorLogTimeToEpochMs, parseErrorLog } from '../parse/parse-error-log.js';
import { parseKernelLog } from '../parse/parse-kernel-log.js';
import type { ErrorLogEntry } from '../parse/types.js';
import type { Collection } from '../probes/collect-host.js';
import type { LogTail } from '../probes/defs/log-tail.js';

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

/** The host's own clock and zone, as the probes read them (system probe first, then the error-log probe). */
export interface HostClock {
  nowS: number;
  utcOffsetMinutes: number;
}

export function hostClock(col: Collection, fallbackNowMs: number): HostClock {
  return {
    nowS: col.system?.nowS ?? col.errorLog?.nowS ?? fallbackNowMs / 1000,
    utcOffsetMinutes: col.system?.utcOffsetMinutes ?? col.errorLog?.utcOffsetMinutes ?? 0,
  };
}

/**
 * OOM kills, segfaults and network-stack warnings of the kernel-log probe inside the window, by the
 * host's clock: the same events for the live check line and the evidence. `dmesg --time-format iso`
 * and `journalctl -k -o short-iso` stamps carry their own zone; undated lines are kept.
 */
export function windowKernelLog(text: string, clock: HostClock, sinceS: number): KernelEvidence {
  return parseKernelLog(text, {
    sinceMs: (clock.nowS - sinceS) * 1000,
    utcOffsetMinutes: clock.utcOffsetMinutes,
  });
}
