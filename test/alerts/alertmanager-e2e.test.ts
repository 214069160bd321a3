/**
 * The whole alert path with the real Alertmanager: an alert for a broken lab host (lab 63, app-down)
 * is posted to Alertmanager's API; its webhook (bearer token) reaches the bot; the diagnosis lands in
 * the alert group's thread in the Slack stand-in with the right cause. The same alert again starts no
 * second diagnosis; a host that joins the group adds to it; a host not in the inventory is noted once;
 * the bot's serve is restarted, then the group resolves and the same message shows it.
 * Run under the lab lock: `flock /tmp/d502-lab.lock npx vitest run test/alerts/alertmanager-e2e.test.ts`.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../lab/exec.js';
import { type Lab, startLab } from '../../lab/fleet.js';
import { labUnavailableReason } from '../../lab/preflight.js';
import { restoreHost, runScenario } from '../../lab/scenarios.js';
import { createLogger } from '../../src/bot/logger.js';
import { startServe } from '../../src/bot/serve.js';
import { type BotHarness, redisAvailable, startBotHarness } from '../bot/bot-harness.js';
import type { Message } from '../slack-standin/server.js';
import {
  type AlertmanagerProc,
  alertmanagerMissing,
  freePort,
  startAlertmanager,
} from './alertmanager-process.js';

const LAB_ID = 63;
const CHANNEL = 'C0ALERTS';
const skip = labUnavailableReason() ?? alertmanagerMissing() ?? (await redisAvailable());
if (skip) console.warn(`[test/alerts/alertmanager-e2e] skipped: ${skip}`);

const headerOf = (m: Message | undefined) => {
  const first = m?.blocks[0] as { type?: string; text?: { text?: string } } | undefined;
  return first?.type === 'header' ? (first.text?.text ?? '') : '';
};

describe.skipIf(skip !== undefined)(
  'Alertmanager to a diagnosis in the alert thread (real Alertmanager, lab, SSH)',
  () => {
    let lab: Lab | undefined;
    let bot: BotHarness | undefined;
    let am: AlertmanagerProc | undefined;
    let serve2: Awaited<ReturnType<typeof startServe>> | undefined;
    const token = randomBytes(24).toString('hex');
    beforeAll(async () => {
      lab = await startLab({ id: LAB_ID, hosts: 3, replace: true });
      const inventoryPath = lab.inventoryPath;
      const port = await freePort();
      bot = await startBotHarness({
        inventory: async () => inventoryPath,
        // The fixed port is serve's (Alertmanager's config names it); the worker serves no HTTP here.
        worker: { http: false },
        env: { PORT: String(port), ALERT_CHANNEL: CHANNEL, ALERT_WEBHOOK_TOKEN: token },
      });
      am = await startAlertmanager({ webhookUrl: `${bot.url}/alerts/alertmanager`, token });
    }, 300_000);
    afterAll(async () => {
      await am?.stop();
      await serve2?.close();
      await bot?.close();
      await lab?.stop();
    }, 300_000);

    it('app-down on web-1: diagnosed once in the group thread, joined by web-2, resolved after a bot restart', async () => {
      if (!lab || !bot || !am) throw new Error('setup failed');
      const b = bot;
      await restoreHost(lab, 'web-1');
      await restoreHost(lab, 'web-2');
      await sleep(2_000);
      await runScenario(lab, 'web-1', 'app-down');

      const startsAt = new Date().toISOString();
      const web1 = { alertname: 'NginxHigh502', instance: 'web-1:9113', severity: 'critical' };
      await am.postAlerts([{ labels: web1, startsAt }]);
      const head = await b.standin.waitFor(
        () =>
          b.standin.messages.find(
            (m) => m.channel === CHANNEL && !m.threadTs && /NginxHigh502/.test(headerOf(m)),
          ),
        30_000,
        'the alert group message',
      );
      const report1 = await b.standin.waitFor(
        () => b.standin.messages.find((m) => m.threadTs === head.ts && headerOf(m).startsWith('web-1:')),
        90_000,
        'the web-1 report in the thread',
      );
      const json = JSON.stringify(report1.blocks);
      expect(json).toContain('upstream-down');
      expect(json).toMatch(/Connection refused/);
      expect(json).toContain('Alertmanager: NginxHigh502');

      // Again, and then with web-2 and a host that is not in the inventory joining the group: the
      // notification carries web-1 again, which must not start a second diagnosis.
      await am.postAlerts([{ labels: web1, startsAt }]);
      await am.postAlerts([
        { labels: web1, startsAt },
        { labels: { ...web1, instance: 'web-2:9113' }, startsAt },
        { labels: { ...web1, instance: 'db-9.example:9100' }, startsAt },
      ]);
      await b.standin.waitFor(
        () => b.standin.messages.find((m) => m.threadTs === head.ts && headerOf(m).startsWith('web-2')),
        90_000,
        'the web-2 report in the thread',
      );
      const unknownNote = await b.standin.waitFor(
        () => b.standin.messages.find((m) => m.threadTs === head.ts && /Not in the inventory/.test(m.text)),
        10_000,
        'the unknown-host note',
      );
      expect(unknownNote.text).toContain('db-9.example');
      await b.standin.waitFor(
        () => /2 diagnoses queued/.test(head.text),
        10_000,
        'the head counting 2 diagnoses',
      );

      // The bot's intake restarts between firing and resolved: a new serve on the same port, the same Redis.
      await b.serve.close();
      serve2 = await startServe(b.config, createLogger('silent', 'test'));
      const ended = new Date(Date.now() - 1000).toISOString();
      await am.postAlerts([
        { labels: web1, startsAt, endsAt: ended },
        { labels: { ...web1, instance: 'web-2:9113' }, startsAt, endsAt: ended },
        { labels: { ...web1, instance: 'db-9.example:9100' }, startsAt, endsAt: ended },
      ]);
      await b.standin.waitFor(() => /resolved/.test(headerOf(head)), 30_000, 'the head showing resolved');
      expect(head.text).toMatch(/resolved at \d{4}-\d\d-\d\dT/);

      // One diagnosis per host, one head, one unknown-host note, whatever Alertmanager re-sent.
      const inThread = b.standin.messages.filter((m) => m.threadTs === head.ts);
      expect(inThread.filter((m) => headerOf(m).startsWith('web-1')).length).toBe(1);
      expect(inThread.filter((m) => /Not in the inventory/.test(m.text)).length).toBe(1);
      expect(b.standin.messages.filter((m) => !m.threadTs && m.channel === CHANNEL)).toHaveLength(1);
      const counts = await serve2.queue.getJobCounts('completed', 'failed', 'active', 'waiting');
      expect((counts.completed ?? 0) + (counts.active ?? 0) + (counts.waiting ?? 0)).toBe(2);
      expect(
        await am.metric('alertmanager_notifications_total', 'integration="webhook"'),
      ).toBeGreaterThanOrEqual(3);
      expect(await am.metric('alertmanager_notifications_failed_total', 'integration="webhook"')).toBe(0);
      console.log(
        `[test/alerts/alertmanager-e2e] ${headerOf(report1)}; head: ${headerOf(head)}; ${head.history.length} versions`,
      );
    }, 240_000);
  },
);
