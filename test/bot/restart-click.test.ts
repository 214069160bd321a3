/**
 * The restart click protocol (actions/restart-click.ts) against the real Redis and a real BullMQ
 * queue, without Slack: what a user is told, what is queued and what the audit trail says for an
 * unknown, expired, unauthorized, message-less and accepted click, and for a second click.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionRecord, newActionId, saveActionRecord } from '../../src/actions/action-record.js';
import { readAudit } from '../../src/actions/audit.js';
import { actionKeys } from '../../src/actions/keys.js';
import {
  type RestartClick,
  type RestartClickDeps,
  takeRestartClick,
} from '../../src/actions/restart-click.js';
import { createRestartQueue, type RestartQueue } from '../../src/actions/restart-queue.js';
import { parseInventory } from '../../src/inventory/load-inventory.js';
import { REDIS_URL, redisAvailable } from './bot-harness.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/restart-click] skipped: ${skip}`);

const inventory = parseInventory(
  [
    'ssh: { user: diag, privateKeyPath: /k, knownHostsPath: /kh }',
    'hosts:',
    '  web-1: { address: 10.0.0.1 }',
    '  web-2: { address: 10.0.0.2 }',
    'restart:',
    '  allow:',
    '    - users: [U0ONCALL]',
    '    - usergroups: [S0SRE]',
    '      targets: [web-1]',
    '',
  ].join('\n'),
  '/inv/inventory.yml',
);

const T0 = Date.parse('2026-12-07T10:00:00Z');

describe.skipIf(skip !== undefined)('the restart click protocol (real Redis, real BullMQ queue)', () => {
  let redis: Redis;
  let queue: RestartQueue;
  const name = `d502-test-${randomBytes(6).toString('hex')}`;
  const keys = actionKeys(name);
  let deps: RestartClickDeps;

  const record = async (over: Partial<ActionRecord> = {}): Promise<ActionRecord> => {
    const r: ActionRecord = {
      id: newActionId(),
      kind: 'restart-service',
      host: 'web-1',
      address: '10.0.0.1',
      service: 'app',
      command: 'systemctl restart app',
      diagnosis: { jobId: '1', cause: 'upstream-down', title: 't' },
      createdAt: T0,
      expiresAt: T0 + 15 * 60_000,
      dryRun: false,
      ...over,
    };
    await saveActionRecord(redis, keys, r);
    return r;
  };
  const click = (over: Partial<RestartClick>): RestartClick => ({
    userId: 'U0ONCALL',
    value: '',
    channel: 'C0INCIDENT',
    threadTs: '1765101600.000100',
    membersOf: async (group) => (group === 'S0SRE' ? ['U0SRE'] : []),
    ...over,
  });
  const lastAudit = async () => (await readAudit(redis, keys.audit, 100)).at(-1);

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    queue = createRestartQueue(keys.queue, redis);
    deps = {
      redis,
      keys,
      queue,
      inventory: async () => inventory,
      logger: pino({ level: 'silent' }),
      now: () => T0 + 60_000,
    };
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    const left = await redis.keys(`d502:${name}:*`);
    if (left.length > 0) await redis.del(...left);
    redis.disconnect();
  });

  it('an unknown button value is refused, audited with the value cut, and nothing is queued', async () => {
    const answer = await takeRestartClick(deps, click({ value: `forged-${'x'.repeat(100)}` }));
    expect(answer).toEqual({
      queued: false,
      refusal: 'This restart button is unknown or long gone; nothing was done. Run /diagnose502 again.',
    });
    expect(await lastAudit()).toMatchObject({
      who: 'U0ONCALL',
      result: 'refused',
      host: '?',
      actionId: `forged-${'x'.repeat(57)}`,
    });
    expect(await queue.count()).toBe(0);
  });

  it('an expired button is refused with its expiry time', async () => {
    const r = await record({ expiresAt: T0 });
    const answer = await takeRestartClick(deps, click({ value: r.id }));
    expect(answer).toEqual({
      queued: false,
      refusal:
        'This restart button expired at 2026-12-07T10:00:00Z; nothing was done. Run /diagnose502 web-1 again for a fresh diagnosis.',
    });
    expect(await lastAudit()).toMatchObject({ actionId: r.id, host: 'web-1', result: 'refused' });
  });

  it('a user outside restart.allow, or allowed only on other hosts, is refused; the button stays usable', async () => {
    const r = await record({ host: 'web-2', address: '10.0.0.2' });
    const stranger = await takeRestartClick(deps, click({ value: r.id, userId: 'U0STRANGER' }));
    expect(stranger).toEqual({
      queued: false,
      refusal:
        'You may not restart app on web-2: you are not in restart.allow (users or usergroups) of the inventory. Nothing was done.',
    });
    const sre = await takeRestartClick(deps, click({ value: r.id, userId: 'U0SRE' }));
    expect(sre).toMatchObject({
      refusal: expect.stringMatching(/you may restart other hosts, but not web-2/),
    });
    expect(await queue.count()).toBe(0);
    expect(await takeRestartClick(deps, click({ value: r.id }))).toEqual({ queued: true });
  });

  it('an inventory that cannot be read, or a click without its message, refuses', async () => {
    const r = await record();
    const broken = await takeRestartClick(
      {
        ...deps,
        inventory: async () => {
          throw new Error('inventory.yml: 1 problem');
        },
      },
      click({ value: r.id }),
    );
    expect(broken).toMatchObject({
      refusal: 'The inventory cannot be read (Error: inventory.yml: 1 problem); nothing was done.',
    });
    const bare = await takeRestartClick(deps, click({ value: r.id, threadTs: undefined }));
    expect(bare).toMatchObject({ refusal: 'This click came without its message; nothing was done.' });
  });

  it('an accepted click queues one job named by the record, audits it, and a second click is refused', async () => {
    const r = await record();
    expect(await takeRestartClick(deps, click({ value: r.id, userId: 'U0SRE' }))).toEqual({ queued: true });
    const job = await queue.getJob(r.id);
    expect(job?.data).toEqual({
      actionId: r.id,
      userId: 'U0SRE',
      channel: 'C0INCIDENT',
      threadTs: '1765101600.000100',
    });
    expect(await lastAudit()).toMatchObject({
      who: 'U0SRE',
      actionId: r.id,
      result: 'queued',
      detail: "accepted (restart.allow rule 1); the steps follow in the report's thread",
    });
    const again = await takeRestartClick(deps, click({ value: r.id }));
    expect(again).toMatchObject({
      queued: false,
      refusal: expect.stringMatching(
        /^This restart button was already used by <@U0SRE> at .*; nothing was done again\.$/,
      ),
    });
  });
});
