/**
 * Issue 16: pending deliveries survive worker restarts and are delivered once. During a 60 s outage
 * of the stand-in's Web API, `diagnose502 worker` processes (children, as deployed) diagnose four
 * commands; the first worker is killed with SIGKILL while its reports wait, the second one stops on
 * SIGTERM; two new workers are running when Slack answers again. Every report appears once, marked
 * late, its evidence file after it: no loss, no double, although two workers share the outbox.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeliveryQueue, deliveryKeys } from '../../src/delivery/delivery-queue.js';
import { redisConnection } from '../../src/queue/redis.js';
import { type BotHarness, redisAvailable, startBotHarness, unreachableInventory } from './bot-harness.js';
import { hasRerun, headerOf, lateNoteOf, okPosts, postedAt, uploadedAt } from './outage-checks.js';
import { spawnWorker, untilReady } from './worker-process.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/slack-outage-restart] skipped: ${skip}`);

const OUTAGE_MS = 60_000;

describe.skipIf(skip !== undefined)('worker restarts during a Slack outage: no loss, no double', () => {
  let bot: BotHarness | undefined;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    bot = await startBotHarness({ worker: false, inventory: (dir) => unreachableInventory(dir, 9) });
    const s = bot.standin;
    await s.waitFor(() => s.callsOf('auth.test').some((c) => c.status === 200), 10_000, "Bolt's auth.test");
  }, 60_000);
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await bot?.close();
  });

  it('SIGKILL and SIGTERM while reports wait, two workers after: each report once, late, in order', async () => {
    if (!bot) throw new Error('setup failed');
    const b = bot;
    const { standin } = b;
    const completed = async (n: number) => {
      for (let i = 0; i < 600 && (await b.serve.queue.getCompletedCount()) < n; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(await b.serve.queue.getCompletedCount()).toBe(n);
    };
    const start = async () => {
      const w = spawnWorker(b.env);
      children.push(w);
      await untilReady(w);
      return w;
    };

    const a = await start();
    const outageStart = Date.now();
    standin.outage(OUTAGE_MS);
    const commands = [
      { text: 'web-1', channel: 'C0R1', header: 'web-1:' },
      { text: 'web-2', channel: 'C0R2', header: 'web-2:' },
      { text: 'web 1h', channel: 'C0R3', header: 'web:' },
    ];
    for (const c of commands) expect((await b.command(c.text, { channel: c.channel })).status).toBe(200);
    await completed(3);
    // A crash: its reports are in Redis only; a delivery it was probing with is stalled.
    a.kill('SIGKILL');
    await once(a, 'exit');

    const bWorker = await start();
    const late = { text: 'web-1 1h', channel: 'C0R4', header: 'web-1:' };
    commands.push(late);
    expect((await b.command(late.text, { channel: late.channel })).status).toBe(200);
    await completed(4);
    // A rolling restart: SIGTERM, the worker finishes what it runs and exits 0.
    bWorker.kill('SIGTERM');
    const [code] = await once(bWorker, 'exit');
    expect(code).toBe(0);

    // Two workers share the outbox when Slack comes back.
    const c = await start();
    const d = await start();
    expect(standin.down).toBe(true);
    expect(standin.messages).toHaveLength(0);

    await standin.waitFor(() => !standin.down, OUTAGE_MS + 5000, 'the end of the outage');
    const upAt = Date.now();
    const reportIn = (channel: string, header: string) =>
      standin.messages.find((m) => m.channel === channel && headerOf(m)?.startsWith(header));
    await standin.waitFor(
      () => commands.every((x) => reportIn(x.channel, x.header)) && standin.files.length === 4,
      60_000,
      'the four reports and their files',
    );
    const deliveredAt = Date.now();
    await new Promise((r) => setTimeout(r, 3000));

    for (const x of commands) {
      const inChannel = standin.messages.filter((m) => m.channel === x.channel);
      expect(inChannel, x.channel).toHaveLength(1);
      const [report] = inChannel;
      if (!report) throw new Error('unreachable');
      expect(lateNoteOf(report), x.channel).toBeDefined();
      expect(hasRerun(report)).toBe(true);
      const files = standin.files.filter((f) => f.threadTs === report.ts);
      expect(files, x.channel).toHaveLength(1);
      const [file] = files;
      if (!file) throw new Error('unreachable');
      expect(postedAt(standin, report.ts)).toBeLessThan(uploadedAt(standin, file));
    }
    expect(okPosts(standin)).toBe(4);
    expect(standin.files).toHaveLength(4);
    // Four deliveries, each completed once, none failed; the diagnoses ran once each.
    const conn = redisConnection(b.config.redisUrl, 'worker');
    const deliveries = createDeliveryQueue(deliveryKeys(b.config.queueName).queue, conn);
    try {
      expect(
        await deliveries.getJobCounts('completed', 'failed', 'waiting', 'delayed', 'active'),
      ).toMatchObject({
        completed: 4,
        failed: 0,
        waiting: 0,
        delayed: 0,
        active: 0,
      });
    } finally {
      await deliveries.obliterate({ force: true });
      await deliveries.close();
      conn.disconnect();
    }
    expect(await b.serve.queue.getJobCounts('completed', 'failed')).toEqual({ completed: 4, failed: 0 });

    for (const w of [c, d]) {
      w.kill('SIGTERM');
      await once(w, 'exit');
    }
    console.log(
      `[test/bot/slack-outage-restart] outage ${Math.round((upAt - outageStart) / 1000)} s; workers: 1 SIGKILLed, 1 SIGTERMed, 2 running after; ` +
        `4 reports and 4 evidence files delivered ${((deliveredAt - upAt) / 1000).toFixed(1)} s after Slack answered; ${okPosts(standin)} messages posted, doubles 0`,
    );
  }, 180_000);
});
