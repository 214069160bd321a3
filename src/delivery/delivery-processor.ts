/**
 * The outbox's worker side: delivers what waits, when Slack answers. Per job:
 * - older than the limit (DIAGNOSE502_DELIVERY_LIMIT_S): logged, counted, failed, not sent;
 * - waiting for the message it belongs to (a reply in a thread not posted yet, an edit of it):
 *   moved back to delayed for a second (BullMQ's DelayedError: no attempt used);
 * - Slack does not answer: the whole queue is rate-limited for the next backoff delay (BullMQ's
 *   manual rate limit: every worker waits, this job goes back to the head of the line, no attempt
 *   used), so one job probes Slack per delay however many wait; the first answer lets all go;
 * - a report resumes after the steps a previous run recorded (job.updateData), so a worker that
 *   dies mid-delivery is followed by one that posts only what is missing.
 */

import type { WebClient } from '@slack/web-api';
import { DelayedError, type Job, RateLimitError, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import type { ReportHistory } from '../history/report-history.js';
import type { FeedbackStyle } from '../report/block-kit-feedback.js';
import type { NativeChartGate } from '../slack/native-chart-gate.js';
import { keepReportLink } from '../slack/report-permalink.js';
import { isSlackOutage, SlackOutageError } from '../slack/slack-outage.js';
import { slackErrorCode } from '../slack/web-client.js';
import { deliverReport } from './deliver-report.js';
import { type Delivery, DeliverySchema } from './delivery-data.js';
import type { Outbox } from './outbox.js';

export interface DeliveryProcessorDeps {
  client: WebClient;
  outbox: Outbox;
  /** Past this age a delivery is dropped (logged and counted): old news is no news. */
  limitMs: number;
  logger: Logger;
  /** The feedback control under a report (DIAGNOSE502_FEEDBACK). */
  feedback?: FeedbackStyle;
  onExpired?(kind: Delivery['kind']): void;
  onDelivered?(kind: Delivery['kind'], lateMs: number): void;
  now?(): number;
  /** The chart as Slack's own block too, where the workspace has it (slack/native-chart-gate.ts). */
  nativeChart?: NativeChartGate;
  /** The report's permalink is kept with its history summaries once posted (src/history/). */
  history?: ReportHistory;
}

/** Backoff of the probe while Slack does not answer: 1 s, 2 s, 4 s … at most 15 s, ±20%. */
export function outageDelayMs(failures: number, random = Math.random): number {
  const base = Math.min(15_000, 1000 * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** How long a job waits for the message it belongs to before looking again. */
const DEPENDENCY_WAIT_MS = 1000;

const createdAt = (d: Delivery) => (d.kind === 'report' ? d.diagnosedAt : d.createdAt);

export function createDeliveryProcessor(deps: DeliveryProcessorDeps) {
  const now = deps.now ?? Date.now;
  return async (job: Job<Delivery, string>, token?: string): Promise<string> => {
    const parsed = DeliverySchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid delivery: ${parsed.error.message}`);
    const d = parsed.data;
    const log = deps.logger.child({ delivery: job.id, kind: d.kind });
    const age = now() - createdAt(d);
    if (age > deps.limitMs) {
      log.error(
        { ageS: Math.round(age / 1000), limitS: Math.round(deps.limitMs / 1000) },
        'Slack did not take this message within the delivery limit; dropped (see DIAGNOSE502_DELIVERY_LIMIT_S)',
      );
      if (d.kind === 'post') await deps.outbox.expired(d.placeholder);
      deps.onExpired?.(d.kind);
      throw new UnrecoverableError('expired: Slack did not answer within the delivery limit');
    }
    const waitFor = async (ts: string | undefined): Promise<string | undefined> => {
      if (!ts) return undefined;
      const r = await deps.outbox.resolve(ts);
      if (r.kind === 'posted') return r.ts;
      if (r.kind === 'expired') {
        log.error({ thread: ts }, 'the message this one belongs to was never posted; dropped');
        deps.onExpired?.(d.kind);
        throw new UnrecoverableError('expired: the message it belongs to was never posted');
      }
      await job.moveToDelayed(now() + DEPENDENCY_WAIT_MS, token);
      throw new DelayedError();
    };

    try {
      if (d.kind === 'report') {
        const threadTs = await waitFor(d.data.thread?.ts);
        const deliveredAt = now();
        const done = await deliverReport(deps.client, d, {
          ...(threadTs ? { threadTs } : {}),
          late: { diagnosedAt: d.diagnosedAt, deliveredAt },
          ...(deps.feedback ? { feedback: deps.feedback } : {}),
          ...(deps.nativeChart ? { nativeChart: deps.nativeChart } : {}),
          logger: log,
          onStep: async (done) => {
            await job.updateData({ ...d, done });
          },
        });
        if (deps.history && d.body.type === 'report' && done.message)
          await keepReportLink(deps.client, deps.history, d.diagnosisJobId, d.body.report, done.message, log);
      } else if (d.kind === 'post') {
        // Posted by a run that died before completing: not again.
        if ((await deps.outbox.resolve(d.placeholder)).kind !== 'pending') return 'posted before';
        const threadTs = await waitFor(d.threadTs);
        const res = await call(() =>
          deps.client.chat.postMessage({
            channel: d.channel,
            ...d.message,
            ...(threadTs ? { thread_ts: threadTs } : {}),
          }),
        );
        if (!res.ts) throw new Error('chat.postMessage answered without ts');
        await deps.outbox.posted(d.placeholder, res.ts);
      } else {
        const ts = await waitFor(d.ts);
        const ref = { channel: d.channel, ts: d.ts };
        const latest = await deps.outbox.latest(ref);
        if (!latest) return 'superseded';
        await call(() =>
          deps.client.chat.update({ channel: d.channel, ts: ts as string, ...latest.message }),
        );
        await deps.outbox.sent(ref, latest.version);
      }
    } catch (err) {
      if (err instanceof DelayedError || err instanceof UnrecoverableError) throw err;
      if (err instanceof SlackOutageError) {
        const failures = await deps.outbox.probeFailed();
        const delay = outageDelayMs(failures);
        log.warn({ failures, retryInMs: delay, err: err.message }, 'Slack does not answer; delivery waits');
        await deps.outbox.queue.rateLimit(delay);
        throw new RateLimitError();
      }
      // Slack answered no (channel_not_found, not_in_channel, invalid_blocks …): no retry helps.
      if ((err as { code?: string }).code === 'slack_webapi_platform_error') {
        log.error({ err: slackErrorCode(err) }, 'Slack refused a delayed message; dropped');
        throw new UnrecoverableError(`Slack refused it: ${slackErrorCode(err)}`);
      }
      throw err;
    }
    const since = await deps.outbox.markUp();
    if (since !== undefined)
      log.info({ downForS: Math.round((now() - since) / 1000) }, 'Slack answers again');
    deps.onDelivered?.(d.kind, now() - createdAt(d));
    return 'delivered';
  };
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isSlackOutage(err)) throw new SlackOutageError(err);
    throw err;
  }
}
