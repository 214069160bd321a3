import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import type { ErrorChart } from '../diagnosis/chart-data.js';
import { CHART_WIDTH, chartSvg } from './chart-svg.js';

/**
 * SVG -> PNG with resvg (a prebuilt native renderer; nothing drawn by hand). resvg draws text only
 * with a font it was given: DejaVu Sans from Debian's fonts-dejavu-core when present (CI and the
 * image install it), else whatever the system has.
 */
const FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
];

/** Rendered at 2x so it stays sharp when Slack's viewer zooms in. */
const SCALE = 2;

export function chartPng(host: string, chart: ErrorChart): Buffer {
  const fontFiles = FONT_FILES.filter((f) => existsSync(f));
  const resvg = new Resvg(chartSvg(host, chart), {
    fitTo: { mode: 'width', value: CHART_WIDTH * SCALE },
    font: {
      fontFiles,
      loadSystemFonts: fontFiles.length === 0,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
  });
  return resvg.render().asPng();
}
