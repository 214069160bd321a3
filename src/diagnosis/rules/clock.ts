import type { ErrorLogEntry } from '../../parse/types.js';
import type { Evidence } from '../evidence.js';

/**
 * Error-log timestamps are server local time without a zone (catalog 1.1 item 1); the probes read
 * the host's own offset (`date +%z`) into `Evidence.utcOffsetMinutes`.
 */
export function utcOffsetMin(ev: Evidence): number | undefined {
  return ev.utcOffsetMinutes;
}

/** Epoch ms of an entry, or undefined when the host's offset is unknown. */
export function entryMs(ev: Evidence, e: ErrorLogEntry): number | undefined {
  const offset = utcOffsetMin(ev);
  if (offset === undefined) return undefined;
  const local = localMs(e.timestamp);
  return local === undefined ? undefined : local - offset * 60_000;
}

/** `2024/05/07 03:15:12` read as if it were UTC; differences between two entries are exact. */
export function localMs(ts: string): number | undefined {
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(ts);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** Seconds between the first and the last entry (0 for one entry). */
export function spanS(list: ErrorLogEntry[]): number {
  const first = list[0] && localMs(list[0].timestamp);
  const last = list.at(-1) && localMs(list.at(-1)?.timestamp ?? '');
  return first !== undefined && last !== undefined ? Math.max(0, (last - first) / 1000) : 0;
}

/** `3m ago`, `2h ago` for titles. */
export function agoLabel(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)}s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m ago`;
  return `${Math.round(seconds / 3600)}h ago`;
}

/** Time part `HH:MM:SS` of an entry for compact titles. */
export function clockOf(e: ErrorLogEntry | undefined): string {
  return e?.timestamp.split(' ')[1] ?? '?';
}
