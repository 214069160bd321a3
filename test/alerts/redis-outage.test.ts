/**
 * Redis down while alerts arrive: the webhook answers 503, the real Alertmanager retries, and once
 * Redis is back every alert is queued, none lost. A redis-server of its own on a random loopback port
 * (never the machine's 6379), stopped and restarted by the test; no worker, so queued jobs stay to
 * be counted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotHarness, startBotHarness, unreachableInventory } from '../bot/bot-harness.js';
import {
  type AlertmanagerProc,
  alertmanagerMissing,
  freePort,
  startAlertmanager,
} from './alertmanager-process.js';

const skip = alertmanagerMissing();
if (skip) console.warn(`[test/alerts/redis-outage] skipped: ${skip}`);

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const r = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  for (let i = 0; i < 100; i++) {
    try {
      await r.connect();
      await r.ping();
      r.disconnect();
      return child;
    } catch {
      await new Promise((res) => setTimeout(res, 50));
    }
  }
  throw new Error(`redis-server on ${port} did not start`);
}

async function stopRedis(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

describe.skipIf(skip !== undefined)(
  'alerts while Redis is down (real Alertmanager, own redis-server)',
  () => {
    let redis: ChildProcess | undefined;
    let bot: BotHarness | undefined;
    let am: AlertmanagerProc | undefined;
    let redisPort = 0;
    const token = randomBytes(24).toString('hex');
    beforeAll(async () => {
      redisPort = await freePort();
      redis = await startRedis(redisPort);
      bot = await startBotHarness({
        inventory: (dir) => unreachableInventory(dir, 9),
        worker: false,
        env: {
          REDIS_URL: `redis://127.0.0.1:${redisPort}`,
          ALERT_CHANNEL: 'C0ALERTS',
          ALERT_WEBHOOK_TOKEN: token,
        },
      });
      am = await startAlertmanager({ webhookUrl: `${bot.url}/alerts/alertmanager`, token });
    }, 60_000);
    afterAll(async () => {
      await am?.stop();
      await bot?.close();
      await stopRedis(redis);
    }, 60_000);

    it('503 while Redis is down; Alertmanager retries; after Redis returns both hosts are queued', async () => {
      if (!bot || !am) throw new Error('setup failed');
      const b = bot;
      await stopRedis(redis);
      const startsAt = new Date().toISOString();
      await am.postAlerts([
        { labels: { alertname: 'NginxHigh502', instance: 'web-1:9113' }, startsAt },
        { labels: { alertname: 'NginxHigh502', instance: '127.0.0.2:9113' }, startsAt },
      ]);
      // Alertmanager's own counter of webhook requests that failed (each 5xx answer is one).
      const failedBefore = Date.now();
      for (;;) {
        if (
          (await am.metric('alertmanager_notification_requests_failed_total', 'integration="webhook"')) >= 1
        )
          break;
        if (Date.now() - failedBefore > 30_000) throw new Error('Alertmanager saw no failed webhook request');
        await new Promise((r) => setTimeout(r, 200));
      }
      const probe = await fetch(`${b.url}/alerts/alertmanager`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          version: '4',
          groupKey: 'probe',
          status: 'firing',
          alerts: [{ status: 'firing', labels: { instance: 'web-2' }, startsAt }],
        }),
      });
      expect(probe.status).toBe(503);
      expect(b.standin.messages.filter((m) => !m.threadTs)).toHaveLength(0);

      redis = await startRedis(redisPort);
      const r = new Redis(redisPort, '127.0.0.1');
      const { createDiagnoseQueue } = await import('../../src/queue/create-queue.js');
      const q = createDiagnoseQueue(b.config.queueName, r);
      try {
        const deadline = Date.now() + 60_000;
        let jobs: Awaited<ReturnType<typeof q.getJobs>> = [];
        while (Date.now() < deadline) {
          jobs = await q.getJobs(['waiting']);
          if (jobs.length >= 2) break;
          await new Promise((res) => setTimeout(res, 250));
        }
        expect(jobs.map((j) => j.data.target).sort()).toEqual(['web-1', 'web-2']);
        const head = b.standin.messages.find((m) => !m.threadTs && m.channel === 'C0ALERTS');
        await b.standin.waitFor(
          () => /2 diagnoses queued/.test(head?.text ?? ''),
          10_000,
          'the head counting 2',
        );
        expect(
          await am.metric('alertmanager_notifications_total', 'integration="webhook"'),
        ).toBeGreaterThanOrEqual(1);
        console.log(
          `[test/alerts/redis-outage] failed webhook requests seen by Alertmanager: ${await am.metric('alertmanager_notification_requests_failed_total', 'integration="webhook"')}`,
        );
      } finally {
        await q.close();
        r.disconnect();
      }
    }, 120_000);
  },
);
