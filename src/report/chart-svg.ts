import type { ChartMarker, ErrorChart } from '../diagnosis/chart-data.js';

/**
 * The 502/504 chart of one host as an SVG document (rendered to PNG by chart-png.ts): stacked bars
 * per time bucket, one colour per upstream, 502 solid and 504 hatched, with the first error,
 * restarts and reloads as labelled vertical lines. Times are UTC and say so. Pure.
 */

export const CHART_WIDTH = 960;
export const CHART_HEIGHT = 440;
/** The family chart-png.ts loads (DejaVu Sans, Debian's fonts-dejavu-core), then generic fallbacks. */
const FONT = "'DejaVu Sans', Arial, Helvetica, sans-serif";

const PAD = { left: 64, right: 28, top: 104, bottom: 100 };
/** Colour-blind-safe hues (Okabe-Ito), one per upstream line. */
const HUES = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00'];
const MARKER_COLOURS: Record<ChartMarker['kind'], string> = {
  'first-error': '#C0392B',
  restart: '#1F5FAD',
  'config-change': '#7B3FA0',
};
const NICE_MINUTES = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];

export function chartSvg(host: string, chart: ErrorChart): string {
  const plotW = CHART_WIDTH - PAD.left - PAD.right;
  const plotH = CHART_HEIGHT - PAD.top - PAD.bottom;
  const bucketMs = chart.bucketS * 1000;
  const spanMs = chart.buckets * bucketMs;
  const x = (ms: number) => PAD.left + ((ms - chart.startMs) / spanMs) * plotW;
  const totals = Array.from({ length: chart.buckets }, (_, i) =>
    chart.lines.reduce((s, l) => s + (l.c502[i] ?? 0) + (l.c504[i] ?? 0), 0),
  );
  const yMax = niceMax(Math.max(1, ...totals));
  const y = (n: number) => PAD.top + plotH - (n / yMax) * plotH;
  const out: string[] = [];

  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" font-family="${FONT}">`,
    '<defs>',
    ...chart.lines.map(
      (_, i) =>
        `<pattern id="h${i}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><rect width="3" height="6" fill="${hue(i)}"/></pattern>`,
    ),
    // A neutral hatch for the legend's "504" swatch.
    '<pattern id="hl" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><rect width="3" height="6" fill="#777"/></pattern>',
    '</defs>',
    `<rect width="${CHART_WIDTH}" height="${CHART_HEIGHT}" fill="#ffffff"/>`,
  );

  // Title: what, where, when.
  const per = chart.bucketS === 60 ? 'per minute' : `per ${chart.bucketS / 60} minutes`;
  const by = chart.by === 'upstream' ? 'per upstream' : 'all requests (the log_format has no $upstream_addr)';
  out.push(
    text(PAD.left, 30, `${host}: 502 and 504 responses ${per}`, { size: 20, weight: 'bold' }),
    text(
      PAD.left,
      54,
      `${windowLabel(chart.startMs, chart.endMs)} · ${chart.total502} × 502, ${chart.total504} × 504 · ${by}`,
      { size: 14, fill: '#333' },
    ),
  );

  // Y grid and labels.
  for (const n of yTicks(yMax)) {
    out.push(
      `<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${fx(y(n))}" y2="${fx(y(n))}" stroke="${n === 0 ? '#555' : '#e3e3e3'}" stroke-width="1"/>`,
      text(PAD.left - 8, y(n) + 4, String(n), { size: 12, anchor: 'end', fill: '#444' }),
    );
  }
  out.push(
    text(18, PAD.top + plotH / 2, `requests ${per}`, {
      size: 12,
      anchor: 'middle',
      fill: '#444',
      rotate: true,
    }),
  );

  // Bars: per bucket, stacked upstream by upstream, 502 then 504.
  const barW = Math.max(1, (plotW / chart.buckets) * 0.8);
  for (let i = 0; i < chart.buckets; i++) {
    let base = 0;
    const bx = x(chart.startMs + i * bucketMs) + (plotW / chart.buckets) * 0.1;
    chart.lines.forEach((line, li) => {
      for (const [n, fill] of [
        [line.c502[i] ?? 0, hue(li)],
        [line.c504[i] ?? 0, `url(#h${li})`],
      ] as const) {
        if (n === 0) continue;
        out.push(
          `<rect x="${fx(bx)}" y="${fx(y(base + n))}" width="${fx(barW)}" height="${fx(y(base) - y(base + n))}" fill="${fill}" stroke="${hue(li)}" stroke-width="0.5"/>`,
        );
        base += n;
      }
    });
  }

  // X ticks.
  const stepMin = NICE_MINUTES.find((m) => spanMs / (m * 60_000) <= 8) ?? 1440;
  const stepMs = stepMin * 60_000;
  for (let t = Math.ceil(chart.startMs / stepMs) * stepMs; t <= chart.startMs + spanMs; t += stepMs) {
    out.push(
      `<line x1="${fx(x(t))}" x2="${fx(x(t))}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH + 5}" stroke="#555"/>`,
      text(x(t), PAD.top + plotH + 20, hhmm(t), { size: 12, anchor: 'middle', fill: '#444' }),
    );
  }
  out.push(
    text(PAD.left + plotW, PAD.top + plotH + 36, 'time (UTC)', { size: 12, anchor: 'end', fill: '#444' }),
  );

  // Markers: a dashed line each, labels on up to three rows above the plot so they do not collide
  // (a label near the right edge runs leftwards from its line).
  const rowEnds: number[] = [];
  for (const m of chart.markers) {
    const mx = Math.min(PAD.left + plotW, Math.max(PAD.left, x(m.atMs)));
    const label = `${m.label} ${hhmmss(m.atMs)}`;
    const w = label.length * 7.2;
    const leftwards = mx + 4 + w > CHART_WIDTH;
    const from = leftwards ? mx - 4 - w : mx;
    let row = rowEnds.findIndex((end) => end < from);
    if (row === -1) row = rowEnds.length < 3 ? rowEnds.length : 2;
    rowEnds[row] = Math.max(rowEnds[row] ?? 0, leftwards ? mx : mx + 4 + w) + 6;
    const ly = PAD.top - 32 + row * 14;
    const colour = MARKER_COLOURS[m.kind];
    out.push(
      `<line x1="${fx(mx)}" x2="${fx(mx)}" y1="${ly + 3}" y2="${PAD.top + plotH}" stroke="${colour}" stroke-width="2" stroke-dasharray="6 4"/>`,
      text(leftwards ? mx - 4 : mx + 4, ly, label, {
        size: 12,
        fill: colour,
        weight: 'bold',
        anchor: leftwards ? 'end' : 'start',
      }),
    );
  }

  // Legend: one swatch per upstream, then what solid and hatched mean; wraps onto a second row.
  const items = [
    ...chart.lines.map((line, li) => ({ label: short(line.key), swatch: hue(li) })),
    { label: '502 (solid)', swatch: '#777' },
    { label: '504 (hatched)', swatch: 'url(#hl)' },
  ];
  let lx = PAD.left;
  let ly = CHART_HEIGHT - 44;
  for (const item of items) {
    const w = 20 + item.label.length * 7.5 + 18;
    if (lx + w > CHART_WIDTH - PAD.right && lx > PAD.left) {
      lx = PAD.left;
      ly += 22;
    }
    out.push(
      `<rect x="${fx(lx)}" y="${ly - 11}" width="14" height="14" fill="${item.swatch}" stroke="#777"/>`,
      text(lx + 20, ly, item.label, { size: 13 }),
    );
    lx += w;
  }
  out.push('</svg>');
  return out.join('\n');
}

