/**
 * serve's shutdown against the real Redis and a real Bolt listener: when its first step throws
 * (the HTTP listener was already stopped, which Bolt refuses), the queues still close and the Redis
 * connection still ends, and the error names the step that failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShutdownError } from '../../src/bot/shutdown.js';
import { type BotHarness, redisAvailable, startBotHarness, unreachableInventory } from './bot-harness.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/shutdown] skipped: ${skip}`);

describe.skipIf(skip !== undefined)('serve shuts down every part even when one step throws', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await startBotHarness({ worker: false, inventory: (dir) => unreachableInventory(dir, 9) });
  });
  afterAll(async () => {
    await bot?.close();
  });

  it('a listener stopped twice: the queue closes and Redis disconnects anyway', async () => {
    const redis = await bot.serve.queue.client;
    expect(redis.status).toBe('ready');
    await bot.serve.app.stop();
    const error = await bot.serve.close().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ShutdownError);
    expect((error as ShutdownError).failedSteps).toEqual(['http listener']);
    expect(bot.serve.queue.closing).toBeDefined();
    await bot.serve.queue.closing;
    // ioredis reports "end" once the socket has closed, a moment after disconnect().
    for (let i = 0; i < 40 && redis.status !== 'end'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(redis.status).toBe('end');
  });
});
