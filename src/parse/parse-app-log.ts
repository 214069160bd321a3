import { APP_SIGNATURES, type AppSignature, LOG_STAMP } from './app-signatures.js';
import { probeFootprint } from './probe-footprints.js';
import { PumaWorkers } from './puma-workers.js';
import { ctimeToEpochMs, monthIndex, parseIsoTime, syslogTimeToEpochMs, wallClockToEpochMs } from './time.js';
import type { AppLogLine } from './types.js';

/**
 * App-server logs (php-fpm, gunicorn, uwsgi, puma, node, apache, and systemd's lines about the
 * unit): only lines matching a known signature are returned, with their time when it parses.
 * An undated line (a stack trace, a multi-line message) takes the time of the dated line above it,
 * the way log shippers join multi-line events: a crash trace from an earlier incident must not land
 * in every later window. Lines older than `sinceMs` are dropped, and so are undated lines above a
 * dated line older than `sinceMs` (the log is in time order); other lines with no dated line above
 * them are kept (the caller already read a bounded tail). A stamp (puma's startup banner) dates
 * nothing after it.
 */
export interface AppLogOptions {
  sinceMs?: number;
  /** Host offset from `date +%z`, for logs in local time without a zone (php-fpm, apache, uwsgi). */
  utcOffsetMinutes?: number;
}

const KIND_ALIASES: [RegExp, string][] = [
  [/php/, 'php-fpm'],
  [/gunicorn/, 'gunicorn'],
  [/uwsgi/, 'uwsgi'],
  [/puma/, 'puma'],
  [/node|pm2/, 'node'],
  [/apache|httpd/, 'apache'],
];

interface Matcher {
  any: RegExp;
  list: readonly AppSignature[];
  kind: string;
}

function matcherFor(list: readonly AppSignature[], kind: string): Matcher {
  // One alternation as a cheap pre-filter: most lines match nothing.
  return { any: new RegExp(list.map((s) => `(?:${s.pattern.source})`).join('|')), list, kind };
}

const MATCHERS = new Map<string, Matcher>();
function matcher(kind: string): Matcher {
  const norm = KIND_ALIASES.find(([re]) => re.test(kind.toLowerCase()))?.[1];
  const key = norm ?? '*';
  let m = MATCHERS.get(key);
  if (!m) {
    const lists = norm
      ? [APP_SIGNATURES[norm] ?? [], APP_SIGNATURES.any ?? [], APP_SIGNATURES.systemd ?? []]
      : Object.values(APP_SIGNATURES);
    m = matcherFor(lists.flat(), key);
    MATCHERS.set(key, m);
  }
  return m;
}

/**
 * How much of a line the signatures read. Real signature lines are short (a prefix, a timestamp,
 * a sentence); a longer line is read up to here and quoted with a note of what was not read, so a
 * 1 MiB hostile line costs what 4 KiB does.
 */
export const SIGNATURE_CHARS = 4096;

/** How far up an undated line looks for the dated line its entry started with (a long stack trace). */
const ENTRY_LINES = 200;

/** `line` cut to what the signatures read, with the cut said in the text itself. */
export function signatureHead(line: string): { head: string; shown: string } {
  if (line.length <= SIGNATURE_CHARS) return { head: line, shown: line };
  const head = line.slice(0, SIGNATURE_CHARS);
  return { head, shown: `${head}… [${line.length - SIGNATURE_CHARS} more characters not read]` };
}

/**
 * Known signature lines of `text`; an unknown `kind` tries every app server's signatures.
 * One pass, top to bottom: the last dated line and the last line of each context pattern are
 * carried along, so an undated line costs no look back (a log of 70,000 undated matching lines
 * would otherwise look 200 lines up for each).
 */
