import { describe, expect, it } from 'vitest';
import { errorChart } from '../../../src/diagnosis/chart-data.js';
import { computeErrorSeries } from '../../../src/parse/error-series.js';
import { parseAccessLog } from '../../../src/parse/parse-access-log.js';
import { healthy, NOW_MS, svc, withErrors } from '../rules/evidence-builder.js';

/** The chart's markers from the evidence rules already read: error log, process ages, app-log starts. */
const ACCESS = [
  '203.0.113.7 - - [21/Nov/2026:10:04:10 +0000] "GET /cart HTTP/1.1" 502 157 "-" "Mozilla/5.0" rt=0.001 ua="127.0.0.1:8081" us="502" uct="-" uht="-" urt="0.000" ul="0" cs=- host="shop.example.com"',
  '203.0.113.8 - - [21/Nov/2026:10:05:31 +0000] "GET /cart HTTP/1.1" 502 157 "-" "Mozilla/5.0" rt=0.001 ua="127.0.0.1:8081" us="502" uct="-" uht="-" urt="0.000" ul="0" cs=- host="shop.example.com"',
].join('\n');
const ERRORS = [
  '2026/11/21 10:04:09 [error] 2131#2131: *41 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.7, server: shop.example.com, request: "GET /cart HTTP/1.1", upstream: "http://127.0.0.1:8081/cart", host: "shop.example.com"',
  '2026/11/21 10:11:02 [notice] 2120#2120: signal 1 (SIGHUP) received from 5021, reconfiguring',
  '2026/11/21 10:11:02 [notice] 2120#2120: reconfiguring',
].join('\n');

function incident() {
  const ev = withErrors(healthy(), ERRORS);
  ev.accessSeries = computeErrorSeries(parseAccessLog(ACCESS, 'upstream_time').records, {
    sinceMs: ev.windowStartMs,
    untilMs: ev.collectedAtMs,
  });
  return ev;
}

describe('errorChart', () => {
  it('marks the first error (error log before access log), a restart in the window and one reload', () => {
    const ev = incident();
    svc(ev, 'app').ageS = 320; // gunicorn started 10:09:40; php-fpm (a day old) is no event
    ev.nginx.workerAgeS = 238; // workers respawned by the reload at 10:11:02: the same event
    const chart = errorChart(ev);
    expect(chart).toMatchObject({ total502: 2, total504: 0, endMs: NOW_MS, buckets: 15, bucketS: 60 });
    expect(chart?.lines.map((l) => l.key)).toEqual(['127.0.0.1:8081']);
    expect(chart?.markers).toEqual([
      { kind: 'first-error', atMs: Date.UTC(2026, 10, 21, 10, 4, 9), label: 'first error' },
      { kind: 'restart', atMs: Date.UTC(2026, 10, 21, 10, 9, 40), label: 'app started' },
      { kind: 'config-change', atMs: Date.UTC(2026, 10, 21, 10, 11, 2), label: 'nginx reload' },
    ]);
  });

  it('a restart logged by the app server itself (gunicorn "Booting worker") is marked too', () => {
    const ev = incident();
    svc(ev, 'app').logLines = [
      {
        signal: 'started',
        line: '[2026-11-21 10:07:00 +0000] [812] [INFO] Booting worker with pid: 812',
        timeMs: Date.UTC(2026, 10, 21, 10, 7, 0),
      },
    ];
    expect(errorChart(ev)?.markers.map((m) => m.label)).toEqual([
      'first error',
      'app started',
      'nginx reload',
    ]);
  });

  it('no 502/504 in the window, or no access log: no chart', () => {
    const ev = healthy();
    ev.accessSeries = computeErrorSeries([], { sinceMs: ev.windowStartMs, untilMs: ev.collectedAtMs });
    expect(errorChart(ev)).toBeUndefined();
    ev.accessSeries = undefined;
    expect(errorChart(ev)).toBeUndefined();
  });
});