/** Long upstream names (a unix socket path) are cut in the middle: both ends identify it. */
function short(key: string): string {
  return key.length <= 40 ? key : `${key.slice(0, 18)}…${key.slice(-20)}`;
}

function hue(i: number): string {
  return HUES[i % HUES.length] ?? '#0072B2';
}

function fx(n: number): string {
  return n.toFixed(1);
}

/** 1, 2, 5 × 10^k at or above n. */
function niceMax(n: number): number {
  const p = 10 ** Math.floor(Math.log10(n));
  return ([1, 2, 5, 10].map((m) => m * p).find((v) => v >= n) ?? 10 * p) as number;
}

function yTicks(max: number): number[] {
  const step = max <= 5 ? 1 : max / 5;
  const out: number[] = [];
  for (let v = 0; v <= max + 1e-9; v += step) out.push(Math.round(v));
  return out;
}

function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

function hhmmss(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

function dateOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `10:00–10:15 UTC (2026-11-25)`, or with both dates when the window crosses midnight. */
function windowLabel(startMs: number, endMs: number): string {
  if (dateOf(startMs) === dateOf(endMs)) return `${hhmm(startMs)}–${hhmm(endMs)} UTC (${dateOf(endMs)})`;
  return `${dateOf(startMs)} ${hhmm(startMs)} – ${dateOf(endMs)} ${hhmm(endMs)} UTC`;
}

interface TextStyle {
  size: number;
  weight?: 'bold';
  fill?: string;
  anchor?: 'start' | 'middle' | 'end';
  rotate?: boolean;
}

function text(tx: number, ty: number, content: string, s: TextStyle): string {
  const attrs = [
    `x="${fx(tx)}"`,
    `y="${fx(ty)}"`,
    `font-size="${s.size}"`,
    s.weight ? `font-weight="${s.weight}"` : '',
    `fill="${s.fill ?? '#111'}"`,
    s.anchor && s.anchor !== 'start' ? `text-anchor="${s.anchor}"` : '',
    s.rotate ? `transform="rotate(-90 ${fx(tx)} ${fx(ty)})"` : '',
  ].filter((a) => a !== '');
  return `<text ${attrs.join(' ')}>${escapeXml(content)}</text>`;
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
