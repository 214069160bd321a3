/**
 * Watch on real lab hosts (lab 73: real sshd, nginx and the Node app, real SSH from a real worker, real
 * Redis, the real Bolt app and the Slack stand-in), with requests to the hosts twice a second all along:
 * web-1's app is down (app-down), Watch starts from its report and reads 502s and a refused upstream;
 * the app is started again, and the watch says web-1 is back after 3 clean readings and stops. Then a
 * healthy web-2 is watched and broken: the watch says in the thread that it got worse. Run under the
 * lab lock: `flock /tmp/d502-lab.lock npx vitest run test/bot/lab-watch.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../lab/exec.js';
import { type Lab, startLab } from '../../lab/fleet.js';
import { httpRequest } from '../../lab/http-client.js';
import { labUnavailableReason } from '../../lab/preflight.js';
import { restoreHost, runScenario } from '../../lab/scenarios.js';
import { type RedisConn, redisConnection } from '../../src/queue/redis.js';
import { listActiveWatches } from '../../src/watch/watch-store.js';
import type { Message } from '../slack-standin/server.js';
import { type BotHarness, redisAvailable, startBotHarness } from './bot-harness.js';
import { buttonOf, cleanWatch, click, readings, reportOf, watchMessages } from './watch-helpers.js';

const LAB_ID = 73;
const TICK_S = 3;
const skip = labUnavailableReason() ?? (await redisAvailable());
if (skip) console.warn(`[test/bot/lab-watch] skipped: ${skip}`);

const threadOf = (bot: BotHarness, report: Message) =>
  bot.standin.messages.filter((m) => m.threadTs === report.ts);

describe.skipIf(skip !== undefined)('Watch on lab hosts: back, and worse (real SSH)', () => {
  let lab: Lab | undefined;
  let bot: BotHarness | undefined;
  let redis: RedisConn | undefined;
  let traffic: NodeJS.Timeout | undefined;
  beforeAll(async () => {
    lab = await startLab({ id: LAB_ID, hosts: 3, replace: true });
    const inventoryPath = lab.inventoryPath;
    bot = await startBotHarness({
      inventory: async () => inventoryPath,
      env: {
        DIAGNOSE502_WATCH_TICK_S: String(TICK_S),
        DIAGNOSE502_WATCH_MINUTES: '3',
        DIAGNOSE502_WATCH_CLEAN_TICKS: '3',
      },
    });
    redis = redisConnection(bot.config.redisUrl, 'worker');
    // Clients all along, as in production: a 502 counted is a request that failed in that interval.
    const l = lab;
    traffic = setInterval(() => {
      for (const h of ['web-1', 'web-2'])
        void httpRequest({ address: l.host(h).address, path: '/', timeoutMs: 5000 }).catch(() => {});
    }, 500);
  }, 300_000);
  afterAll(async () => {
    if (traffic) clearInterval(traffic);
    redis?.disconnect();
    if (bot) await cleanWatch(bot);
    await bot?.close();
    await lab?.stop();
  }, 300_000);

  it('app-down: Watch reads 502s and a refused upstream; the app comes back; the watch says web-1 is back', async () => {
    if (!lab || !bot || !redis) throw new Error('setup failed');
    const b = bot;
    await restoreHost(lab, 'web-1');
    await runScenario(lab, 'web-1', 'app-down');
    await b.command('web-1 1m', { channel: 'C0LABWATCH' });
    const report = await b.standin.waitFor(() => reportOf(b, 'C0LABWATCH'), 60_000, 'the web-1 report');
    expect(JSON.stringify(report.blocks)).toContain('upstream-down');
    expect(await click(b, report, 'd502_watch', 'U0ONCALL')).toContain('Watching `web-1`');

    const line = await b.standin.waitFor(
      () => {
        const [m] = watchMessages(b, report);
        return m && readings(m.text).length >= 2 ? m : undefined;
      },
      30_000,
      'two readings while the app is down',
    );
    expect(line.text).toContain('Watching web-1');
    expect(line.text).toMatch(/upstreams: 1 of \d+ do not answer \(`127\.0\.0\.1:8081`\)/);
    expect(
      readings(line.text)
        .map(Number)
        .every((n) => n > 0),
    ).toBe(true);
    const down = line.text;

    await lab.service('web-1', 'start', 'app');
    const backAt = Date.now();
    const back = await b.standin.waitFor(
      () => threadOf(b, report).find((m) => m.text.includes('*web-1 is back*: 3 clean readings in a row')),
      (TICK_S * 6 + 20) * 1000,
      'the "back" notice',
    );
    const tookS = (Date.now() - backAt) / 1000;
    expect(back.text).toContain('<@U0ONCALL>');
    await b.standin.waitFor(
      () => line.text.startsWith(':white_check_mark: *web-1 is back*'),
      10_000,
      'the final line',
    );
    expect(readings(line.text).slice(-3)).toEqual(['0', '0', '0']);
    expect(line.text).toMatch(/upstreams: all \d+ answer/);
    expect(buttonOf(line, 'd502_watch_stop')).toBeUndefined();
    expect(watchMessages(b, report)).toHaveLength(1);
    expect((await listActiveWatches(redis, b.config.queueName)).map((w) => w.host)).not.toContain('web-1');
    // Stopped: nothing is edited or said after.
    const edits = line.history.length;
    const said = threadOf(b, report).length;
    await sleep(TICK_S * 1000 + 1000);
    expect(line.history.length).toBe(edits);
    expect(threadOf(b, report)).toHaveLength(said);
    console.log(
      `[test/bot/lab-watch] down: ${down}\n[test/bot/lab-watch] back ${tookS.toFixed(1)} s after the app started: ${line.text}`,
    );
  }, 180_000);

  it('a healthy host is watched and breaks: the watch says it got worse', async () => {
    if (!lab || !bot || !redis) throw new Error('setup failed');
    const b = bot;
    await restoreHost(lab, 'web-2');
    await sleep(2000);
    await b.command('web-2 1m', { channel: 'C0LABWORSE' });
    const report = await b.standin.waitFor(() => reportOf(b, 'C0LABWORSE'), 60_000, 'the web-2 report');
    expect(await click(b, report, 'd502_watch', 'U0ONCALL')).toContain('Watching `web-2`');
    const line = await b.standin.waitFor(
      () => {
        const [m] = watchMessages(b, report);
        return m && readings(m.text).length >= 1 ? m : undefined;
      },
      30_000,
      'a first reading',
    );
    expect(line.text).toMatch(/upstreams: all \d+ answer/);
    await runScenario(lab, 'web-2', 'app-down');
    const worse = await b.standin.waitFor(
      () => threadOf(b, report).find((m) => m.text.includes('*web-2 is getting worse*')),
      (TICK_S * 3 + 20) * 1000,
      'the "worse" notice',
    );
    expect(worse.text).toContain('`127.0.0.1:8081` answered before and does not now');
    // The watch goes on after "worse"; Stop ends it.
    expect(await click(b, line, 'd502_watch_stop', 'U0ONCALL')).toContain('Stopping the watch of `web-2`');
    await b.standin.waitFor(() => line.text.includes('stopped* by <@U0ONCALL>'), 15_000, 'the stopped line');
    console.log(`[test/bot/lab-watch] worse: ${worse.text}\n[test/bot/lab-watch] line: ${line.text}`);
    await restoreHost(lab, 'web-2');
  }, 180_000);
});
