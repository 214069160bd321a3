/**
 * Timestamp helpers shared by the log parsers. Most logs on a host write local time without a zone
 * (nginx error log, php-fpm, apache, `dmesg -T`); the caller passes the host's UTC offset in minutes,
 * read with `date +%z` (see `parseUtcOffset`).
 */

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

/** `Nov` / `november` -> 10; `undefined` for anything else. */
export function monthIndex(name: string): number | undefined {
  return MONTHS[name.slice(0, 3).toLowerCase()];
}

/**
 * Epoch ms of a wall-clock time at a fixed UTC offset (minutes east of UTC, `+0200` -> 120).
 * Returns `undefined` when a field is out of range, so that garbage never turns into a date.
 */
export function wallClockToEpochMs(
  year: number,
  month0: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  utcOffsetMinutes: number,
  millis = 0,
): number | undefined {
  if (month0 < 0 || month0 > 11 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return undefined;
  }
  const utc = Date.UTC(year, month0, day, hour, minute, second, millis);
  if (Number.isNaN(utc)) return undefined;
  return utc - utcOffsetMinutes * 60_000;
}

const OFFSET_RE = /^([+-])(\d\d):?(\d\d)$/;

/** `+0200`, `-05:30`, `Z` (as printed by `date +%z` or in a log) -> minutes east of UTC. */
export function parseUtcOffset(text: string): number | undefined {
  const t = text.trim();
  if (t === 'Z' || t === 'UTC' || t === 'GMT') return 0;
  const m = OFFSET_RE.exec(t);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/**
 * A C `ctime` stamp (`Sat Nov 21 10:52:04 2026`, php-fpm's and `dmesg -T`'s) from its captured
 * fields in order: month name, day, hours, minutes, seconds, year.
 */
export function ctimeToEpochMs(
  [monthName, day, h, min, sec, year]: readonly (string | undefined)[],
  utcOffsetMinutes: number,
): number | undefined {
  const month = monthIndex(monthName ?? '');
  if (month === undefined) return undefined;
  return wallClockToEpochMs(
    Number(year),
    month,
    Number(day),
    Number(h),
    Number(min),
    Number(sec),
    utcOffsetMinutes,
  );
}

// `2026-11-21T10:52:04.123Z`, `2026-11-21 10:52:04,123 +0000`, `2026-11-21T10:52:04+00:00`.
const ISO_RE = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(?: ?(Z|[+-]\d\d:?\d\d))?/;

/** An ISO-8601-ish timestamp at the start of `text`; without a zone, `utcOffsetMinutes` applies. */
export function parseIsoTime(text: string, utcOffsetMinutes = 0): number | undefined {
  const m = ISO_RE.exec(text);
  if (!m) return undefined;
  const zone = m[8] === undefined ? utcOffsetMinutes : parseUtcOffset(m[8]);
  if (zone === undefined) return undefined;
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  return wallClockToEpochMs(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
    zone,
    millis,
  );
}

/**
 * Syslog timestamps (`Nov 21 10:52:04`, journald's default `short` output) carry no year: take the
 * year of `referenceMs` (the window start, or now) and move a year when that would put the line about
 * half a year away from the reference (a December line read in January, and the reverse).
 */
export function syslogTimeToEpochMs(
  monthName: string,
  day: number,
  hms: string,
  utcOffsetMinutes: number,
  referenceMs: number,
): number | undefined {
  const month0 = monthIndex(monthName);
  const [h, mi, s] = hms.split(':').map(Number);
  if (month0 === undefined || h === undefined || mi === undefined || s === undefined) return undefined;
  const year = new Date(referenceMs + utcOffsetMinutes * 60_000).getUTCFullYear();
  const t = wallClockToEpochMs(year, month0, day, h, mi, s, utcOffsetMinutes);
  if (t === undefined) return undefined;
  if (t - referenceMs > 180 * 86_400_000)
    return wallClockToEpochMs(year - 1, month0, day, h, mi, s, utcOffsetMinutes);
  if (referenceMs - t > 185 * 86_400_000)
    return wallClockToEpochMs(year + 1, month0, day, h, mi, s, utcOffsetMinutes);
  return t;
}

/** A host's own clock and zone, as its `date "+%s %z"` printed them. */
export interface HostClock {
  nowS: number;
  utcOffsetMinutes: number;
}
