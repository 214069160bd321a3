/**
 * How an alert group's thread reaches Slack (serve's side): at once while Slack answers; through the
 * outbox while it does not, so that a notification arriving in an outage is still taken (its hosts
 * diagnosed now, with the evidence of now) instead of answered 503. The group's message then gets a
 * placeholder ts (outbox.ts): its hosts' replies and its edits wait for it to be posted, and an edit
 * only ever sends the latest state, after the message exists.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { ThreadPoster } from '../alerts/take-alert-group.js';
import { isPlaceholder, type Outbox } from '../delivery/outbox.js';
import { isSlackOutage } from './slack-outage.js';
import { slackErrorCode } from './web-client.js';

export function outboxThreadPoster(client: () => WebClient, outbox: Outbox, logger: Logger): ThreadPoster {
  const down = async () => (await outbox.slackDownSince()) !== undefined;
  const outage = async (err: unknown, what: string) => {
    if (!isSlackOutage(err)) return false;
    await outbox.markDown();
    logger.warn({ err: slackErrorCode(err) }, `Slack does not answer; the ${what} waits in the outbox`);
    return true;
  };
  return {
    async post(channel, message, threadTs) {
      const thread = threadTs ? await outbox.resolve(threadTs) : undefined;
      if ((await down()) || (thread && thread.kind !== 'posted'))
        return outbox.deferPost(channel, message, threadTs);
      try {
        const res = await client().chat.postMessage({
          channel,
          ...message,
          ...(thread?.kind === 'posted' ? { thread_ts: thread.ts } : {}),
        });
        if (!res.ts || !res.channel) throw new Error('chat.postMessage answered without ts/channel');
        return { channel: res.channel, ts: res.ts };
      } catch (err) {
        if (await outage(err, 'message')) return outbox.deferPost(channel, message, threadTs);
        throw err;
      }
    },
    async update(ref, message) {
      // Behind an edit already waiting, or before the message is posted: the outbox sends the latest.
      if ((await down()) || isPlaceholder(ref.ts) || (await outbox.hasPendingUpdate(ref)))
        return outbox.deferUpdate(ref, message);
      try {
        await client().chat.update({ channel: ref.channel, ts: ref.ts, ...message });
      } catch (err) {
        if (await outage(err, 'edit')) return outbox.deferUpdate(ref, message);
        throw err;
      }
    },
  };
}
