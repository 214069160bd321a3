import { writeFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import type { ErrorChart } from '../../../src/diagnosis/chart-data.js';
import { computeErrorSeries } from '../../../src/parse/error-series.js';
import { parseAccessLog } from '../../../src/parse/parse-access-log.js';
import { chartPng } from '../../../src/report/chart-png.js';
import { CHART_HEIGHT, CHART_WIDTH, chartSvg } from '../../../src/report/chart-svg.js';
import { renderJson } from '../../../src/report/render-json.js';
import type { TargetReport } from '../../../src/report/types.js';

const line = (t: string, status: number, ua: string, us: string) =>
  `10.88.4.1 - - [25/Nov/2026:${t} +0000] "GET / HTTP/1.1" ${status} 157 "-" "diagnose502-lab" rt=0.002 ua="${ua}" us="${us}" uct="0.000" uht="-" urt="0.001" ul="0" cs=- host="10.88.4.11"`;

const SINCE = Date.UTC(2026, 10, 25, 10, 0, 0);
const END = Date.UTC(2026, 10, 25, 10, 15, 0);

/** A 15-minute incident: php-fpm refuses from 10:04, a retry to the second peer, a restart at 10:09, a reload at 10:11. */
function incident(): ErrorChart {
  const lines: string[] = [];
  for (let m = 4; m <= 9; m++) {
    for (let k = 0; k < 3 + m; k++)
      lines.push(line(`10:0${m}:${String(10 + k).padStart(2, '0')}`, 502, '127.0.0.1:8081', '502'));
    lines.push(line(`10:0${m}:50`, 502, '127.0.0.1:8081, 127.0.0.1:8082', '502, 502'));
  }
  for (let k = 0; k < 4; k++) lines.push(line(`10:10:1${k}`, 504, '127.0.0.1:8082', '504'));
  const series = computeErrorSeries(parseAccessLog(lines.join('\n'), 'upstream_time').records, {
    sinceMs: SINCE,
    untilMs: END,
  });
  return {
    ...series,
    endMs: END,
    markers: [
      { kind: 'first-error', atMs: series.firstErrorMs ?? 0, label: 'first error' },
      { kind: 'restart', atMs: Date.UTC(2026, 10, 25, 10, 9, 55), label: 'php8.2-fpm started' },
      { kind: 'config-change', atMs: Date.UTC(2026, 10, 25, 10, 11, 2), label: 'nginx reload' },
    ],
  };
}

/** Width, height and the decoded pixel bytes of an 8-bit RGBA PNG (node's zlib, no PNG library). */
function decodePng(png: Buffer): { width: number; height: number; bytes: number } {
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  return { width, height, bytes: inflateSync(Buffer.concat(idat)).length };
}

describe('the 502/504 chart', () => {
  it('is a well-formed SVG with title, upstreams, both statuses and every marker labelled', () => {
    const svg = chartSvg('web-1 <prod>', incident());
    // resvg's XML parser refuses malformed documents; a broken copy proves the check can fail.
    expect(() => new Resvg(svg)).not.toThrow();
    expect(() => new Resvg(svg.replace('</defs>', ''))).toThrow();
    expect(svg).toContain('web-1 &#60;prod&#62;: 502 and 504 responses per minute');
    expect(svg).toContain('10:00–10:15 UTC');
    expect(svg).toContain('127.0.0.1:8081');
    expect(svg).toContain('127.0.0.1:8082');
    expect(svg).toContain('504 (hatched)');
    expect(svg).toContain('first error 10:04:10');
    expect(svg).toContain('php8.2-fpm started 10:09:55');
    expect(svg).toContain('nginx reload 10:11:02');
  });

  it('renders to a PNG that decodes to the chart size (2x)', () => {
    const png = chartPng('web-1', incident());
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const { width, height, bytes } = decodePng(png);
    expect([width, height]).toEqual([CHART_WIDTH * 2, CHART_HEIGHT * 2]);
    // RGBA rows, each with its filter byte.
    expect(bytes).toBe(height * (1 + width * 4));
    // CHART_PNG_OUT=/tmp/chart.png keeps the picture, to look at it.
    if (process.env.CHART_PNG_OUT) writeFileSync(process.env.CHART_PNG_OUT, png);
  });

  it('goes into --json compactly: one line per count array, the document unchanged', () => {
    const report: TargetReport = {
      target: 'web-1',
      verdict: 'cause-found',
      sinceS: 900,
      startedAt: '2026-11-25T10:15:00.000Z',
      hosts: [
        {
          host: 'web-1',
          address: '10.88.4.11',
          durationMs: 300,
          verdict: 'cause-found',
          notChecked: [],
          checks: [
            { id: 'ssh', status: 'ok', summary: 'a string that looks like [\n 1,\n 2\n]', durationMs: 4 },
          ],
          findings: [],
          errorSeries: incident(),
        },
      ],
    };
    const text = renderJson(report);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(report)));
    expect(text).toContain('"c502": [0, 0, 0, 0, 7, 8, 9, 10, 11, 12, 0, 0, 0, 0, 0]');
    expect(text).toContain('a string that looks like [\\n 1,\\n 2\\n]');
    expect(text.split('\n').length).toBeLessThan(120);
  });
});
