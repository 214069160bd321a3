/**
 * The Watch and Stop buttons' Bolt listeners (Bolt has verified Slack's signature before this runs):
 * acknowledge, take the user, the host and the report's message out of Slack's payload, check the
 * command's allowlists, and hand them to the protocol (watch/watch-click.ts). Answers go to the clicker
 * alone; the watch itself is posted by the worker, in the report's thread.
 */
import type { App, BlockButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { renderNotAllowed } from '../report/block-kit-intake.js';
import { renderRefusal } from '../report/block-kit-refusal.js';
import type { SlackMessage } from '../report/block-kit-types.js';
import {
  ACTION_WATCH,
  ACTION_WATCH_STOP,
  renderWatchJoined,
  renderWatchRefused,
  renderWatchStarted,
  renderWatchStopAnswer,
} from '../report/block-kit-watch.js';
import { takeStopClick, takeWatchClick, type WatchClickDeps } from '../watch/watch-click.js';
import type { IntakeDeps } from './intake-deps.js';
import { allowed } from './intake-deps.js';

const HostValue = z.object({ host: z.string().min(1).max(253) });
const StopValue = HostValue.extend({ id: z.string().regex(/^[a-f0-9]{8,32}$/) });

export type WatchListenerDeps = WatchClickDeps & Pick<IntakeDeps, 'allowedUsers' | 'allowedChannels'>;

function parse<T>(schema: z.ZodType<T>, value: string | undefined): T | undefined {
  try {
    const r = schema.safeParse(JSON.parse(value ?? ''));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

export function registerWatch(app: App, deps: WatchListenerDeps): void {
  app.action<BlockButtonAction>(ACTION_WATCH, async ({ ack, body, action, respond }) => {
    await ack();
    const say = (m: SlackMessage) => respond({ response_type: 'ephemeral', replace_original: false, ...m });
    const channelId = body.channel?.id ?? body.container.channel_id;
    // A report posted as a reply (an alert group's thread) is watched in that same thread.
    const message = body.message as { ts?: string; thread_ts?: string } | undefined;
    const threadTs = message?.thread_ts ?? message?.ts ?? body.container.message_ts;
    if (!channelId || !threadTs || !allowed(deps, body.user.id, channelId)) {
      await say(renderNotAllowed());
      return;
    }
    const value = parse(HostValue, action.value);
    if (!value) {
      await say(renderWatchRefused('This button is broken; run the command again.'));
      return;
    }
    try {
      const answer = await takeWatchClick(deps, {
        userId: body.user.id,
        channelId,
        threadTs,
        host: value.host,
      });
      if (answer.kind === 'started') await say(renderWatchStarted(answer.state.host));
      else if (answer.kind === 'joined') await say(renderWatchJoined(answer.state, answer.watchers));
      else if (answer.kind === 'limited') await say(renderRefusal(answer.refusal, Date.now()));
      else await say(renderWatchRefused(answer.why));
    } catch (err) {
      deps.logger.error({ err: String(err) }, 'could not start a watch');
      await say(renderWatchRefused('Redis is not reachable right now; try again in a minute.'));
    }
  });

  app.action<BlockButtonAction>(ACTION_WATCH_STOP, async ({ ack, body, action, respond }) => {
    await ack();
    const say = (m: SlackMessage) => respond({ response_type: 'ephemeral', replace_original: false, ...m });
    const channelId = body.channel?.id ?? body.container.channel_id;
    if (!channelId || !allowed(deps, body.user.id, channelId)) {
      await say(renderNotAllowed());
      return;
    }
    const value = parse(StopValue, action.value);
    if (!value) {
      await say(renderWatchRefused('This button is broken.'));
      return;
    }
    try {
      await say(
        renderWatchStopAnswer(value.host, await takeStopClick(deps, { userId: body.user.id, ...value })),
      );
    } catch (err) {
      deps.logger.error({ err: String(err) }, 'could not stop a watch');
      await say(renderWatchRefused('Redis is not reachable right now; try again in a minute.'));
    }
  });
}
