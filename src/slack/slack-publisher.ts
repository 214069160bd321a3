/**
 * The Slack side of a diagnosis job: one message, updated live, then the report and its thread
 * (evidence file, charts). When Slack does not answer (slack-outage.ts) nothing is lost: the live
 * message is skipped and its updates dropped (only the latest state matters, and the report
 * replaces it), and the finished report goes to the outbox (src/delivery/), which delivers it, marked
 * late, when Slack answers again, without running the diagnosis again.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { RestartOffer } from '../actions/restart-offer.js';
import { type DeliverOptions, DeliveryInterrupted, deliverReport } from '../delivery/deliver-report.js';
import type { ReportDelivery } from '../delivery/delivery-data.js';
import type { Outbox } from '../delivery/outbox.js';
import type { ReportHistory } from '../history/report-history.js';
import type { MessageRef } from '../queue/job-data.js';
import { type JobContext, PublishRefusedError, type ReportPublisher } from '../queue/publisher.js';
import { renderFailure, renderProgress } from '../report/block-kit.js';
import type { FeedbackStyle } from '../report/block-kit-feedback.js';
import { renderNotInChannel } from '../report/block-kit-intake.js';
import type { TargetReport } from '../report/types.js';
import type { NativeChartGate } from './native-chart-gate.js';
import { keepReportLink } from './report-permalink.js';
import { respondEphemeral } from './respond.js';
import { isSlackOutage } from './slack-outage.js';
import { slackErrorCode } from './web-client.js';

/** Errors after which no retry can post to the channel (Slack's chat.postMessage error codes). */
const UNDELIVERABLE = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

const meta = (ctx: JobContext) => ({ requestedBy: ctx.data.requestedBy.userId, jobId: ctx.jobId });

/** Makes the restart buttons of a finished report (src/actions/offer-restarts.ts), when wired. */
export type OfferRestarts = (ctx: JobContext, report: TargetReport) => Promise<RestartOffer[]>;

export interface PublisherClients {
  /** The report and its thread: WebClient's retries ride out a blip before the outbox is used. */
  report: WebClient;
  /**
   * The live message and its updates: few retries, so that an outage nobody has seen yet delays
   * the diagnosis by about a second rather than by the report client's retries (about 15 s).
   */
  live: WebClient;
}

/** What the publisher needs besides Slack and the outbox; each part is optional (a test wires what it tests). */
export interface PublisherOptions {
  /** The restart buttons of a finished report. */
  offerRestarts?: OfferRestarts | undefined;
  /** Seen before? (src/history/): the line on the report, and its summary and permalink kept. */
  history?: ReportHistory | undefined;
  /** The feedback control under each report (DIAGNOSE502_FEEDBACK). */
  feedback?: FeedbackStyle | undefined;
  /** Whether a workspace gets the chart as Slack's own chart block. */
  nativeChart?: NativeChartGate | undefined;
}

