import type { AccessRecord } from './types.js';

/**
 * 502s and 504s per time bucket over the window, per upstream (the last item of `$upstream_addr`: the
 * try the client got, as in access-stats.ts) or, when the log_format has no `$upstream_addr`, one
 * series for all requests. Built from the records the access-log probe already parsed, for the chart.
 */

export interface ErrorSeriesLine {
  /** An upstream address, `nginx (no upstream)` for `-`, `other upstreams`, or `all requests`. */
  key: string;
  /** Counts per bucket, oldest first; both arrays have `ErrorSeries.buckets` items. */
  c502: number[];
  c504: number[];
}

export interface ErrorSeries {
  /** Epoch ms of the first bucket (the window start, rounded down to the bucket). */
  startMs: number;
  /** Bucket width in seconds: 60, or a multiple of it for long windows (at most MAX_BUCKETS bars). */
  bucketS: number;
  buckets: number;
  /** `upstream`: one line per `$upstream_addr`; `status`: the format has no upstream fields. */
  by: 'upstream' | 'status';
  lines: ErrorSeriesLine[];
  /** The earliest 502/504 inside the window. */
  firstErrorMs?: number;
  total502: number;
  total504: number;
}

export interface ErrorSeriesOptions {
  sinceMs: number;
  untilMs: number;
  /** Lines beyond this many (ranked by errors) are summed into `other upstreams`. */
  maxLines?: number;
}

const MAX_BUCKETS = 180;
const DEFAULT_MAX_LINES = 5;
const NO_UPSTREAM = 'nginx (no upstream)';
const OTHER = 'other upstreams';
const ALL = 'all requests';

/** Undated records and records outside [sinceMs, untilMs] are left out: a bar needs a time. */
export function computeErrorSeries(
  records: readonly (AccessRecord | undefined)[],
  opts: ErrorSeriesOptions,
): ErrorSeries {
  const spanMin = Math.max(1, Math.ceil((opts.untilMs - opts.sinceMs) / 60_000));
  const bucketS = 60 * Math.ceil(spanMin / MAX_BUCKETS);
  const bucketMs = bucketS * 1000;
  const startMs = Math.floor(opts.sinceMs / bucketMs) * bucketMs;
  const buckets = Math.max(1, Math.ceil((opts.untilMs - startMs) / bucketMs));
  const byUpstream = records.some((r) => r !== undefined && r.upstreamAddr.length > 0);
  const per = new Map<string, ErrorSeriesLine>();
  let firstErrorMs: number | undefined;
  let total502 = 0;
  let total504 = 0;

  for (const r of records) {
    if (r === undefined || (r.status !== 502 && r.status !== 504) || r.timeMs === undefined) continue;
    if (r.timeMs < opts.sinceMs || r.timeMs > opts.untilMs) continue;
    const key = byUpstream ? upstreamKey(r) : ALL;
    let line = per.get(key);
    if (!line) {
      line = { key, c502: new Array(buckets).fill(0), c504: new Array(buckets).fill(0) };
      per.set(key, line);
    }
    const i = Math.min(buckets - 1, Math.floor((r.timeMs - startMs) / bucketMs));
    if (r.status === 502) {
      line.c502[i] = (line.c502[i] ?? 0) + 1;
      total502++;
    } else {
      line.c504[i] = (line.c504[i] ?? 0) + 1;
      total504++;
    }
    if (firstErrorMs === undefined || r.timeMs < firstErrorMs) firstErrorMs = r.timeMs;
  }

  const ranked = [...per.values()].sort((a, b) => sum(b) - sum(a) || a.key.localeCompare(b.key));
  const maxLines = opts.maxLines ?? DEFAULT_MAX_LINES;
  const lines =
    ranked.length > maxLines
      ? [...ranked.slice(0, maxLines - 1), merge(ranked.slice(maxLines - 1), buckets)]
      : ranked;
  return {
    startMs,
    bucketS,
    buckets,
    by: byUpstream ? 'upstream' : 'status',
    lines,
    ...(firstErrorMs !== undefined ? { firstErrorMs } : {}),
    total502,
    total504,
  };
}

function upstreamKey(r: AccessRecord): string {
  const last = r.upstreamAddr.at(-1);
  return last === undefined || last === '' || last === '-' ? NO_UPSTREAM : last;
}

function sum(l: ErrorSeriesLine): number {
  return l.c502.reduce((a, b) => a + b, 0) + l.c504.reduce((a, b) => a + b, 0);
}

function merge(rest: ErrorSeriesLine[], buckets: number): ErrorSeriesLine {
  const out: ErrorSeriesLine = {
    key: OTHER,
    c502: new Array(buckets).fill(0),
    c504: new Array(buckets).fill(0),
  };
  for (const l of rest) {
    l.c502.forEach((n, i) => {
      out.c502[i] = (out.c502[i] ?? 0) + n;
    });
    l.c504.forEach((n, i) => {
      out.c504[i] = (out.c504[i] ?? 0) + n;
    });
  }
  return out;
}
