/**
 * Watch through the Slack stand-in, with the real Bolt app, real workers and the real Redis: a report's
 * Watch button starts one watch (its line in the report's thread, edited in place each reading), a
 * second click joins it (who is watching; no second loop), Stop ends it, and a new watch counts against
 * the person's intake limit. The hosts refuse SSH here (each reading says so); the lab test
 * (lab-watch.test.ts) watches a real host come back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listActiveWatches } from '../../src/watch/watch-store.js';
import { type BotHarness, redisAvailable, startBotHarness, unreachableInventory } from './bot-harness.js';
import { buttonOf, cleanWatch, click, readings, reportOf, watchMessages } from './watch-helpers.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/watch] skipped: ${skip}`);

describe.skipIf(skip !== undefined)('Watch: start, join, stop, limit (real Bolt, workers, Redis)', () => {
  let bot: BotHarness;
  let redis: import('../../src/queue/redis.js').RedisConn;
  beforeAll(async () => {
    bot = await startBotHarness({
      inventory: (dir) => unreachableInventory(dir, 1),
      env: {
        DIAGNOSE502_WATCH_TICK_S: '1',
        DIAGNOSE502_WATCH_MINUTES: '2',
        DIAGNOSE502_RATE_PER_USER: '1',
      },
    });
    const { redisConnection } = await import('../../src/queue/redis.js');
    redis = redisConnection(bot.config.redisUrl, 'worker');
  });
  afterAll(async () => {
    redis?.disconnect();
    if (bot) await cleanWatch(bot);
    await bot?.close();
  });

  it('click → one watch in the thread; a second click joins it; Stop ends it', async () => {
    await bot.command('web-1', { channel: 'C0WATCH' });
    const report = await bot.standin.waitFor(() => reportOf(bot, 'C0WATCH'), 20_000, 'the report with Watch');

    const started = await click(bot, report, 'd502_watch', 'U0ALICE');
    expect(started).toContain('Watching `web-1`');
    // The line: posted once in the report's thread, then edited in place, one reading a second.
    const line = await bot.standin.waitFor(
      () => {
        const [m] = watchMessages(bot, report);
        return m && readings(m.text).length >= 2 ? m : undefined;
      },
      15_000,
      'two readings on the watch line',
    );
    expect(line.text).toContain('Watching web-1');
    expect(line.text).toContain('the host did not answer');
    expect(readings(line.text)).toEqual(expect.arrayContaining(['no answer']));

    const joined = await click(bot, report, 'd502_watch', 'U0BOB');
    expect(joined).toContain(
      'is already being watched (started by <@U0ALICE>; watching: <@U0ALICE>, <@U0BOB>)',
    );
    // No second loop, no second message; the line names both watchers at its next edit.
    await bot.standin.waitFor(
      () =>
        watchMessages(bot, report)[0]?.history.at(-1)?.blocks &&
        JSON.stringify(watchMessages(bot, report)[0]?.blocks).includes('also watching <@U0BOB>'),
      10_000,
      'the line naming Bob',
    );
    expect(watchMessages(bot, report)).toHaveLength(1);
    const active = await listActiveWatches(redis, bot.config.queueName);
    expect(active).toHaveLength(1);
    expect(active[0]).toMatchObject({ host: 'web-1', startedBy: 'U0ALICE', channel: 'C0WATCH' });

    // One reading per tick: the line grows by one value at a time, never by two.
    const counts = watchMessages(bot, report)[0]?.history.map((h) => readings(h.text).length) ?? [];
    for (let i = 1; i < counts.length; i++)
      expect((counts[i] ?? 0) - (counts[i - 1] ?? 0)).toBeLessThanOrEqual(1);

    const watchMsg = watchMessages(bot, report)[0];
    if (!watchMsg) throw new Error('no watch message');
    const stopValue = buttonOf(watchMsg, 'd502_watch_stop');
    const stopped = await click(bot, watchMsg, 'd502_watch_stop', 'U0BOB');
    expect(stopped).toContain('Stopping the watch of `web-1`');
    const final = await bot.standin.waitFor(
      () =>
        watchMessages(bot, report)[0]?.text.includes('stopped* by <@U0BOB>')
          ? watchMessages(bot, report)[0]
          : undefined,
      10_000,
      'the line saying who stopped it',
    );
    expect(JSON.stringify(final.blocks)).not.toContain('d502_watch_stop');
    expect(await listActiveWatches(redis, bot.config.queueName)).toEqual([]);
    // Stopped means stopped: no further edit.
    const edits = final.history.length;
    await new Promise((r) => setTimeout(r, 2500));
    expect(watchMessages(bot, report)[0]?.history.length).toBe(edits);
    // A Stop on a finished watch says so.
    expect(await click(bot, watchMsg, 'd502_watch_stop', 'U0ALICE', stopValue)).toContain(
      'is not running any more',
    );
  });

  it('a new watch counts against the person’s intake limit; joining one does not', async () => {
    // U0CAROL asks for a diagnosis (her one request this minute), then clicks Watch on its report.
    await bot.command('web-2', { channel: 'C0LIMIT', user: 'U0CAROL' });
    const report = await bot.standin.waitFor(() => reportOf(bot, 'C0LIMIT'), 20_000, 'the web-2 report');
    const refused = await click(bot, report, 'd502_watch', 'U0CAROL');
    expect(refused).toContain('You have asked for 1 diagnoses in this minute');
    expect(watchMessages(bot, report)).toHaveLength(0);
    expect(await listActiveWatches(redis, bot.config.queueName)).toEqual([]);
    // Dave starts it (his first request); Carol, over her limit, may still join it.
    expect(await click(bot, report, 'd502_watch', 'U0DAVE')).toContain('Watching `web-2`');
    expect(await click(bot, report, 'd502_watch', 'U0CAROL')).toContain('You joined it');
    const [w] = await listActiveWatches(redis, bot.config.queueName);
    expect(w).toMatchObject({ host: 'web-2', startedBy: 'U0DAVE' });
  });
});
