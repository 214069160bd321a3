import { formatWindow } from '../../parse/format-window.js';
import type { ErrorLogEntry, SignatureId } from '../../parse/types.js';
import type { Evidence } from '../evidence.js';

/**
 * Signatures that describe an upstream failure a client saw (catalog 3.1). `fd_rlimit_warn` and
 * `dns_config_load` are startup warnings, `config_error` a reload that failed, and `temp_file` can be a request-body failure, so they are
 * not "upstream errors" for the no-502-evidence decision; their own rules still read them.
 */
const NOT_UPSTREAM_ERRORS: ReadonlySet<SignatureId> = new Set([
  'fd_rlimit_warn',
  'dns_config_load',
  'config_error',
]);

/** Catalog 3.1: signatures whose failure happened after nginx connected (reset / premature close). */
export const RESET_SIGNATURES: readonly SignatureId[] = [
  'premature_header',
  'reset_header',
  'send_failed',
  'body_phase_failure',
];

/** The window's error-log entries: the main error log, then per-site and rotated logs (site-logs probe). */
export function entries(ev: Evidence): ErrorLogEntry[] {
  const more = ev.logFiles?.errorEntries ?? [];
  if (more.length === 0) return ev.errorLog?.entries ?? [];
  // One timeline (stable: the main log's order within a second is kept).
  return [...(ev.errorLog?.entries ?? []), ...more].sort((a, b) =>
    a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0,
  );
}

export function withSignature(ev: Evidence, ...sigs: SignatureId[]): ErrorLogEntry[] {
  const wanted = new Set(sigs);
  return entries(ev).filter((e) => e.signature !== undefined && wanted.has(e.signature));
}

export function windowUpstreamErrors(ev: Evidence): ErrorLogEntry[] {
  return entries(ev).filter((e) => e.signature !== undefined && !NOT_UPSTREAM_ERRORS.has(e.signature));
}

/**
 * The peer an entry failed on: the parser's `upstreamPeer`, else the address in
 * `connect() to X failed` (the `upstream:` suffix can be cut by the 2048-byte cap, catalog 1.1).
 */
export function peerOf(e: ErrorLogEntry): string | undefined {
  if (e.upstreamPeer) return e.upstreamPeer;
  const m = /^connect\(\) to (\S+) failed/.exec(e.message);
  if (m?.[1]) return m[1].startsWith('unix:') ? `unix://${m[1]}` : `tcp://${m[1]}`;
  return undefined;
}

/** Entries grouped by peer, in first-seen order; entries without a peer go under `''`. */
export function groupByPeer(list: ErrorLogEntry[]): Map<string, ErrorLogEntry[]> {
  const out = new Map<string, ErrorLogEntry[]>();
  for (const e of list) {
    const key = peerOf(e) ?? '';
    const bucket = out.get(key);
    if (bucket) bucket.push(e);
    else out.set(key, [e]);
  }
  return out;
}

/** Window length for "in the last 15m" wording (`45s`, `1h30m`: see format-window.ts). */
export function windowLabel(ev: Evidence): string {
  return formatWindow((ev.collectedAtMs - ev.windowStartMs) / 1000);
}

/** `connect() failed (111: Connection refused)`: the message with its errno, as counted. */
export function messageKey(e: ErrorLogEntry): string {
  return e.errno === undefined ? e.message : `${e.message} (${e.errno}: ${e.errtext ?? ''})`;
}

/**
 * Evidence lines for a set of entries: one count line per distinct message, then at most `max`
 * verbatim raw lines (the first one, which shows the onset, and the most recent ones).
 */
export function summarize(ev: Evidence, list: ErrorLogEntry[], max = 5): string[] {
  if (list.length === 0) return [];
  const counts = new Map<string, number>();
  for (const e of list) counts.set(messageKey(e), (counts.get(messageKey(e)) ?? 0) + 1);
  const window = windowLabel(ev);
  const countLines = [...counts].map(([key, n]) => `${n} × ${key} in the last ${window}`);
  return [...countLines, ...representative(list, max).map((e) => e.raw)];
}

export function representative(list: ErrorLogEntry[], max = 5): ErrorLogEntry[] {
  if (list.length <= max) return list;
  const first = list[0];
  const recent = list.slice(list.length - (max - 1));
  return first ? [first, ...recent] : recent;
}

/** The most frequent request paths among entries (`GET /export?x` -> `/export`), for "which endpoint". */
export function topPaths(list: ErrorLogEntry[], max = 3): { path: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const e of list) {
    const target = e.request?.split(' ')[1];
    if (!target) continue;
    const path = target.split('?')[0] ?? target;
    counts.set(path, (counts.get(path) ?? 0) + 1);
  }
  return [...counts]
    .map(([path, count]) => ({ path, count }))
    .sort((a, b) => b.count - a.count)
    .slice(0, max);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
