import type { ErrorLogEntry } from '../../parse/types.js';
import type { Evidence, ServiceEvidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action, oomKilled } from './actions.js';
import { groupsFor, siteRef, versionAtLeast } from './config.js';
import { groupByPeer, summarize, withSignature } from './log-signals.js';
import { findTarget, owningService, type Peer, parsePeer, peerLabel } from './peers.js';
import { signalLines } from './service-errors.js';
import { parseSeconds } from './timing.js';

/** Backend idle-timeout defaults (catalog C12): Node 5s, gunicorn 2s, Apache 5s, Puma 20s. */
const IDLE_DEFAULTS: Record<string, number> = { node: 5, gunicorn: 2, apache: 5, puma: 20 };
const IDLE_KEYS = [
  'keepAliveTimeout',
  'keepalive',
  'KeepAliveTimeout',
  'persistent_timeout',
  'keepalive_timeout',
];

function backendIdleS(svc: ServiceEvidence | undefined): number | undefined {
  if (!svc) return undefined;
  for (const k of IDLE_KEYS) {
    const raw = svc.settings[k];
    // Node's keepAliveTimeout is in ms.
    const v = k === 'keepAliveTimeout' && raw && /^\d+$/.test(raw) ? Number(raw) / 1000 : parseSeconds(raw);
    if (v !== undefined) return v;
  }
  return IDLE_DEFAULTS[svc.kind];
}

const NON_IDEMPOTENT = /^(POST|PUT|PATCH|DELETE|LOCK) /;

/**
 * Catalog C12: sporadic resets / premature closes dominated by POSTs (GETs are retried on a fresh
 * connection), backend healthy, no crash/OOM/timeout kills, keepalive in effect (explicit `keepalive`
 * or nginx >= 1.29.7 where upstream{} keepalive is on by default) and a backend idle timeout below
 * nginx's upstream keepalive_timeout (default 60s).
 */
export function keepaliveRaceRule(ev: Evidence): Finding[] {
  const list = withSignature(ev, 'premature_header', 'reset_header', 'send_failed');
  const out: Finding[] = [];
  for (const [raw, group] of groupByPeer(list)) {
    const p = parsePeer(raw);
    const svc = owningService(ev, p);
    const tc = findTarget(ev, p);
    if (tc && tc.state !== 'open') continue;
    if (
      svc &&
      (oomKilled(ev, svc) ||
        signalLines(svc, 'crash', 'worker-killed-signal', 'worker-timeout', 'request-too-large').length > 0)
    )
      continue;
    if (svc?.running === false || (ev.kernel?.segfaults.length ?? 0) > 0) continue;
    const upstream = groupsFor(ev, p)[0];
    const keepaliveOn =
      upstream !== undefined &&
      (upstream.keepalive !== undefined
        ? upstream.keepalive > 0
        : versionAtLeast(ev.nginx.version, '1.29.7'));
    const nginxIdle = upstream?.keepaliveTimeoutS ?? 60;
    const backendIdle = backendIdleS(svc);
    const shorter = backendIdle !== undefined && backendIdle <= nginxIdle;
    const post = postShare(ev, group);
    const lowRate = isLowRate(ev, group);
    if (!lowRate && !(quietWindow(ev) && post === 1 && answeredOthers(ev, p))) continue;
    // Each confirming fact adds weight; all of them together still leave room for a hidden crash,
    // more room when the window is too quiet to show the low rate.
    const confidence = Math.min(
      lowRate ? 0.85 : 0.8,
      0.4 +
        (post >= 0.5 ? 0.2 : 0) +
        (keepaliveOn ? 0.1 : 0) +
        (shorter ? 0.1 : 0) +
        (tc?.state === 'open' ? 0.05 : 0),
    );
    const label = p ? peerLabel(p) : 'the upstream';
    const target = backendIdle !== undefined ? Math.max(1, Math.floor(backendIdle) - 1) : 4;
    const block = upstream
      ? `upstream ${upstream.name} (${siteRef(upstream)})`
      : `an upstream {} block for ${label}`;
    out.push({
      cause: 'keepalive-race',
      confidence,
      title: `${label} closes idle keepalive connections before nginx does: ${group.length}${lowRate ? ' sporadic' : ''} resets, ${Math.round(post * 100)}% on POST/PUT/PATCH`,
      evidence: [
        ...summarize(ev, group),
        `nginx upstream keepalive_timeout ${nginxIdle}s${keepaliveOn ? '' : ' (keepalive not confirmed on)'}; backend idle timeout ${
          backendIdle !== undefined ? `${backendIdle}s` : 'unknown'
        }${svc ? ` (${svc.name}, ${svc.kind})` : ''}`,
        ...(tc ? [tc.detail] : []),
      ],
      remediation: [
        `Set keepalive_timeout ${target}s; inside ${block}, below the backend's idle timeout, then nginx -t && nginx -s reload`,
        svc?.kind === 'node'
          ? 'Or raise the backend above nginx: server.keepAliveTimeout = 65000; server.headersTimeout = 66000;'
          : `Or raise the backend's keep-alive timeout above ${nginxIdle}s.`,
        'Only if POSTs are safe to replay: proxy_next_upstream error timeout non_idempotent; last resort: keepalive 0; in the upstream block.',
      ],
      // Catalog C12: keepalive_timeout below the backend = GUARDED; non_idempotent retries = HUMAN.
      actions: [
        action('set-upstream-keepalive-timeout', 'guarded', `Set keepalive_timeout ${target}s in ${block}`),
      ],
    });
  }
  return out;
}

function postShare(ev: Evidence, group: ErrorLogEntry[]): number {
  const a = ev.accessLog;
  const failed = (a?.byStatus['502'] ?? 0) + (a?.byStatus['504'] ?? 0);
  if (a && failed > 0) return a.nonIdempotentFailures / failed;
  const withReq = group.filter((e) => e.request);
  return withReq.length === 0
    ? 0
    : withReq.filter((e) => NON_IDEMPOTENT.test(e.request ?? '')).length / withReq.length;
}

/** Low rate: under 2% of requests, or (without an access log) a few dozen lines in the window. */
function isLowRate(ev: Evidence, group: ErrorLogEntry[]): boolean {
  const total = ev.accessLog?.total ?? 0;
  return total > 0 ? group.length / total < 0.02 : group.length <= 30;
}

/** Below this many requests in the window a rate says little: one failure is already 2%. */
const MIN_REQUESTS_FOR_RATE = 50;

/**
 * Too few requests in the window to judge "low rate". Then failures only on requests nginx does
 * not retry, from a backend that served the others, are the C12 pattern all the same (GETs were
 * retried on a fresh connection): see answeredOthers.
 */
function quietWindow(ev: Evidence): boolean {
  const total = ev.accessLog?.total;
  return total !== undefined && total < MIN_REQUESTS_FOR_RATE;
}

/** The same upstream answered other requests in the window (access log). */
function answeredOthers(ev: Evidence, p: Peer | undefined): boolean {
  if (!p) return false;
  const label = peerLabel(p);
  const up = ev.accessLog?.perUpstream.find((u) => u.upstream === label);
  return up !== undefined && up.requests > up.final502 + up.final504;
}
