/**
 * Issue 16 on a broken lab host (lab 71, app-down on web-1; real SSH, nginx, Redis, Bolt, worker):
 * `/diagnose502 web-1` asked while the Slack stand-in answers 503 is diagnosed at once, and when
 * Slack answers again the report appears once, marked late, with its evidence file and then its 502
 * chart (a real PNG from the host's access log) in its thread. Run under the lab lock:
 * `flock /tmp/d502-lab.lock npx vitest run test/bot/lab-outage.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../lab/exec.js';
import { type Lab, startLab } from '../../lab/fleet.js';
import { labUnavailableReason } from '../../lab/preflight.js';
import { restoreHost, runScenario } from '../../lab/scenarios.js';
import { type BotHarness, redisAvailable, startBotHarness } from './bot-harness.js';
import { headerOf, lateNoteOf, okPosts, postedAt, uploadedAt } from './outage-checks.js';

const LAB_ID = 71;
const OUTAGE_MS = 30_000;
const skip = labUnavailableReason() ?? (await redisAvailable());
if (skip) console.warn(`[test/bot/lab-outage] skipped: ${skip}`);

describe.skipIf(skip !== undefined)(
  'a lab diagnosis during a Slack outage: report, evidence, chart, late',
  () => {
    let lab: Lab | undefined;
    let bot: BotHarness | undefined;
    beforeAll(async () => {
      lab = await startLab({ id: LAB_ID, hosts: 3, replace: true });
      const inventoryPath = lab.inventoryPath;
      bot = await startBotHarness({ inventory: async () => inventoryPath });
      const s = bot.standin;
      await s.waitFor(() => s.callsOf('auth.test').some((c) => c.status === 200), 10_000, "Bolt's auth.test");
    }, 300_000);
    afterAll(async () => {
      await bot?.close();
      await lab?.stop();
    }, 300_000);

    it('app-down on web-1: diagnosed during the outage, delivered once after it, thread in order', async () => {
      if (!lab || !bot) throw new Error('setup failed');
      const { standin } = bot;
      await restoreHost(lab, 'web-1');
      await sleep(2_000);
      await runScenario(lab, 'web-1', 'app-down');

      standin.outage(OUTAGE_MS);
      const outageStart = Date.now();
      expect((await bot.command('web-1 1m', { channel: 'C0LAB' })).status).toBe(200);
      for (let i = 0; i < 600 && (await bot.serve.queue.getCompletedCount()) === 0; i++) await sleep(100);
      expect(await bot.serve.queue.getCompletedCount()).toBe(1);
      expect(standin.down).toBe(true);
      const diagnosedIn = Date.now() - outageStart;

      await standin.waitFor(() => !standin.down, OUTAGE_MS + 5000, 'the end of the outage');
      const upAt = Date.now();
      const report = await standin.waitFor(
        () => standin.messages.find((m) => m.channel === 'C0LAB' && headerOf(m)?.startsWith('web-1:')),
        30_000,
        'the report',
      );
      const chart = await standin.waitFor(
        () => standin.files.find((f) => f.threadTs === report.ts && f.filename.endsWith('.png')),
        20_000,
        'the chart',
      );
      const deliveredIn = Date.now() - upAt;
      await sleep(3000);
      const evidence = standin.files.filter((f) => f.threadTs === report.ts && f.filename.endsWith('.txt'));
      expect(evidence).toHaveLength(1);
      expect(standin.files.filter((f) => f.threadTs === report.ts)).toHaveLength(2);
      expect(standin.messages.filter((m) => m.channel === 'C0LAB')).toHaveLength(1);
      expect(okPosts(standin)).toBe(1);
      expect(JSON.stringify(report.blocks)).toContain('upstream-down');
      expect(lateNoteOf(report)).toBeDefined();
      const [file] = evidence;
      if (!file) throw new Error('unreachable');
      expect(postedAt(standin, report.ts)).toBeLessThan(uploadedAt(standin, file));
      expect(uploadedAt(standin, file)).toBeLessThan(uploadedAt(standin, chart));
      expect(chart.bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect([chart.bytes.readUInt32BE(16), chart.bytes.readUInt32BE(20)]).toEqual([1920, 880]);
      console.log(
        `[test/bot/lab-outage] diagnosed ${(diagnosedIn / 1000).toFixed(1)} s into a ${OUTAGE_MS / 1000} s outage; ` +
          `report, evidence file and chart in Slack ${(deliveredIn / 1000).toFixed(1)} s after it answered; ${lateNoteOf(report)}`,
      );
    }, 120_000);
  },
);