export function createSlackPublisher(
  clients: PublisherClients,
  logger: Logger,
  outbox: Outbox,
  { offerRestarts, history, feedback, nativeChart }: PublisherOptions = {},
): ReportPublisher {
  const client = clients.report;
  let botUserId: string | undefined;
  const whoAmI = async () => {
    if (botUserId) return botUserId;
    const me = await client.auth.test().catch(() => undefined);
    botUserId = typeof me?.user_id === 'string' ? me.user_id : undefined;
    return botUserId;
  };

  /** The alert thread's real ts; undefined when none; 'wait' while its message is not posted. */
  const threadOf = async (ctx: JobContext): Promise<string | undefined | 'wait'> => {
    const thread = ctx.data.thread;
    if (!thread) return undefined;
    const r = await outbox.resolve(thread.ts);
    return r.kind === 'posted' ? r.ts : 'wait';
  };

  /**
   * Delivers a final message now, or keeps it in the outbox: when Slack is known to be down, when
   * its thread is not posted yet, or when Slack stops answering on the way (then from that step).
   */
  const deliver = async (
    ctx: JobContext,
    ref: MessageRef | undefined,
    body: ReportDelivery['body'],
    restarts: RestartOffer[] = [],
  ) => {
    const delivery: ReportDelivery = {
      kind: 'report',
      diagnosisJobId: ctx.jobId,
      data: ctx.data,
      ...(ref ? { ref } : {}),
      body,
      diagnosedAt: Date.now(),
      done: {},
    };
    const log = logger.child({ jobId: ctx.jobId });
    const defer = async (why: string, done = {}) => {
      await outbox.deferReport({ ...delivery, done });
      log.warn({ why, done: Object.keys(done) }, 'report kept in the outbox until Slack answers');
    };
    // An earlier attempt of this job kept it already (its worker died after): that one delivers.
    if (await outbox.hasReport(ctx.jobId)) return defer('already in the outbox');
    if ((await outbox.slackDownSince()) !== undefined) return defer('Slack is down');
    const thread = await threadOf(ctx);
    if (thread === 'wait') return defer('its alert thread is not posted yet');
    const opts: DeliverOptions = {
      ...(thread ? { threadTs: thread } : {}),
      restarts,
      ...(feedback ? { feedback } : {}),
      ...(nativeChart ? { nativeChart } : {}),
      logger: log,
      onStep: async () => {},
    };
    try {
      const done = await deliverReport(client, { ...delivery, done: {} }, opts);
      if (history && body.type === 'report' && done.message)
        await keepReportLink(client, history, ctx.jobId, body.report, done.message, log);
    } catch (err) {
      if (!(err instanceof DeliveryInterrupted)) throw err;
      await outbox.markDown();
      await defer(`Slack did not answer: ${slackErrorCode(err.cause)}`, err.done);
    }
  };

  return {
    async begin(ctx) {
      // Known down, or the alert thread not posted yet: no live message; the report is posted later.
      if ((await outbox.slackDownSince()) !== undefined) return undefined;
      const thread = await threadOf(ctx);
      if (thread === 'wait') return undefined;
      const first = renderProgress(
        {
          target: ctx.data.target,
          sinceS: ctx.data.sinceS,
          hosts: [{ host: ctx.data.target, checks: [], done: false }],
        },
        meta(ctx),
      );
      try {
        const res = await clients.live.chat.postMessage({
          channel: ctx.data.thread?.channel ?? ctx.data.channelId,
          ...(thread ? { thread_ts: thread } : {}),
          ...first,
        });
        if (!res.ts || !res.channel) throw new Error('chat.postMessage answered without ts/channel');
        return { channel: res.channel, ts: res.ts };
      } catch (err) {
        if (isSlackOutage(err)) {
          await outbox.markDown();
          logger.warn(
            { jobId: ctx.jobId, err: slackErrorCode(err) },
            'Slack does not answer; diagnosing anyway',
          );
          return undefined;
        }
        const code = slackErrorCode(err);
        if (!UNDELIVERABLE.has(code)) throw err;
        if (ctx.data.responseUrl) {
          const answer = renderNotInChannel(ctx.data.channelId, await whoAmI());
          await respondEphemeral(ctx.data.responseUrl, answer).catch((e) =>
            logger.warn({ err: String(e) }, 'could not tell the person through response_url'),
          );
        }
        throw new PublishRefusedError(code, `cannot post in ${ctx.data.channelId}: ${code}`);
      }
    },

    async progress(ctx, ref, progress) {
      await clients.live.chat.update({
        channel: ref.channel,
        ts: ref.ts,
        ...renderProgress(progress, meta(ctx)),
      });
    },

    async finish(ctx, ref, report) {
      // No buttons is the safe side: a Redis hiccup here must not cost the report itself.
      const restarts = offerRestarts
        ? await offerRestarts(ctx, report).catch((err) => {
            logger.warn({ jobId: ctx.jobId, err: String(err) }, 'restart buttons not offered');
            return [];
          })
        : [];
      // The history line is read (and this report kept) before rendering; without it, no line.
      const final = history
        ? await history.attach(ctx.jobId, report).catch((err) => {
            logger.warn(
              { jobId: ctx.jobId, err: String(err) },
              'history not read; the report has no history line',
            );
            return report;
          })
        : report;
      await deliver(ctx, ref, { type: 'report', report: final }, restarts);
    },

    async fail(ctx, ref, reason, willRetry) {
      // The last word on a diagnosis that could not be made is kept like a report; an interim
      // "will be retried" is not (the retry's own message follows).
      if (ref && !willRetry) return deliver(ctx, ref, { type: 'failure', reason });
      const msg = renderFailure(ctx.data.target, reason, willRetry, meta(ctx));
      if (ref) await client.chat.update({ channel: ref.channel, ts: ref.ts, ...msg });
      else if (ctx.data.responseUrl) await respondEphemeral(ctx.data.responseUrl, msg);
    },
  };
}
