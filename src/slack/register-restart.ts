/**
 * Step 2 of the restart protocol, the click (Bolt has verified Slack's signature before this runs):
 * the button's value is only an action record id. An unknown, expired or already used record, and a
 * user the policy does not allow, get an ephemeral refusal that is audited; an accepted click claims
 * the record (once) and queues the restart job.
 */
import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from 'pino';
import { type ActionRecord, claimAction, loadActionRecord } from '../actions/action-record.js';
import { appendAudit } from '../actions/audit.js';
import { authorize } from '../actions/authorize.js';
import type { ActionKeys } from '../actions/keys.js';
import { RESTART_JOB_NAME } from '../actions/restart-job-data.js';
import type { RestartQueue } from '../actions/restart-queue.js';
import type { Inventory } from '../inventory/types.js';
import type { RedisConn } from '../queue/redis.js';
import { ACTION_RESTART } from '../report/block-kit-restart.js';
import { slackErrorCode } from './web-client.js';

export interface RestartIntakeDeps {
  redis: RedisConn;
  keys: ActionKeys;
  queue: RestartQueue;
  /** Read at each click, so a policy change (a user removed) applies at once. */
  inventory(): Promise<Inventory>;
  logger: Logger;
}

const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function registerRestart(app: App, deps: RestartIntakeDeps): void {
  app.action<BlockButtonAction>(ACTION_RESTART, async ({ ack, body, action, client, respond }) => {
    await ack();
    const userId = body.user.id;
    const channel = body.channel?.id ?? body.container.channel_id;
    const threadTs = body.message?.ts ?? body.container.message_ts;
    const value = action.value ?? '';
    const audit = (record: ActionRecord | undefined, result: 'refused' | 'queued', detail: string) =>
      appendAudit(deps.redis, deps.keys.audit, deps.logger, {
        who: userId,
        action: record?.kind ?? 'restart-service',
        host: record?.host ?? '?',
        service: record?.service ?? '?',
        command: record?.command ?? '?',
        actionId: record?.id ?? value.slice(0, 64),
        result,
        detail,
      });
    const refuse = async (record: ActionRecord | undefined, text: string) => {
      await audit(record, 'refused', text);
      await respond({ response_type: 'ephemeral', replace_original: false, text: `:no_entry: ${text}` });
    };

    const record = await loadActionRecord(deps.redis, deps.keys, value);
    if (!record)
      return refuse(
        undefined,
        'This restart button is unknown or long gone; nothing was done. Run /diagnose502 again.',
      );
    if (Date.now() >= record.expiresAt) {
      return refuse(
        record,
        `This restart button expired at ${when(record.expiresAt)}; nothing was done. Run /diagnose502 ${record.host} again for a fresh diagnosis.`,
      );
    }
    const membersOf = async (usergroup: string) => {
      try {
        const res = await client.usergroups.users.list({ usergroup });
        return res.users ?? [];
      } catch (err) {
        // Fail closed: a group that cannot be read grants nothing.
        deps.logger.warn({ usergroup, err: slackErrorCode(err) }, 'usergroups.users.list failed');
        return [];
      }
    };
    let policy: Inventory['restart'];
    try {
      policy = (await deps.inventory()).restart;
    } catch (err) {
      return refuse(record, `The inventory cannot be read (${String(err).slice(0, 200)}); nothing was done.`);
    }
    const authz = await authorize(policy, userId, record.host, membersOf);
    if (!authz.allowed) {
      return refuse(
        record,
        `You may not restart ${record.service} on ${record.host}: ${authz.reason}. Nothing was done.`,
      );
    }
    if (!channel || !threadTs)
      return refuse(record, 'This click came without its message; nothing was done.');
    const claim = await claimAction(deps.redis, deps.keys, record, userId);
    if (!claim.claimed) {
      return refuse(
        record,
        `This restart button was already used by <@${claim.by}> at ${when(claim.at)}; nothing was done again.`,
      );
    }
    try {
      await deps.queue.add(
        RESTART_JOB_NAME,
        { actionId: record.id, userId, channel, threadTs },
        // The record id as job id: one job per button, whatever happens to the click.
        { jobId: record.id },
      );
    } catch (err) {
      // The button is spent (claimed); a fresh diagnosis makes a new one.
      return refuse(
        record,
        `The restart could not be queued (${String(err).slice(0, 200)}); nothing was done. Run /diagnose502 ${record.host} again.`,
      );
    }
    await audit(
      record,
      'queued',
      `accepted (restart.allow rule ${authz.rule}); the steps follow in the report's thread`,
    );
  });
}
