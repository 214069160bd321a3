/**
 * A 502/504 chart from the lab's own access-log lines, through the real parser and series: `n`
 * 502s at 10:07 in a 15-minute window ending 2026-11-25 10:15 UTC. Shared by the chart and
 * report tests (unit and bot).
 */
import type { ErrorChart } from '../../../src/diagnosis/chart-data.js';
import { computeErrorSeries } from '../../../src/parse/error-series.js';
import { parseAccessLog } from '../../../src/parse/parse-access-log.js';

export const CHART_SINCE = Date.UTC(2026, 10, 25, 10, 0, 0);
export const CHART_END = Date.UTC(2026, 10, 25, 10, 15, 0);

export function chartOf(n: number): ErrorChart {
  const lines = Array.from(
    { length: n },
    (_, k) =>
      `10.88.4.1 - - [25/Nov/2026:10:07:${String(k % 60).padStart(2, '0')} +0000] "GET / HTTP/1.1" 502 157 "-" "diagnose502-lab" rt=0.002 ua="127.0.0.1:8081" us="502" uct="-" uht="-" urt="0.000" ul="0" cs=- host="10.88.4.11"`,
  );
  const series = computeErrorSeries(parseAccessLog(lines.join('\n'), 'upstream_time').records, {
    sinceMs: CHART_SINCE,
    untilMs: CHART_END,
  });
  return { ...series, endMs: CHART_END, markers: [] };
}
