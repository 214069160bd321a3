import { monthIndex, parseUtcOffset, wallClockToEpochMs } from './time.js';

/**
 * Which rotated predecessors of a log the window needs (issue 18 item 1): logrotate names them
 * `FILE.1`, `FILE.2.gz` (numbered, `delaycompress` leaves `.1` plain; `.xz`, `.bz2` or `.zst` with
 * another `compresscmd`) or `FILE-20261207[.gz]`
 * (`dateext`, any `dateformat` made of digits, `-` and `_`). Pure: the probe lists the candidates with
 * their mtimes and the first line it read of each; this chooses.
 */

/** At most this many rotated files per log. */
export const MAX_ROTATED_PER_LOG = 5;

/** logrotate's `compress` with its default gzip, or a `compresscmd` of xz, bzip2 or zstd. */
const COMPRESSED = '(\\.(?:gz|xz|bz2|zst))?';
const NUMBERED = new RegExp(`^\\.(\\d{1,4})${COMPRESSED}$`);
const DATEEXT = new RegExp(`^-(\\d{4}[-_]?\\d{2}[-_]?\\d{2}(?:[-_]?\\d{2,6})?)${COMPRESSED}$`);

export interface RotationName {
  naming: 'numbered' | 'dateext';
  /** Newer first within one naming: the number (`.1` = 1), or the date's digits (negated, so later is smaller). */
  order: number;
  /** Compressed (`.gz`, `.xz`, `.bz2`, `.zst`): older than the plain file of the same order. */
  gz: boolean;
}

/** How `path` is a rotated name of `of`; undefined when it is not one (any other suffix, a `/`). */
export function rotationName(of: string, path: string): RotationName | undefined {
  if (!path.startsWith(of) || path.length === of.length) return undefined;
  const suffix = path.slice(of.length);
  const n = NUMBERED.exec(suffix);
  if (n) return { naming: 'numbered', order: Number(n[1]), gz: n[2] !== undefined };
  const d = DATEEXT.exec(suffix);
  if (d?.[1])
    return { naming: 'dateext', order: -Number(d[1].replace(/[-_]/g, '').padEnd(14, '0')), gz: !!d[2] };
  return undefined;
}

const ERROR_TIME = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) /;
const ACCESS_TIME = /\[(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\]/;
const ISO_TIME = /(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-]\d{2}:\d{2}|Z)/;

/**
 * Epoch seconds of a log line's own time: the error log's local `2026/12/07 18:00:00` (at the host's
 * UTC offset), the access log's `[07/Dec/2026:18:00:00 +0000]` or `$time_iso8601`.
 */
export function lineTimeS(line: string, utcOffsetMinutes: number): number | undefined {
  const e = ERROR_TIME.exec(line);
  const toS = (ms: number | undefined) => (ms === undefined ? undefined : Math.floor(ms / 1000));
  if (e) {
    const [y, mo, d, h, mi, s] = e.slice(1).map(Number) as [number, number, number, number, number, number];
    return toS(wallClockToEpochMs(y, mo - 1, d, h, mi, s, utcOffsetMinutes));
  }
  const a = ACCESS_TIME.exec(line);
  if (a) {
    const month0 = monthIndex(a[2] ?? '');
    const off = parseUtcOffset(a[7] ?? '');
    if (month0 === undefined || off === undefined) return undefined;
    return toS(
      wallClockToEpochMs(Number(a[3]), month0, Number(a[1]), Number(a[4]), Number(a[5]), Number(a[6]), off),
    );
  }
  const i = ISO_TIME.exec(line);
  if (i) {
    const off = parseUtcOffset(i[7] ?? '');
    if (off === undefined) return undefined;
    const [y, mo, d, h, mi, s] = i.slice(1, 7).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    return toS(wallClockToEpochMs(y, mo - 1, d, h, mi, s, off));
  }
  return undefined;
}

/** The first line of `text` that carries a time, as epoch seconds (an upper bound of the file's start). */
export function firstTimeS(text: string, utcOffsetMinutes: number): number | undefined {
  let from = 0;
  for (let i = 0; i < 20 && from < text.length; i++) {
    const end = text.indexOf('\n', from);
    const line = text.slice(from, end < 0 ? undefined : end);
    const t = lineTimeS(line, utcOffsetMinutes);
    if (t !== undefined) return t;
    if (end < 0) break;
    from = end + 1;
  }
  return undefined;
}

/** One rotated file as listed on the host. */
export interface RotatedCandidate {
  path: string;
  /** Its last write: rotation (or compression, which keeps it) happens right after. */
  mtimeS: number;
  /** The time of its first line read (its start, or later if the read began mid-file). */
  startS?: number;
}

export interface RotationChain {
  /** Newest first: the files the window needs. */
  chain: RotatedCandidate[];
  /** The first file left out because of the bound (it may still hold the window's start). */
  leftOut?: RotatedCandidate;
}

/** Newer first: later mtime; on a tie, the name's order (`.1` before `.2.gz`, a later date first). */
export function newestFirst(of: string, candidates: readonly RotatedCandidate[]): RotatedCandidate[] {
  const named = candidates
    .map((c) => ({ c, name: rotationName(of, c.path) }))
    .filter((x): x is { c: RotatedCandidate; name: RotationName } => x.name !== undefined);
  named.sort(
    (a, b) =>
      b.c.mtimeS - a.c.mtimeS ||
      a.name.order - b.name.order ||
      Number(a.name.gz) - Number(b.name.gz) ||
      (a.c.path < b.c.path ? -1 : 1),
  );
  return named.map((x) => x.c);
}

/**
 * The predecessors the window needs: none when the current file starts at or before the window's
 * start; else newest first, every file written inside the window (mtime at or after its start),
 * stopping after the first one that starts at or before it, at most `max`. Names that are no rotation
 * of `of` are ignored.
 */
export function chooseRotationChain(
  of: string,
  candidates: readonly RotatedCandidate[],
  windowStartS: number,
  options: { currentStartS?: number; max?: number } = {},
): RotationChain {
  const max = options.max ?? MAX_ROTATED_PER_LOG;
  if (options.currentStartS !== undefined && options.currentStartS <= windowStartS) return { chain: [] };
  const chain: RotatedCandidate[] = [];
  for (const c of newestFirst(of, candidates)) {
    if (c.mtimeS < windowStartS) break;
    if (chain.length >= max) return { chain, leftOut: c };
    chain.push(c);
    if (c.startS !== undefined && c.startS <= windowStartS) break;
  }
  return { chain };
}