export function parseAppLog(kind: string, text: string, opts: AppLogOptions = {}): AppLogLine[] {
  const m = matcher(kind);
  const found: { at: number; line: AppLogLine }[] = [];
  const offset = opts.utcOffsetMinutes ?? 0;
  const contexts = [...new Set(m.list.flatMap((s) => (s.context ? [s.context] : [])))];
  const puma = m.kind === 'puma' ? new PumaWorkers() : undefined;
  // The nearest dated line above (the entry's first line), and per context pattern the nearest
  // matching line above that is not past it.
  let dated: { at: number; ms: number } | undefined;
  /** The last dated line older than the window: every undated line above it is older too. */
  let lastOld = -1;
  const lastContext = new Map<RegExp, { at: number; line: string }>();
  text.split('\n').forEach((raw, i) => {
    const { head, shown: full } = signatureHead(unCr(raw));
    const ownMs = appLogTimeMs(head, offset, opts.sinceMs);
    const stamp = ownMs !== undefined && LOG_STAMP.test(head);
    const found1 =
      m.any.test(head) && !probeFootprint(head) ? m.list.find((s) => s.pattern.test(head)) : undefined;
    // A worker re-booted after a death puma did not log (puma-workers.ts).
    const sig = puma?.rebootAfterDeath(head) ? { signal: 'crash' as const, context: undefined } : found1;
    if (sig) {
      const entryMs = dated && i - dated.at <= ENTRY_LINES ? dated.ms : undefined;
      const timeMs = ownMs ?? entryMs;
      const ctx = sig.context && lastContext.get(sig.context);
      const shown = ctx && i - ctx.at <= ENTRY_LINES ? ctx.line : full;
      if (timeMs === undefined || opts.sinceMs === undefined || timeMs >= opts.sinceMs)
        found.push({
          at: i,
          line:
            timeMs === undefined
              ? { signal: sig.signal, line: shown }
              : { signal: sig.signal, line: shown, timeMs },
        });
    }
    if (ownMs !== undefined) {
      dated = stamp ? undefined : { at: i, ms: ownMs };
      if (opts.sinceMs !== undefined && ownMs < opts.sinceMs) lastOld = i;
    }
    if (contexts.length > 0) {
      // A dated line ends the look back (the entry's first line), unless it matches itself.
      const isDated = (opts.sinceMs === undefined ? ownMs : appLogTimeMs(head, offset)) !== undefined;
      for (const re of contexts) {
        if (re.test(head)) lastContext.set(re, { at: i, line: full });
        else if (isDated) lastContext.delete(re);
      }
    }
  });
  return found.filter((f) => f.line.timeMs !== undefined || f.at > lastOld).map((f) => f.line);
}

function unCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

const HEAD_CHARS = 160;
// php-fpm `[21-Nov-2026 10:52:04]` (optionally `.123456`), local time.
const FPM_RE = /\[(\d\d)-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?\]/;
// ctime as uwsgi and apache print it: `Sat Nov 21 10:52:04 2026`, apache with `.123456`; local time.
const CTIME_RE =
  /(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Za-z]{3}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.\d+)? (\d{4})/;
// ISO 8601 (node, journald short-iso, kubernetes, gunicorn `[2026-11-21 10:52:04 +0000]`).
const ISO_RE = /\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d/;
// journald's default `short` prefix: `Nov 21 10:52:04 host unit[pid]: `.
const SYSLOG_RE = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d:\d\d:\d\d) /;

/** The line's time from the earliest timestamp form found near its start. */
export function appLogTimeMs(
  line: string,
  utcOffsetMinutes: number,
  referenceMs?: number,
): number | undefined {
  const head = line.length > HEAD_CHARS ? line.slice(0, HEAD_CHARS) : line;
  const candidates: { at: number; ms: () => number | undefined }[] = [];
  const fpm = FPM_RE.exec(head);
  if (fpm) {
    candidates.push({
      at: fpm.index,
      ms: () => {
        const month = monthIndex(fpm[2] ?? '');
        if (month === undefined) return undefined;
        const millis = fpm[7] === undefined ? 0 : Number(fpm[7].slice(0, 3).padEnd(3, '0'));
        return wallClockToEpochMs(
          Number(fpm[3]),
          month,
          Number(fpm[1]),
          Number(fpm[4]),
          Number(fpm[5]),
          Number(fpm[6]),
          utcOffsetMinutes,
          millis,
        );
      },
    });
  }
  const ct = CTIME_RE.exec(head);
  if (ct) {
    candidates.push({
      at: ct.index,
      ms: () => ctimeToEpochMs(ct.slice(1, 7), utcOffsetMinutes),
    });
  }
  const iso = ISO_RE.exec(head);
  if (iso)
    candidates.push({ at: iso.index, ms: () => parseIsoTime(head.slice(iso.index), utcOffsetMinutes) });
  const sys = SYSLOG_RE.exec(head);
  if (sys && referenceMs !== undefined) {
    candidates.push({
      at: 0,
      ms: () =>
        syslogTimeToEpochMs(sys[1] ?? '', Number(sys[2]), sys[3] ?? '', utcOffsetMinutes, referenceMs),
    });
  }
  candidates.sort((a, b) => a.at - b.at);
  for (const c of candidates) {
    const t = c.ms();
    if (t !== undefined) return t;
  }
  return undefined;
}
