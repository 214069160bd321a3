/** The Slack side of a diagnosis job: one message, updated live, then the report and its evidence file. */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { RestartOffer } from '../actions/restart-offer.js';
import { type JobContext, PublishRefusedError, type ReportPublisher } from '../queue/publisher.js';
import { renderFailure, renderProgress, renderReport } from '../report/block-kit.js';
import { renderNotInChannel } from '../report/block-kit-intake.js';
import type { TargetReport } from '../report/types.js';
import { respondEphemeral } from './respond.js';
import { uploadCharts } from './upload-chart.js';
import { uploadEvidence } from './upload-evidence.js';
import { slackErrorCode } from './web-client.js';

/** Errors after which no retry can post to the channel (Slack's chat.postMessage error codes). */
const UNDELIVERABLE = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

const meta = (ctx: JobContext) => ({ requestedBy: ctx.data.requestedBy.userId, jobId: ctx.jobId });

/** Makes the restart buttons of a finished report (src/actions/offer-restarts.ts), when wired. */
export type OfferRestarts = (ctx: JobContext, report: TargetReport) => Promise<RestartOffer[]>;

export function createSlackPublisher(
  client: WebClient,
  logger: Logger,
  offerRestarts?: OfferRestarts,
): ReportPublisher {
  let botUserId: string | undefined;
  const whoAmI = async () => {
    if (botUserId) return botUserId;
    const me = await client.auth.test().catch(() => undefined);
    botUserId = typeof me?.user_id === 'string' ? me.user_id : undefined;
    return botUserId;
  };

  return {
    async begin(ctx) {
      const first = renderProgress(
        {
          target: ctx.data.target,
          sinceS: ctx.data.sinceS,
          hosts: [{ host: ctx.data.target, checks: [], done: false }],
        },
        meta(ctx),
      );
      try {
        const thread = ctx.data.thread;
        const res = await client.chat.postMessage({
          channel: thread?.channel ?? ctx.data.channelId,
          ...(thread ? { thread_ts: thread.ts } : {}),
          ...first,
        });
        if (!res.ts || !res.channel) throw new Error('chat.postMessage answered without ts/channel');
        return { channel: res.channel, ts: res.ts };
      } catch (err) {
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
      await client.chat.update({ channel: ref.channel, ts: ref.ts, ...renderProgress(progress, meta(ctx)) });
    },

    async finish(ctx, ref, report) {
      // No buttons is the safe side: a Redis hiccup here must not cost the report itself.
      const restarts = offerRestarts
        ? await offerRestarts(ctx, report).catch((err) => {
            logger.warn({ jobId: ctx.jobId, err: String(err) }, 'restart buttons not offered');
            return [];
          })
        : [];
      await client.chat.update({
        channel: ref.channel,
        ts: ref.ts,
        ...renderReport(report, { ...meta(ctx), ...(restarts.length > 0 ? { restarts } : {}) }),
      });
      // The report is out; the file is extra (and the "Show all evidence" button posts it again). A
      // failed upload (after WebClient's own retries) must not re-run the whole diagnosis.
      // In an alert's thread the file goes to that thread (Slack threads are one level deep).
      await uploadEvidence(client, ref.channel, ctx.data.thread?.ts ?? ref.ts, report).catch((err) =>
        logger.warn({ jobId: ctx.jobId, err: slackErrorCode(err) }, 'evidence file not uploaded'),
      );
      await uploadCharts(client, ref.channel, ref.ts, report).catch((err) =>
        logger.warn({ jobId: ctx.jobId, err: slackErrorCode(err) }, 'error chart not uploaded'),
      );
    },

    async fail(ctx, ref, reason, willRetry) {
      const msg = renderFailure(ctx.data.target, reason, willRetry, meta(ctx));
      if (ref) await client.chat.update({ channel: ref.channel, ts: ref.ts, ...msg });
      else if (ctx.data.responseUrl) await respondEphemeral(ctx.data.responseUrl, msg);
    },
  };
}
