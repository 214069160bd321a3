/**
 * The chart as Slack's `data_visualization` block (issue 20 item 5): the shape and limits of
 * Slack's reference (block-kit-chart.ts), built from real access-log lines through the real parser
 * and series; the stand-in's rules for the block (test/slack-standin/rules-data-visualization.ts).
 */
import { describe, expect, it } from 'vitest';
import type { ErrorChart } from '../../../src/diagnosis/chart-data.js';
import { computeErrorSeries } from '../../../src/parse/error-series.js';
import { parseAccessLog } from '../../../src/parse/parse-access-log.js';
import { renderReport } from '../../../src/report/block-kit.js';
import { CHART_LIMITS, chartBlock, nativeChartBlocks } from '../../../src/report/block-kit-chart.js';
import type { Block, DataVisualizationBlock } from '../../../src/report/block-kit-types.js';
import type { HostReport, TargetReport } from '../../../src/report/types.js';
import { checkMessage } from '../../slack-standin/block-rules.js';
import { CONTROL, HOSTILE } from './hostile-text.js';

const END = Date.UTC(2026, 10, 25, 10, 15, 0);

/** Access-log lines as the lab writes them: `n` 502s (and `m` 504s) at minute `min` past 10:00. */
function lines(n: number, min: number, status = 502, day = 25): string[] {
  return Array.from(
    { length: n },
    (_, k) =>
      `10.88.4.1 - - [${day}/Nov/2026:10:${String(min).padStart(2, '0')}:${String(k % 60).padStart(2, '0')} +0000] "GET / HTTP/1.1" ${status} 157 "-" "diagnose502-lab" rt=0.002 ua="127.0.0.1:8081" us="${status}" uct="-" uht="-" urt="0.000" ul="0" cs=- host="10.88.4.11"`,
  );
}

function chartOf(text: string[], sinceS: number, end = END): ErrorChart {
  const series = computeErrorSeries(parseAccessLog(text.join('\n'), 'upstream_time').records, {
    sinceMs: end - sinceS * 1000,
    untilMs: end,
  });
  return { ...series, endMs: end, markers: [] };
}

const host = (name: string, chart?: ErrorChart): HostReport => ({
  host: name,
  address: '10.88.4.11',
  durationMs: 300,
  verdict: 'cause-found',
  notChecked: [],
  checks: [],
  findings: [
    {
      cause: 'upstream-down',
      confidence: 0.9,
      title: 'the app behind nginx is down',
      evidence: ['connect() failed (111: Connection refused) while connecting to upstream'],
      remediation: ['Start the app'],
      actions: [],
    },
  ],
  ...(chart ? { errorSeries: chart } : {}),
});

const report = (hosts: HostReport[], sinceS = 900): TargetReport => ({
  target: hosts.length === 1 ? (hosts[0]?.host ?? 'x') : 'web',
  verdict: 'cause-found',
  sinceS,
  startedAt: '2026-11-25T10:15:00.000Z',
  hosts,
});

const charts = (blocks: Block[]) =>
  blocks.filter((b): b is DataVisualizationBlock => b.type === 'data_visualization');
const meta = { requestedBy: 'U0ASKER', jobId: 'job-1' };

describe('the data_visualization block', () => {
  it('15 minutes: a bar per minute, 502 and 504 as two series over the same categories', () => {
    const chart = chartOf([...lines(3, 7), ...lines(2, 8), ...lines(4, 8, 504)], 900);
    const b = chartBlock('web-1', chart);
    expect(b).toMatchObject({
      type: 'data_visualization',
      title: 'web-1: 502/504 per minute',
      chart: { type: 'bar', axis_config: { x_label: 'time (UTC)', y_label: 'failed requests' } },
    });
    const categories = b.chart.axis_config.categories;
    expect(categories).toHaveLength(15);
    expect(categories[0]).toBe('10:00');
    expect(categories[7]).toBe('10:07');
    expect(b.chart.series.map((s) => s.name)).toEqual(['502', '504']);
    const [s502, s504] = b.chart.series;
    expect(s502?.data.map((d) => d.label)).toEqual(categories);
    expect(s502?.data[7]).toEqual({ label: '10:07', value: 3 });
    expect(s502?.data[8]).toEqual({ label: '10:08', value: 2 });
    expect(s504?.data[8]).toEqual({ label: '10:08', value: 4 });
    expect(s502?.data.reduce((a, d) => a + d.value, 0)).toBe(chart.total502);
  });

  it('only 502s: one series (no empty 504 one)', () => {
    expect(chartBlock('web-1', chartOf(lines(5, 3), 900)).chart.series.map((s) => s.name)).toEqual(['502']);
  });

  it('1 hour: the minutes merged into at most 20 bars, every error counted', () => {
    const chart = chartOf(
      [...lines(6, 1), ...lines(2, 14), ...lines(1, 14, 504)],
      3600,
      Date.UTC(2026, 10, 25, 11, 0, 0),
    );
    const b = chartBlock('web-1', chart);
    expect(b.chart.axis_config.categories).toHaveLength(20);
    expect(b.title).toBe('web-1: 502/504 per 3 min');
    expect(b.chart.series[0]?.data.reduce((a, d) => a + d.value, 0)).toBe(8);
    expect(b.chart.series[1]?.data.reduce((a, d) => a + d.value, 0)).toBe(1);
  });

  it('7 days: dated labels, unique, each within 20 characters', () => {
    const chart = chartOf([...lines(3, 5, 502, 20), ...lines(4, 5, 502, 24)], 7 * 86_400);
    const b = chartBlock('web-1', chart);
    const c = b.chart.axis_config.categories;
    expect(c.length).toBeLessThanOrEqual(CHART_LIMITS.points);
    expect(new Set(c).size).toBe(c.length);
    for (const label of c) expect(label).toMatch(/^\d\d-\d\d \d\d:\d\d$/);
    expect(b.chart.series[0]?.data.reduce((a, d) => a + d.value, 0)).toBe(7);
  });

  it('a hostile or long host name: the title is plain, at most 50 characters, without control characters', () => {
    const b = chartBlock(`web-1${HOSTILE}`, chartOf(lines(2, 3), 900));
    expect(b.title.length).toBeLessThanOrEqual(CHART_LIMITS.title);
    expect(b.title).toMatch(/: 502\/504 per minute$/);
    expect(b.title).not.toMatch(CONTROL);
    const emoji = chartBlock(':large_green_circle: ok', chartOf(lines(2, 3), 900));
    expect(emoji.title).not.toContain(':large_green_circle:');
  });

  it('a group: the charts of the two hosts with most errors; hosts without errors get none', () => {
    const hosts = [
      host('web-1', chartOf(lines(3, 2), 900)),
      host('web-2'),
      host('web-3', chartOf(lines(9, 2), 900)),
      host('web-4', chartOf(lines(5, 2), 900)),
    ];
    expect(charts(nativeChartBlocks(report(hosts))).map((b) => b.title)).toEqual([
      'web-3: 502/504 per minute',
      'web-4: 502/504 per minute',
    ]);
  });
});

