import type { ErrorSeries } from '../parse/error-series.js';
import { upstreamErrorEntries } from '../parse/log-window.js';
import { errorLogTimeToEpochMs } from '../parse/parse-error-log.js';
import type { Evidence } from './evidence.js';

/** A moment drawn on the chart as a vertical line with a label. */
export interface ChartMarker {
  kind: 'first-error' | 'restart' | 'config-change';
  atMs: number;
  /** e.g. `first 502`, `php8.2-fpm started`, `nginx reload`. */
  label: string;
}

/** What the chart shows: the per-bucket series plus the moments that explain it. */
export interface ErrorChart extends ErrorSeries {
  /** Window end (when collection finished), epoch ms. */
  endMs: number;
  markers: ChartMarker[];
}

/** nginx's notice when it re-reads its configuration (`nginx -s reload`, SIGHUP, `systemctl reload`). */
const RELOAD_RE = /signal 1 \(SIGHUP\) received|reconfiguring/;
/** Two events of one kind closer than this are one event (a restart logs several `started` lines). */
const SAME_EVENT_MS = 30_000;

/**
 * The chart of one host, or undefined when the access log was not read or holds no 502/504 in the
 * window (the worker posts a chart only when there is something to look at). Pure.
 */
export function errorChart(ev: Evidence): ErrorChart | undefined {
  const series = ev.accessSeries;
  if (!series || series.total502 + series.total504 === 0) return undefined;
  const inWindow = (ms: number | undefined): ms is number =>
    ms !== undefined && ms >= ev.windowStartMs && ms <= ev.collectedAtMs;
  const markers: ChartMarker[] = [];

  const firstLogged = upstreamErrorEntries(ev.errorLog?.entries ?? [])
    .map((e) => errorLogTimeToEpochMs(e.timestamp, ev.utcOffsetMinutes))
    .find(inWindow);
  const first = [series.firstErrorMs, firstLogged].filter(inWindow).sort((a, b) => a - b)[0];
  if (first !== undefined) markers.push({ kind: 'first-error', atMs: first, label: 'first error' });

  // Restarts: a process that started inside the window (the restart-window rule's own clue), and
  // the app server's own `started` lines.
  const ageStart = (ageS: number | undefined) =>
    ageS === undefined ? undefined : ev.collectedAtMs - ageS * 1000;
  for (const svc of ev.services) {
    const at = [
      ageStart(svc.ageS),
      ...svc.logLines.filter((l) => l.signal === 'started').map((l) => l.timeMs),
    ].filter(inWindow);
    for (const ms of at) markers.push({ kind: 'restart', atMs: ms, label: `${svc.name} started` });
  }
  const master = ageStart(ev.nginx.masterAgeS);
  if (inWindow(master)) markers.push({ kind: 'restart', atMs: master, label: 'nginx started' });

  // Config changes: nginx's reload notice, or workers younger than their master (a reload respawns
  // the workers and keeps the master).
  for (const e of ev.errorLog?.entries ?? []) {
    if (!RELOAD_RE.test(e.message)) continue;
    const ms = errorLogTimeToEpochMs(e.timestamp, ev.utcOffsetMinutes);
    if (inWindow(ms)) markers.push({ kind: 'config-change', atMs: ms, label: 'nginx reload' });
  }
  const workers = ageStart(ev.nginx.workerAgeS);
  if (inWindow(workers) && master !== undefined && workers - master > SAME_EVENT_MS) {
    markers.push({ kind: 'config-change', atMs: workers, label: 'nginx reload' });
  }
  return { ...series, endMs: ev.collectedAtMs, markers: dedupe(markers) };
}

/** One marker per label within SAME_EVENT_MS (the earliest), in time order. */
function dedupe(markers: ChartMarker[]): ChartMarker[] {
  const out: ChartMarker[] = [];
  for (const m of [...markers].sort((a, b) => a.atMs - b.atMs)) {
    if (out.some((o) => o.label === m.label && Math.abs(o.atMs - m.atMs) < SAME_EVENT_MS)) continue;
    out.push(m);
  }
  return out;
}
