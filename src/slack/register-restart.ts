/**
 * The restart button's Bolt listener (Bolt has verified Slack's signature before this runs): it
 * acknowledges, takes the user, the button's value and the message out of Slack's payload, and
 * hands them to the protocol (actions/restart-click.ts); a refusal is shown to the user alone.
 */
import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from 'pino';
import { type RestartClickDeps, takeRestartClick } from '../actions/restart-click.js';
import { ACTION_RESTART, renderRestartRefusal } from '../report/block-kit-restart.js';
import { slackErrorCode } from './web-client.js';

type SlackClient = Parameters<Parameters<App['action']>[1]>[0]['client'];

/** A user group's members; a group that cannot be read grants nothing (fail closed). */
function usergroupMembers(client: SlackClient, logger: Logger) {
  return async (usergroup: string): Promise<readonly string[]> => {
    try {
      return (await client.usergroups.users.list({ usergroup })).users ?? [];
    } catch (err) {
      logger.warn({ usergroup, err: slackErrorCode(err) }, 'usergroups.users.list failed');
      return [];
    }
  };
}

export function registerRestart(app: App, deps: RestartClickDeps): void {
  app.action<BlockButtonAction>(ACTION_RESTART, async ({ ack, body, action, client, respond }) => {
    await ack();
    const answer = await takeRestartClick(deps, {
      userId: body.user.id,
      value: action.value ?? '',
      channel: body.channel?.id ?? body.container.channel_id,
      threadTs: body.message?.ts ?? body.container.message_ts,
      membersOf: usergroupMembers(client, deps.logger),
    });
    if (!answer.queued) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        ...renderRestartRefusal(answer.refusal),
      });
    }
  });
}
