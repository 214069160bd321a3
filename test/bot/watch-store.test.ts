/**
 * Watch's Redis state against the real Redis: one watch per host (twenty clicks at once: one starts,
 * the rest join), the compare-and-set that keeps a tick from counting twice, Stop, the end, and
 * listActiveWatches (what App Home reads).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchKeys } from '../../src/watch/watch-keys.js';
import type { WatchState } from '../../src/watch/watch-state.js';
import {
  claimWatch,
  endWatch,
  listActiveWatches,
  loadWatch,
  requestStop,
  saveWatch,
  stopRequestedBy,
  watchersOf,
} from '../../src/watch/watch-store.js';
import { watchState } from '../unit/watch/watch-state-fixture.js';
import { REDIS_URL, redisAvailable } from './bot-harness.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/watch-store] skipped: ${skip}`);

const queueName = `d502-test-${randomBytes(6).toString('hex')}`;
const keys = watchKeys(queueName);
const NOW = Date.now();

const watch = (host: string, user: string, over: Partial<WatchState> = {}): WatchState =>
  watchState({
    id: randomBytes(8).toString('hex'),
    host,
    startedBy: user,
    startedAt: NOW,
    endsAt: NOW + 10 * 60_000,
    channel: 'C0WATCH',
    threadTs: '1765000000.000100',
    ...over,
  });

describe.skipIf(skip !== undefined)('watch store (real Redis)', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    const left = await redis.keys(`d502:${queueName}:*`);
    if (left.length > 0) await redis.del(...left);
    redis.disconnect();
  });

  it('twenty clicks on one host at once: one watch starts, the others join it', async () => {
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) => claimWatch(redis, keys, watch('web-1', `U${i}`), NOW)),
    );
    const started = claims.filter((c) => c.kind === 'started');
    expect(started).toHaveLength(1);
    const id = started[0]?.state.id;
    expect(claims.every((c) => c.state.id === id)).toBe(true);
    const stored = await loadWatch(redis, keys, 'web-1');
    expect(stored?.id).toBe(id);
    const who = await watchersOf(redis, keys, stored as WatchState);
    expect(who).toHaveLength(20);
    expect(who[0]).toBe(stored?.startedBy);
  });

  it('a tick is stored once: a second run of the same tick finds the state moved on', async () => {
    const first = await claimWatch(redis, keys, watch('web-2', 'U1'), NOW);
    const prev = first.state;
    const next: WatchState = {
      ...prev,
      tick: 1,
      samples: [{ at: NOW, rate: 38, checked: 1, failing: ['127.0.0.1:8081'] }],
    };
    expect(await saveWatch(redis, keys, prev, next)).toBe(true);
    // The same tick again (a crashed worker's job taken over): refused.
    expect(await saveWatch(redis, keys, prev, { ...next, samples: [...next.samples, ...next.samples] })).toBe(
      false,
    );
    expect((await loadWatch(redis, keys, 'web-2'))?.samples).toHaveLength(1);
    // Another watch's id never overwrites this one.
    expect(await saveWatch(redis, keys, { ...next, id: 'ffffffffffffffff' }, { ...next, tick: 2 })).toBe(
      false,
    );
  });

  it('Stop is recorded once, by the first presser', async () => {
    const { state } = await claimWatch(redis, keys, watch('web-3', 'U1'), NOW);
    expect(await stopRequestedBy(redis, keys, state.id)).toBeUndefined();
    expect(await requestStop(redis, keys, state, 'U2', NOW)).toBe(true);
    expect(await requestStop(redis, keys, state, 'U3', NOW)).toBe(false);
    expect(await stopRequestedBy(redis, keys, state.id)).toBe('U2');
  });

  it('listActiveWatches lists running watches with their last rate; an ended one frees the host', async () => {
    const listed = await listActiveWatches(redis, queueName, NOW + 1000);
    expect(listed.map((w) => w.host)).toEqual(expect.arrayContaining(['web-1', 'web-2', 'web-3']));
    const web2 = listed.find((w) => w.host === 'web-2');
    expect(web2).toMatchObject({
      startedBy: 'U1',
      channel: 'C0WATCH',
      messageTs: '1765000000.000100',
      lastRate: 38,
    });
    expect(web2?.endsAt).toBe(NOW + 10 * 60_000);

    const web3 = (await loadWatch(redis, keys, 'web-3')) as WatchState;
    await endWatch(redis, keys, web3);
    expect(await loadWatch(redis, keys, 'web-3')).toBeUndefined();
    expect((await listActiveWatches(redis, queueName, NOW + 1000)).map((w) => w.host)).not.toContain('web-3');
    // The host can be watched again.
    expect((await claimWatch(redis, keys, watch('web-3', 'U9'), NOW)).kind).toBe('started');
    // Past its end a watch is not listed, even before a tick ends it.
    expect(await listActiveWatches(redis, queueName, NOW + 11 * 60_000)).toEqual([]);
  });

  it('a finished watch still stored does not block a new one', async () => {
    const old = watch('web-4', 'U1', { status: 'back' });
    await redis.set(keys.host('web-4'), JSON.stringify(old), 'PX', 60_000);
    const claim = await claimWatch(redis, keys, watch('web-4', 'U2'), NOW);
    expect(claim.kind).toBe('started');
    expect(claim.state.startedBy).toBe('U2');
  });
});
