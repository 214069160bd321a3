/**
 * A watch survives its worker: its state is in Redis and its next tick is a delayed BullMQ job, so a
 * worker SIGKILLed between two ticks is followed by another that goes on with the same watch (the same
 * message, the line growing one reading a tick); a worker SIGKILLed in the middle of a tick is followed
 * by one that runs that tick again (BullMQ's stalled-job check) without a second message or a doubled
 * reading. web-1 refuses SSH (a reading takes milliseconds); web-2 accepts TCP and never speaks SSH, so
 * its reading lasts the inventory's connect timeout (3 s), long enough to kill the worker inside it.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisConn, redisConnection } from '../../src/queue/redis.js';
import { watchKeys } from '../../src/watch/watch-keys.js';
import type { WatchState } from '../../src/watch/watch-state.js';
import { loadWatch } from '../../src/watch/watch-store.js';
import type { Message } from '../slack-standin/server.js';
import {
  type BotHarness,
  redisAvailable,
  type SilentServer,
  silentServer,
  startBotHarness,
  unreachableInventory,
} from './bot-harness.js';
import { cleanWatch, click, readings, reportOf, watchMessages } from './watch-helpers.js';
import { spawnWorker, untilReady } from './worker-process.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/watch-restart] skipped: ${skip}`);

const TICK_S = 2;

async function kill(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

/** Each edit of the line adds at most one reading: a doubled tick would add two. */
function growsOneAtATime(m: Message): void {
  const counts = m.history.map((h) => readings(h.text).length);
  for (let i = 1; i < counts.length; i++)
    expect((counts[i] ?? 0) - (counts[i - 1] ?? 0)).toBeLessThanOrEqual(1);
}

/** The stored readings: one per tick, at least most of an interval apart (never two for one tick). */
function oneReadingPerTick(state: WatchState): void {
  expect(state.samples).toHaveLength(state.tick);
  for (let i = 1; i < state.samples.length; i++) {
    const gap = (state.samples[i]?.at ?? 0) - (state.samples[i - 1]?.at ?? 0);
    expect(gap).toBeGreaterThan(TICK_S * 1000 * 0.5);
  }
}

describe.skipIf(skip !== undefined)('Watch across worker restarts (SIGKILL)', () => {
  let bot: BotHarness;
  let redis: RedisConn;
  let silent: SilentServer;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    silent = await silentServer('127.0.0.2');
    const port = silent.port;
    bot = await startBotHarness({
      worker: false,
      env: { DIAGNOSE502_WATCH_TICK_S: String(TICK_S), DIAGNOSE502_WATCH_MINUTES: '3' },
      inventory: async (dir) => {
        const file = await unreachableInventory(dir, 1);
        // web-1 (127.0.0.1:1) refuses at once; web-2 (127.0.0.2) answers TCP and never speaks SSH.
        const text = await readFile(file, 'utf8');
        await writeFile(
          file,
          text
            .replace('connectTimeoutMs: 2000', 'connectTimeoutMs: 3000')
            .replace(
              /web-2: \{ address: 127\.0\.0\.2, ssh: \{ port: \d+ \} \}/,
              `web-2: { address: 127.0.0.2, ssh: { port: ${port} } }`,
            ),
        );
        return file;
      },
    });
    redis = redisConnection(bot.config.redisUrl, 'worker');
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) await kill(c);
    redis?.disconnect();
    if (bot) await cleanWatch(bot);
    await bot?.close();
    silent?.close();
  });

  it('killed between ticks: a new worker goes on with the same watch, same line, no doubled reading', async () => {
    const a = spawnWorker(bot.env);
    children.push(a);
    await untilReady(a);
    await bot.command('web-1', { channel: 'C0BETWEEN' });
    const report = await bot.standin.waitFor(() => reportOf(bot, 'C0BETWEEN'), 20_000, 'the report');
    expect(await click(bot, report, 'd502_watch', 'U0ALICE')).toContain('Watching `web-1`');
    // Two readings done: the third is a delayed job, ~2 s away. Kill the worker now, between ticks.
    const line = await bot.standin.waitFor(
      () => {
        const [m] = watchMessages(bot, report);
        return m && readings(m.text).length === 2 ? m : undefined;
      },
      15_000,
      'two readings',
    );
    await kill(a);
    const before = readings(line.text).length;
    await new Promise((r) => setTimeout(r, TICK_S * 1000 + 1000));
    expect(readings(line.text).length).toBe(before); // nobody reads while no worker runs

    const b = spawnWorker(bot.env);
    children.push(b);
    await untilReady(b);
    await bot.standin.waitFor(() => readings(line.text).length >= before + 2, 15_000, 'two more readings');
    expect(watchMessages(bot, report)).toHaveLength(1);
    growsOneAtATime(line);
    const state = await loadWatch(redis, watchKeys(bot.config.queueName), 'web-1');
    if (!state) throw new Error('the watch is gone');
    oneReadingPerTick(state);
    expect(state.messageTs).toBe(line.ts);
  }, 90_000);

  it('killed in the middle of a tick: the tick runs again, same message, one reading', async () => {
    // Worker b (from the test above) is the one running: find it.
    const b = children.find((c) => c.exitCode === null && c.signalCode === null);
    if (!b) throw new Error('no running worker');
    await bot.command('web-2', { channel: 'C0MIDTICK' });
    const report = await bot.standin.waitFor(() => reportOf(bot, 'C0MIDTICK'), 30_000, 'the web-2 report');
    silent.dropAll();
    expect(await click(bot, report, 'd502_watch', 'U0BOB')).toContain('Watching `web-2`');
    // Tick 1 posts the message, then reads: the SSH connection to the silent host is the read in progress.
    await bot.standin.waitFor(() => watchMessages(bot, report)[0], 10_000, 'the watch message');
    await bot.standin.waitFor(() => silent.sockets.size > 0, 10_000, 'the reading (SSH connection)');
    await kill(b);
    const stored = await loadWatch(redis, watchKeys(bot.config.queueName), 'web-2');
    expect(stored?.tick).toBe(0); // killed before the tick was stored

    const c = spawnWorker(bot.env);
    children.push(c);
    await untilReady(c);
    const line = watchMessages(bot, report)[0] as Message;
    await bot.standin.waitFor(() => readings(line.text).length >= 2, 30_000, 'readings after the restart');
    expect(watchMessages(bot, report)).toHaveLength(1);
    growsOneAtATime(line);
    const state = await loadWatch(redis, watchKeys(bot.config.queueName), 'web-2');
    if (!state) throw new Error('the watch is gone');
    oneReadingPerTick(state);
    expect(readings(line.text)[0]).toBe('no answer');
  }, 90_000);
});
