/**
 * History as the worker uses it: when a report is final, each host's history line is read (before
 * this report is kept, so it is not its own "previous") and put on the report, and the report's
 * summaries are kept; once its message is posted, the permalink is added to them.
 */
import type { MessageRef } from '../queue/job-data.js';
import type { RedisConn } from '../queue/redis.js';
import type { TargetReport } from '../report/types.js';
import { type HostHistory, hostHistory } from './history-line.js';
import { hostReports, recordReport, setReportLink } from './history-store.js';
import type { ReportSummary } from './report-summary.js';
import { restartsByHost } from './restart-history.js';

const DAY_MS = 86_400_000;

export interface ReportHistory {
  /** The report with `history` on each host; its summaries kept (again, on a retry: same ids). */
  attach(jobId: string, report: TargetReport): Promise<TargetReport>;
  /** The report's message exists: where it is, and its permalink, are kept with its summaries. */
  posted(jobId: string, report: TargetReport, ref: MessageRef, permalink: string | undefined): Promise<void>;
}

export interface ReportHistoryOptions {
  redis: RedisConn;
  queueName: string;
  retentionDays: number;
  /** The restart audit stream (actions/keys.ts `audit`). */
  auditStream: string;
  now?: () => number;
}

export const summaryId = (jobId: string, host: string) => `${jobId}:${host}`;

/** Pure: what the history keeps of each host of a report. */
export function summarize(jobId: string, report: TargetReport, at: number): ReportSummary[] {
  return report.hosts.map((h) => {
    const top = h.verdict === 'cause-found' ? h.findings[0] : undefined;
    return {
      id: summaryId(jobId, h.host),
      host: h.host,
      target: report.target,
      verdict: h.verdict,
      ...(top ? { cause: top.cause, confidence: top.confidence } : {}),
      at,
    };
  });
}

/**
 * Each host's history line for a report (read only): `ids` are the report's own summary ids, which
 * are never its own "previous".
 */
export async function readHistory(
  o: Omit<ReportHistoryOptions, 'now'>,
  report: TargetReport,
  ids: readonly string[],
  at: number,
): Promise<HostHistory[]> {
  const hosts = new Set(report.hosts.map((h) => h.host));
  const restarts = await restartsByHost(o.redis, o.auditStream, hosts, at - o.retentionDays * DAY_MS);
  return Promise.all(
    report.hosts.map(async (h, i) =>
      hostHistory({
        host: h.host,
        now: at,
        retentionDays: o.retentionDays,
        current: {
          id: ids[i] ?? '',
          label: h.verdict === 'cause-found' ? (h.findings[0]?.cause ?? h.verdict) : h.verdict,
        },
        kept: await hostReports(o.redis, o.queueName, h.host, o.retentionDays, at),
        restarts: restarts.get(h.host) ?? [],
      }),
    ),
  );
}

/** The report with each host's history line on it. */
export const withHistory = (report: TargetReport, lines: readonly HostHistory[]): TargetReport => ({
  ...report,
  hosts: report.hosts.map((h, i) => {
    const history = lines[i];
    return history ? { ...h, history } : h;
  }),
});

export function redisReportHistory(o: ReportHistoryOptions): ReportHistory {
  const now = o.now ?? Date.now;
  return {
    async attach(jobId, report) {
      const at = now();
      const summaries = summarize(jobId, report, at);
      const lines = await readHistory(
        o,
        report,
        summaries.map((s) => s.id),
        at,
      );
      for (const s of summaries) await recordReport(o.redis, o.queueName, s, o.retentionDays, at);
      return withHistory(report, lines);
    },
    async posted(jobId, report, ref, permalink) {
      for (const h of report.hosts) {
        await setReportLink(o.redis, o.queueName, summaryId(jobId, h.host), {
          channel: ref.channel,
          ts: ref.ts,
          ...(permalink ? { permalink } : {}),
        });
      }
    },
  };
}
