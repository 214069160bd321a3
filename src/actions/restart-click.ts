/**
 * Step 2 of the restart protocol, the click, after the Slack listener (slack/register-restart.ts)
 * has taken the user, the button's value and the message out of Slack's payload: the value is only
 * an action record id. An unknown, expired or already used record, and a user the policy does not
 * allow, are refused and audited; an accepted click claims the record (once), queues the restart
 * job and is audited. Nothing here knows Slack: the caller shows the refusal.
 */
import type { Logger } from 'pino';
import type { Inventory } from '../inventory/types.js';
import type { RedisConn } from '../queue/redis.js';
import { type ActionRecord, claimAction, loadActionRecord } from './action-record.js';
import { appendAudit } from './audit.js';
import { authorize } from './authorize.js';
import type { ActionKeys } from './keys.js';
import { RESTART_JOB_NAME } from './restart-job-data.js';
import type { RestartQueue } from './restart-queue.js';

export interface RestartClickDeps {
  redis: RedisConn;
  keys: ActionKeys;
  queue: RestartQueue;
  /** Read at each click, so a policy change (a user removed) applies at once. */
  inventory(): Promise<Inventory>;
  logger: Logger;
  now?(): number;
}

/** A click as the protocol needs it; every field came from Slack and is untrusted. */
export interface RestartClick {
  userId: string;
  /** The button's value: an action record id, or anything at all. */
  value: string;
  /** Where the report is: the restart's steps go in its thread. */
  channel: string | undefined;
  threadTs: string | undefined;
  /** The members of a Slack user group; fails closed (an empty list) when it cannot be read. */
  membersOf(usergroup: string): Promise<readonly string[]>;
}

/** Queued, or refused with the sentence to show the user (already audited either way). */
export type ClickAnswer = { queued: true } | { queued: false; refusal: string };

const utc = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const errorText = (err: unknown) => String(err).slice(0, 200);

export async function takeRestartClick(deps: RestartClickDeps, click: RestartClick): Promise<ClickAnswer> {
  const now = deps.now ?? Date.now;
  const audit = (record: ActionRecord | undefined, result: 'refused' | 'queued', detail: string) =>
    appendAudit(deps.redis, deps.keys.audit, deps.logger, {
      who: click.userId,
      action: record?.kind ?? 'restart-service',
      host: record?.host ?? '?',
      service: record?.service ?? '?',
      command: record?.command ?? '?',
      actionId: record?.id ?? click.value.slice(0, 64),
      result,
      detail,
    });
  const refuse = async (record: ActionRecord | undefined, refusal: string): Promise<ClickAnswer> => {
    await audit(record, 'refused', refusal);
    return { queued: false, refusal };
  };

  const record = await loadActionRecord(deps.redis, deps.keys, click.value);
  if (!record) {
    return refuse(
      undefined,
      'This restart button is unknown or long gone; nothing was done. Run /diagnose502 again.',
    );
  }
  if (now() >= record.expiresAt) {
    return refuse(
      record,
      `This restart button expired at ${utc(record.expiresAt)}; nothing was done. Run /diagnose502 ${record.host} again for a fresh diagnosis.`,
    );
  }
  let policy: Inventory['restart'];
  try {
    policy = (await deps.inventory()).restart;
  } catch (err) {
    return refuse(record, `The inventory cannot be read (${errorText(err)}); nothing was done.`);
  }
  const authorization = await authorize(policy, click.userId, record.host, click.membersOf);
  if (!authorization.allowed) {
    return refuse(
      record,
      `You may not restart ${record.service} on ${record.host}: ${authorization.reason}. Nothing was done.`,
    );
  }
  if (!click.channel || !click.threadTs) {
    return refuse(record, 'This click came without its message; nothing was done.');
  }
  const claim = await claimAction(deps.redis, deps.keys, record, click.userId);
  if (!claim.claimed) {
    return refuse(
      record,
      `This restart button was already used by <@${claim.by}> at ${utc(claim.at)}; nothing was done again.`,
    );
  }
  try {
    await deps.queue.add(
      RESTART_JOB_NAME,
      { actionId: record.id, userId: click.userId, channel: click.channel, threadTs: click.threadTs },
      // The record id as job id: one job per button, whatever happens to the click.
      { jobId: record.id },
    );
  } catch (err) {
    // The button is spent (claimed); a fresh diagnosis makes a new one.
    return refuse(
      record,
      `The restart could not be queued (${errorText(err)}); nothing was done. Run /diagnose502 ${record.host} again.`,
    );
  }
  await audit(
    record,
    'queued',
    `accepted (restart.allow rule ${authorization.rule}); the steps follow in the report's thread`,
  );
  return { queued: true };
}