describe('in the report message', () => {
  it('under the headline and its facts, when asked for; Slack (the stand-in) takes it', () => {
    const r = report([host('web-1', chartOf(lines(3, 7), 900))]);
    const msg = renderReport(r, { ...meta, nativeChart: true });
    expect(checkMessage(msg.text, msg.blocks)).toBeUndefined();
    expect(msg.blocks[2]?.type).toBe('data_visualization');
    // Said in words under it, for clients that draw no chart.
    expect(msg.blocks[3]).toEqual({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: '*web-1*: 3 × 502, 0 × 504 in the window, the first at 10:07:00 UTC (each upstream, restarts and reloads: the PNG in the thread)',
        },
      ],
    });
    expect(charts(renderReport(r, meta).blocks)).toHaveLength(0);
    // The report still says its result in text, for clients that show no chart.
    expect(msg.blocks[1]?.type).toBe('section');
  });

  it('a group of many hosts: two charts at most, inside the limits', () => {
    const hosts = Array.from({ length: 60 }, (_, i) =>
      host(`web-${i}`, chartOf(lines(1 + (i % 7), i % 15), 900)),
    );
    const msg = renderReport(report(hosts), { ...meta, nativeChart: true });
    expect(charts(msg.blocks)).toHaveLength(2);
    expect(checkMessage(msg.text, msg.blocks)).toBeUndefined();
  });

  it('no host with errors: no chart block', () => {
    expect(charts(renderReport(report([host('web-1')]), { ...meta, nativeChart: true }).blocks)).toHaveLength(
      0,
    );
  });
});

describe("the stand-in checks the block as Slack's reference describes it", () => {
  const good = () => chartBlock('web-1', chartOf(lines(3, 7), 900)) as unknown as Record<string, unknown>;
  const refusal = (blocks: unknown[], refused?: Set<string>) =>
    checkMessage('text', blocks, refused)?.response_metadata?.messages ?? [];

  it('accepts what the builder makes', () => {
    expect(refusal([good()])).toEqual([]);
  });

  it('a title over 50 characters', () => {
    expect(refusal([{ ...good(), title: 'x'.repeat(51) }])).toEqual([
      '[ERROR] must be less than 51 characters [json-pointer:/blocks/0/title]',
    ]);
  });

  it('required fields: title, chart, series, axis_config', () => {
    const { title: _t, ...noTitle } = good();
    const { chart: _c, ...noChart } = good();
    expect(refusal([noTitle])).toEqual(['[ERROR] must be a non-empty string [json-pointer:/blocks/0/title]']);
    expect(refusal([noChart])).toEqual(['[ERROR] must provide an object [json-pointer:/blocks/0/chart]']);
    expect(refusal([{ ...good(), chart: { type: 'bar' } }])).toEqual([
      '[ERROR] must provide an object [json-pointer:/blocks/0/chart/axis_config]',
      '[ERROR] must provide an array [json-pointer:/blocks/0/chart/series]',
    ]);
    expect(refusal([{ ...good(), chart: { type: 'scatter' } }])).toEqual([
      '[ERROR] must be one of pie, bar, area, line [json-pointer:/blocks/0/chart/type]',
    ]);
  });

  it('a point labelled outside the categories, or more than 20 points', () => {
    const b = good() as unknown as DataVisualizationBlock;
    const moved = structuredClone(b);
    if (moved.chart.series[0]?.data[0]) moved.chart.series[0].data[0].label = '23:59';
    expect(refusal([moved])).toContain(
      '[ERROR] must be one of the axis_config categories [json-pointer:/blocks/0/chart/series/0/data/0/label]',
    );
    const many = structuredClone(b);
    many.chart.axis_config.categories = Array.from({ length: 21 }, (_, i) => `c${i}`);
    expect(refusal([many])).toContain(
      '[ERROR] must be less than 21 items [json-pointer:/blocks/0/chart/axis_config/categories]',
    );
  });

  it('at most two per message', () => {
    expect(refusal([good(), good(), good()])).toEqual([
      '[ERROR] must hold no more than 2 data_visualization blocks [json-pointer:/blocks]',
    ]);
  });

  it('a workspace without the block refuses it as an unknown type', () => {
    expect(refusal([good()], new Set(['data_visualization']))).toEqual([
      '[ERROR] unknown block type "data_visualization" [json-pointer:/blocks/0/type]',
    ]);
  });
});
