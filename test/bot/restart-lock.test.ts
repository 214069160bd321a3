/**
 * The restart lock, cooldown, group limit and single-use claim against the real Redis: many
 * contenders at once, exactly one wins; a release by a non-owner frees nothing.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionRecord, claimAction, newActionId } from '../../src/actions/action-record.js';
import { actionKeys } from '../../src/actions/keys.js';
import { lockRestart, startCooldown } from '../../src/actions/lock.js';
import { parseInventory } from '../../src/inventory/load-inventory.js';
import { acquireLock, releaseLock } from '../../src/queue/redis-lock.js';
import { REDIS_URL, redisAvailable } from './bot-harness.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/restart-lock] skipped: ${skip}`);

const inventory = parseInventory(
  [
    'ssh: { user: diag, privateKeyPath: /k, knownHostsPath: /kh }',
    'hosts:',
    '  web-1: { address: 10.0.0.1 }',
    '  web-2: { address: 10.0.0.2 }',
    '  web-3: { address: 10.0.0.3 }',
    'groups:',
    '  web: [web-1, web-2, web-3]',
    '',
  ].join('\n'),
  '/inv/inventory.yml',
);

describe.skipIf(skip !== undefined)('restart lock, cooldown, group slots and claims (real Redis)', () => {
  let redis: Redis;
  const keys = actionKeys(`d502-test-${randomBytes(6).toString('hex')}`);
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    const left = await redis.keys(`d502:${keys.queue.replace(/-restarts$/, '')}:*`);
    if (left.length > 0) await redis.del(...left);
    redis.disconnect();
  });

  it('twenty contenders for one host+service: one holds it; only its owner token releases it', async () => {
    const tokens = Array.from({ length: 20 }, (_, i) => `job-${i}`);
    const results = await Promise.all(
      tokens.map((t) => lockRestart(redis, keys, inventory, { host: 'web-1', service: 'app' }, t, 5)),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({
      reason: 'another restart of app on web-1 is running',
    });
    // Someone else's token frees nothing.
    expect(await releaseLock(redis, keys.lock('web-1', 'app'), 'job-not-owner')).toBe(false);
    expect(await redis.exists(keys.lock('web-1', 'app'))).toBe(1);
    if (winners[0]?.ok) await winners[0].held.release();
    expect(await redis.exists(keys.lock('web-1', 'app'))).toBe(0);
  });

  it('maxPerGroup: 1 keeps a second host of the group waiting; the cooldown refuses a second restart', async () => {
    const a = await lockRestart(redis, keys, inventory, { host: 'web-2', service: 'app' }, 't-a', 1);
    const b = await lockRestart(redis, keys, inventory, { host: 'web-3', service: 'app' }, 't-b', 1);
    expect(a.ok).toBe(true);
    expect(b).toEqual({ ok: false, reason: '1 host(s) of group web are already restarting (maxPerGroup)' });
    // The refused one gave its host lock back.
    expect(await redis.exists(keys.lock('web-3', 'app'))).toBe(0);
    if (a.ok) await a.held.release();
    await startCooldown(redis, keys, 'web-2', 'app', 60_000);
    const c = await lockRestart(redis, keys, inventory, { host: 'web-2', service: 'app' }, 't-c', 1);
    expect(c.ok).toBe(false);
    expect(c.ok === false && c.reason).toMatch(
      /^app on web-2 was restarted recently; the cooldown ends in (59|60) s$/,
    );
    expect(await acquireLock(redis, keys.lock('web-2', 'app'), 'after', 60_000)).toBe(true);
  });

  it('a button is claimed once, however many clicks race', async () => {
    const record: ActionRecord = {
      id: newActionId(),
      kind: 'restart-service',
      host: 'web-1',
      address: '10.0.0.1',
      service: 'app',
      command: 'systemctl restart app',
      diagnosis: { jobId: '1', cause: 'upstream-down', title: 't' },
      createdAt: Date.now(),
      expiresAt: Date.now() + 60_000,
      dryRun: false,
    };
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => claimAction(redis, keys, record, `U0USER${i}`)),
    );
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    const lost = claims.find((c) => !c.claimed);
    expect(lost).toMatchObject({ claimed: false, by: expect.stringMatching(/^U0USER\d$/) });
  });
});
