import type { ErrorLogEntry } from '../../parse/types.js';
import type { Evidence, ServiceEvidence, TargetCheck } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action } from './actions.js';
import { listenerFor } from './app-listeners.js';
import { agoLabel, clockOf, entryMs, spanS } from './clock.js';
import { summarize } from './log-signals.js';
import type { Peer } from './peers.js';

/** `HH:MM:SS` of an epoch time on the host's clock (the error log's local time). */
function hostClockTime(ev: Evidence, ms: number): string {
  return new Date(ms + ev.utcOffsetMinutes * 60_000).toISOString().slice(11, 19);
}

export interface RestartFit {
  /** The service (re)started in the window and the errors stop around the start. */
  fits: boolean;
  /** Error times could be placed on the host clock (offset known). */
  timed: boolean;
  ageS: number;
}

/**
 * Catalog C28: errors clustered around a restart, upstream healthy now. The service must be young
 * enough to have started inside the window, and (when timestamps can be placed) the last error must
 * come no later than a minute after the start.
 */
export function restartFit(
  ev: Evidence,
  svc: ServiceEvidence | undefined,
  list: ErrorLogEntry[],
  p?: Peer,
): RestartFit {
  const no: RestartFit = { fits: false, timed: false, ageS: 0 };
  if (svc?.running !== true) return no;
  // The process that listens on the target now is the one that (re)started: a `process` pattern or
  // a kind can match older, unrelated processes (a pm2 daemon, another python), so ss comes first.
  const ageS = listenerFor(ev, p)?.ageS ?? svc.ageS;
  if (ageS === undefined) return no;
  const startedMs = ev.collectedAtMs - ageS * 1000;
  if (startedMs < ev.windowStartMs - 60_000) return no;
  const last = list.at(-1);
  const lastMs = last ? entryMs(ev, last) : undefined;
  if (lastMs === undefined) return { fits: true, timed: false, ageS };
  return { fits: lastMs <= startedMs + 60_000, timed: true, ageS };
}

/** The restart-window finding for one target that answers now. */
export function restartWindowFinding(
  ev: Evidence,
  svc: ServiceEvidence,
  tc: TargetCheck,
  label: string,
  list: ErrorLogEntry[],
  fit: RestartFit,
  /** The peer that answers now, to quote the ss line of what listens there. */
  peer?: Peer,
): Finding {
  const starts = svc.logLines
    .filter((l) => l.signal === 'started' || l.signal === 'stopped')
    .map((l) => l.line);
  const burst = `${list.length} errors on ${label} between ${clockOf(list[0])} and ${clockOf(list.at(-1))} (${Math.round(spanS(list))}s)`;
  const startedAt = hostClockTime(ev, ev.collectedAtMs - fit.ageS * 1000);
  const listener = listenerFor(ev, peer);
  return {
    cause: 'restart-window',
    // Self-healed bursts are only "likely" without placed timestamps; with them the fit is exact.
    confidence: fit.timed ? 0.85 : 0.65,
    title: `Restart window: ${burst}; ${svc.name} (re)started at ${startedAt} (${agoLabel(fit.ageS)}) and ${label} answers now`,
    evidence: [
      ...summarize(ev, list),
      ...tc.lines,
      ...(listener ? [listener.line] : []),
      `${svc.name} process started at ${startedAt} host time (${Math.round(fit.ageS)}s before the diagnosis)`,
      ...starts.slice(-3),
    ],
    remediation: [
      `Nothing to repair now: ${label} accepts connections again (${tc.detail}).`,
      `Confirm the event: journalctl -u ${svc.name} --since "-1h" --no-pager | grep -E 'Stopping|Started|Stopped'; grep -E 'upgrade|configure' /var/log/dpkg.log | tail`,
      `Make restarts graceful: systemctl reload ${svc.name} where the server supports it (php-fpm, gunicorn HUP), or systemd socket activation so the listening socket survives restarts.`,
      'For deploys: a second upstream server (or backup) with proxy_next_upstream error timeout, and roll one peer at a time.',
    ],
    actions: [action('review-deploy-process', 'human', 'Make deploys/restarts graceful')],
  };
}
