/**
 * The 502/504-per-minute chart as Slack's own `data_visualization` block (issue 20 item 5), for the
 * workspaces that have it: the PNG in the thread stays, as the fallback and for everyone else.
 *
 * The shape, from docs.slack.dev/reference/block-kit/blocks/data-visualization-block (2026-06):
 * `type`, `title` (required, <= 50 characters), `chart` (required: `pie`, `bar`, `area` or `line`),
 * `block_id`; a bar chart has `series` (1-6 Data Series) and `axis_config` (the x-axis categories and
 * axis titles). What the page's excerpt cut off is taken from two clients that validate against it
 * (the Rust crates slack-messaging 0.7 and slack-morphism 2.30): a series is `{ name, data: [{ label,
 * value }] }`, name <= 20 characters, 1-20 points, one per category and labelled as it; categories
 * <= 20 characters each; `x_label`/`y_label` <= 50. At most two such blocks per message
 * (../shared/reference/slack-platform.md). This builder keeps to all of these; Slack's answer to a
 * block it does not take (`invalid_blocks`) is handled where the message is sent.
 */
import type { ErrorChart } from '../diagnosis/chart-data.js';
import { context } from './block-kit-parts.js';
import type { Block, DataVisualizationBlock } from './block-kit-types.js';
import { md, plainText } from './mrkdwn.js';
import type { TargetReport } from './types.js';

export const CHART_LIMITS = {
  title: 50,
  perMessage: 2,
  series: 6,
  seriesName: 20,
  points: 20,
  label: 20,
  axisLabel: 50,
} as const;

export const CHART_BLOCK_PREFIX = 'd502_chart_';

/** Control characters have no place in plain text; emoji codes would draw (mrkdwn.ts plainText). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: what is removed.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function plain(text: string, max: number): string {
  const clean = plainText(text.replace(CONTROL, ' '));
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `10:07` inside a day; `11-25 10:07` when the window spans days (labels must be unique). */
function label(ms: number, withDate: boolean): string {
  const d = new Date(ms);
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return withDate ? `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${hm}` : hm;
}

function per(bucketS: number): string {
  if (bucketS % 3600 === 0) return bucketS === 3600 ? 'hour' : `${bucketS / 3600} h`;
  return bucketS === 60 ? 'minute' : `${Math.round(bucketS / 60)} min`;
}

/**
 * One host's chart: 502s and 504s (all upstreams together: a series per upstream would cost the
 * 502/504 split, and the PNG has both) per bar, the window's buckets merged so there are at most 20.
 */
export function chartBlock(host: string, chart: ErrorChart, index = 0): DataVisualizationBlock {
  const group = Math.ceil(chart.buckets / CHART_LIMITS.points);
  const bars = Math.ceil(chart.buckets / group);
  const bucketS = chart.bucketS * group;
  const withDate = chart.buckets * chart.bucketS > 86_400;
  const categories = Array.from({ length: bars }, (_, i) =>
    label(chart.startMs + i * bucketS * 1000, withDate),
  );
  const total = (pick: 'c502' | 'c504') =>
    categories.map((_, i) => {
      let n = 0;
      for (const line of chart.lines)
        for (let b = i * group; b < Math.min(chart.buckets, (i + 1) * group); b++) n += line[pick][b] ?? 0;
      return n;
    });
  const series = [
    ...(chart.total502 > 0 || chart.total504 === 0 ? [{ name: '502', values: total('c502') }] : []),
    ...(chart.total504 > 0 ? [{ name: '504', values: total('c504') }] : []),
  ].map((s) => ({
    name: s.name,
    data: s.values.map((value, i) => ({ label: categories[i] ?? '', value })),
  }));
  const what = `: 502/504 per ${per(bucketS)}`;
  return {
    type: 'data_visualization',
    block_id: `${CHART_BLOCK_PREFIX}${index}`,
    title: `${plain(host, CHART_LIMITS.title - what.length)}${what}`,
    chart: {
      type: 'bar',
      series,
      axis_config: { categories, x_label: 'time (UTC)', y_label: 'failed requests' },
    },
  };
}

const hhmmss = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/**
 * What the chart shows, said in words under it: clients that draw no chart (older ones, some
 * surfaces) still read the numbers (../shared/reference/slack-platform.md, "What changed").
 */
export function chartCaption(host: string, chart: ErrorChart): Block {
  const first = chart.firstErrorMs !== undefined ? `, the first at ${hhmmss(chart.firstErrorMs)} UTC` : '';
  return context(
    md`*${host}*: ${chart.total502} × 502, ${chart.total504} × 504 in the window${first} (each upstream, restarts and reloads: the PNG in the thread)`,
  );
}

/**
 * The charts of the (at most two) hosts with the most 502/504s, each with its caption; none when
 * no host had any.
 */
export function nativeChartBlocks(report: TargetReport): Block[] {
  return report.hosts
    .flatMap((h) => (h.errorSeries ? [{ host: h.host, chart: h.errorSeries }] : []))
    .sort((a, b) => b.chart.total502 + b.chart.total504 - (a.chart.total502 + a.chart.total504))
    .slice(0, CHART_LIMITS.perMessage)
    .flatMap((h, i) => [chartBlock(h.host, h.chart, i), chartCaption(h.host, h.chart)]);
}
