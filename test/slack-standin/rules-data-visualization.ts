/**
 * The `data_visualization` block as Slack's reference describes it
 * (docs.slack.dev/reference/block-kit/blocks/data-visualization-block, 2026-06; what the page's
 * text leaves out, as the slack-messaging and slack-morphism clients validate it): `title` required,
 * <= 50 characters; `chart` required, one of pie, bar, area, line; bar/area/line take `series` (1-6,
 * unique names <= 20, each 1-20 points `{label <= 20, value number}`, labels among the categories)
 * and `axis_config` (`categories` required, each <= 20; `x_label`/`y_label` <= 50); pie takes
 * `segments` (1-6, `{label <= 20, value > 0}`). At most two per message.
 */
import type { BlockRules, Fail, Json } from './rule-types.js';

const str = (v: unknown, max: number, pointer: string, fail: Fail): v is string => {
  if (typeof v !== 'string' || v.length === 0) {
    fail('must be a non-empty string', pointer);
    return false;
  }
  if (v.length > max) fail(`must be less than ${max + 1} characters`, pointer);
  return true;
};

const list = (v: unknown, min: number, max: number, pointer: string, fail: Fail): v is unknown[] => {
  if (!Array.isArray(v)) {
    fail('must provide an array', pointer);
    return false;
  }
  if (v.length < min) fail(`must provide at least ${min} item${min === 1 ? '' : 's'}`, pointer);
  if (v.length > max) fail(`must be less than ${max + 1} items`, pointer);
  return true;
};

function seriesChart(chart: Json, at: string, fail: Fail): void {
  const axis = chart.axis_config as Json | undefined;
  const categories = new Set<string>();
  if (!axis || typeof axis !== 'object') fail('must provide an object', `${at}/axis_config`);
  else {
    if (list(axis.categories, 1, 20, `${at}/axis_config/categories`, fail))
      for (const [k, c] of axis.categories.entries())
        if (str(c, 20, `${at}/axis_config/categories/${k}`, fail)) categories.add(c);
    for (const key of ['x_label', 'y_label'])
      if (axis[key] !== undefined) str(axis[key], 50, `${at}/axis_config/${key}`, fail);
  }
  if (!list(chart.series, 1, 6, `${at}/series`, fail)) return;
  const names = new Set<string>();
  for (const [j, raw] of chart.series.entries()) {
    const s = raw as Json;
    const p = `${at}/series/${j}`;
    if (str(s.name, 20, `${p}/name`, fail)) {
      if (names.has(s.name)) fail('must be unique', `${p}/name`);
      names.add(s.name);
    }
    if (!list(s.data, 1, 20, `${p}/data`, fail)) continue;
    for (const [k, rawPoint] of s.data.entries()) {
      const d = rawPoint as Json;
      if (str(d.label, 20, `${p}/data/${k}/label`, fail) && !categories.has(d.label))
        fail('must be one of the axis_config categories', `${p}/data/${k}/label`);
      if (typeof d.value !== 'number' || !Number.isFinite(d.value))
        fail('must be a number', `${p}/data/${k}/value`);
    }
  }
}

function pieChart(chart: Json, at: string, fail: Fail): void {
  if (!list(chart.segments, 1, 6, `${at}/segments`, fail)) return;
  for (const [k, raw] of chart.segments.entries()) {
    const s = raw as Json;
    str(s.label, 20, `${at}/segments/${k}/label`, fail);
    if (typeof s.value !== 'number' || !(s.value > 0))
      fail('must be greater than 0', `${at}/segments/${k}/value`);
  }
}

export const DATA_VISUALIZATION_RULES: BlockRules = {
  blocks: {
    data_visualization: (b, at, fail) => {
      str(b.title, 50, `${at}/title`, fail);
      const chart = b.chart as Json | undefined;
      if (!chart || typeof chart !== 'object') {
        fail('must provide an object', `${at}/chart`);
        return;
      }
      if (chart.type === 'pie') pieChart(chart, `${at}/chart`, fail);
      else if (chart.type === 'bar' || chart.type === 'area' || chart.type === 'line')
        seriesChart(chart, `${at}/chart`, fail);
      else fail('must be one of pie, bar, area, line', `${at}/chart/type`);
    },
  },
  message: (blocks, fail) => {
    const charts = blocks.filter((b) => b.type === 'data_visualization');
    if (charts.length > 2) fail('must hold no more than 2 data_visualization blocks', '/blocks');
  },
};
