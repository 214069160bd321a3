import { errorLogTimeToEpochMs, parseErrorLog } from './parse-error-log.js';
import { parseKernelLog } from './parse-kernel-log.js';
import type { HostClock } from './time.js';
import type { ErrorLogEntry, KernelEvidence } from './types.js';

/**
 * Raw log text cut to a diagnosis window (pure). The window's bounds, by the host's clock, are a fact
 * of the host (facts/window.ts); these functions only apply them to what a probe read.
 */

export interface ErrorWindow {
  entries: ErrorLogEntry[];
  /** The tail read did not reach back to the window start. */
  truncated: boolean;
}

/**
 * The error-log entries inside the window, by the host's own clock and zone (nginx logs local time).
 * `cut`: the tail read stopped at its byte cap, so the log may go back further than what was read.
 */
export function errorLogWindow(text: string, cut: boolean, clock: HostClock, sinceS: number): ErrorWindow {
  const startMs = (clock.nowS - sinceS) * 1000;
  const all = parseErrorLog(text);
  const entries = all.filter((e) => {
    const t = errorLogTimeToEpochMs(e.timestamp, clock.utcOffsetMinutes);
    return t === undefined || Number.isNaN(t) ? false : t >= startMs;
  });
  const first = all[0];
  const firstMs = first ? errorLogTimeToEpochMs(first.timestamp, clock.utcOffsetMinutes) : undefined;
  return { entries, truncated: cut && firstMs !== undefined && firstMs > startMs };
}

/** Entries that speak of an upstream failure (a catalog 3.1 signature), not startup notices. */
export function upstreamErrorEntries(entries: readonly ErrorLogEntry[]): ErrorLogEntry[] {
  return entries.filter((e) => e.signature !== undefined);
}

/**
 * OOM kills, segfaults and network-stack warnings of the kernel log inside the window, by the host's
 * clock. `dmesg --time-format iso` and `journalctl -k -o short-iso` stamps carry their own zone;
 * undated lines are kept.
 */
export function kernelLogWindow(text: string, clock: HostClock, sinceS: number): KernelEvidence {
  return parseKernelLog(text, {
    sinceMs: (clock.nowS - sinceS) * 1000,
    utcOffsetMinutes: clock.utcOffsetMinutes,
  });
}
