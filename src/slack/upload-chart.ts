import type { WebClient } from '@slack/web-api';
import type { ErrorChart } from '../diagnosis/chart-data.js';
import type { TargetReport } from '../report/types.js';

/** A group diagnosis posts the charts of its worst hosts only: a thread of 50 pictures is read by nobody. */
const MAX_CHARTS = 3;

/**
 * The 502/504-per-minute chart of each host that had errors in the window, as PNGs in the report's
 * thread (one filesUploadV2 call). Nothing is posted when no host had any. Returns how many.
 */
export async function uploadCharts(
  client: WebClient,
  channel: string,
  threadTs: string,
  report: TargetReport,
): Promise<number> {
  const hosts = report.hosts
    .flatMap((h) => (h.errorSeries ? [{ host: h.host, chart: h.errorSeries }] : []))
    .sort((a, b) => errors(b.chart) - errors(a.chart))
    .slice(0, MAX_CHARTS);
  if (hosts.length === 0) return 0;
  // resvg, a native renderer of several MB, loads only in a worker that has a chart to draw.
  const { chartPng } = await import('../report/chart-png.js');
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  await client.filesUploadV2({
    channel_id: channel,
    thread_ts: threadTs,
    file_uploads: hosts.map((h) => ({
      file: chartPng(h.host, h.chart),
      filename: `diagnose502-${h.host}-${stamp}-errors.png`,
      title: `${h.host}: 502/504 per minute`,
    })),
  });
  return hosts.length;
}

function errors(c: ErrorChart): number {
  return c.total502 + c.total504;
}
