import type { AccessRecord, AccessStats, UpstreamAccessStats } from './types.js';

/**
 * Catalog 5.3: per-upstream final 502/504 counts (by the try the client got: the last item of
 * `$upstream_addr`), per-try failures (502/504 items of `$upstream_status`, hidden by successful
 * retries), nginx-generated vs upstream-generated final 502s, the non-idempotent share and the
 * `$upstream_response_time` of failed requests (timeouts cluster at 30 s / 60 s, refusals at 0).
 */

const NON_IDEMPOTENT = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const DEFAULT_SAMPLES = 5;
/** Requests that never reached an upstream (`$upstream_addr` is `-`). */
const NO_UPSTREAM = '-';

export interface AccessStatsOptions {
  /** Records before this time are skipped; records without a time are kept. */
  sinceMs?: number;
  /** Lines that did not parse, when the caller passes only parsed records. */
  unparsed?: number;
  maxSamples?: number;
}

/** `records` may hold `undefined` for lines that did not parse (counted as `unparsed`). */
export function computeAccessStats(
  records: readonly (AccessRecord | undefined)[],
  opts: AccessStatsOptions = {},
): AccessStats {
  const stats: AccessStats = {
    total: 0,
    unparsed: opts.unparsed ?? 0,
    byStatus: {},
    perUpstream: [],
    nginxGenerated502: 0,
    upstreamGenerated502: 0,
    upstreamGenerated: {},
    unattributed: {},
    nonIdempotentFailures: 0,
    failureResponseTimesS: [],
    hasUpstreamFields: false,
    samples: [],
  };
  stats.total = stats.unparsed;
  const per = new Map<string, UpstreamAccessStats>();
  const entry = (upstream: string): UpstreamAccessStats => {
    let s = per.get(upstream);
    if (!s) {
      s = { upstream, requests: 0, final502: 0, final504: 0, relayed: 0, tries: 0, tryFailures: 0 };
      per.set(upstream, s);
    }
    return s;
  };
  const maxSamples = opts.maxSamples ?? DEFAULT_SAMPLES;

  for (const r of records) {
    if (r === undefined) {
      stats.unparsed++;
      stats.total++;
      continue;
    }
    if (opts.sinceMs !== undefined && r.timeMs !== undefined && r.timeMs < opts.sinceMs) continue;
    stats.total++;
    const key = String(r.status).padStart(3, '0');
    stats.byStatus[key] = (stats.byStatus[key] ?? 0) + 1;
    const failed = r.status === 502 || r.status === 504;
    // A relayed 503 is C26 evidence too: sampled with the 502/504s.
    if (failed || r.status === 503) {
      stats.samples.push(r.raw);
      if (stats.samples.length > maxSamples) stats.samples.shift();
    }
    if (failed) {
      if (r.method !== undefined && NON_IDEMPOTENT.has(r.method)) stats.nonIdempotentFailures++;
      const urt = Number(r.upstreamResponseTime.at(-1));
      if (r.upstreamResponseTime.length > 0 && Number.isFinite(urt)) stats.failureResponseTimesS.push(urt);
    }
    if (r.upstreamAddr.length === 0) continue;
    stats.hasUpstreamFields = true;

    const last = r.upstreamAddr.at(-1) || NO_UPSTREAM;
    const s = entry(last);
    s.requests++;
    if (r.status === 502) s.final502++;
    if (r.status === 504) s.final504++;
    if (r.status >= 502 && r.status <= 504) countOrigin(r, stats, s);
    if (last === NO_UPSTREAM) continue;
    r.upstreamAddr.forEach((addr, i) => {
      if (addr === '' || addr === NO_UPSTREAM) return;
      const t = entry(addr);
      t.tries++;
      const st = r.upstreamStatus[i];
      if (st === '502' || st === '504') t.tryFailures++;
    });
  }
  stats.perUpstream = [...per.values()].sort(
    (a, b) =>
      b.final502 + b.final504 - (a.final502 + a.final504) ||
      b.tryFailures - a.tryFailures ||
      b.requests - a.requests,
  );
  return stats;
}

/**
 * Catalog 2.1: a final 502 with `$upstream_header_time` `-` (or no upstream at all) was made by
 * nginx; a numeric header time means the backend itself answered (C26). nginx never turns a failed
 * try into a 503, so a 503 in `$upstream_status` is the peer's own. Formats without
 * `$upstream_header_time` leave 502/504s with a peer status unattributed (the error log decides);
 * formats without `$upstream_status` either (ingress without its header time) cannot tell at all.
 */
function countOrigin(r: AccessRecord, stats: AccessStats, peer: UpstreamAccessStats): void {
  const status = String(r.status);
  const lastAddr = r.upstreamAddr.at(-1);
  if (lastAddr === NO_UPSTREAM || lastAddr === '') {
    if (r.status === 502) stats.nginxGenerated502++;
    return;
  }
  const us = r.upstreamStatus.at(-1);
  const uht = r.upstreamHeaderTime.at(-1);
  const answered =
    uht !== undefined && uht !== '-' && uht !== '' && Number.isFinite(Number(uht))
      ? true
      : uht !== undefined
        ? false
        : us === '503' && r.status === 503
          ? true
          : undefined;
  if (answered === false) {
    if (r.status === 502) stats.nginxGenerated502++;
    return;
  }
  if (answered === true) {
    if (r.status === 502) stats.upstreamGenerated502++;
    stats.upstreamGenerated[status] = (stats.upstreamGenerated[status] ?? 0) + 1;
    peer.relayed++;
    return;
  }
  // No header time: a peer status equal to the final one is the peer's answer or nginx's verdict.
  if (us === status) {
    stats.unattributed[status] = (stats.unattributed[status] ?? 0) + 1;
    peer.relayed++;
  }
}
