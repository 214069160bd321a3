/**
 * End to end on a broken lab host: `/diagnose502 web-1` through a real Bolt app, real Redis, a real
 * worker and real SSH into the lab (id 57), with the Slack stand-in. Run under the lab lock:
 * `flock /tmp/d502-lab.lock npx vitest run test/bot/lab-e2e.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, sleep } from '../../lab/exec.js';
import { type Lab, startLab } from '../../lab/fleet.js';
import { labUnavailableReason } from '../../lab/preflight.js';
import { restoreHost, runScenario } from '../../lab/scenarios.js';
import type { Message } from '../slack-standin/server.js';
import { type BotHarness, redisAvailable, startBotHarness } from './bot-harness.js';

const LAB_ID = 57;
const skip = labUnavailableReason() ?? (await redisAvailable());
if (skip) console.warn(`[test/bot/lab-e2e] skipped: ${skip}`);

/**
 * OOM kills by other labs since `sinceMs`: every lab shares the machine's one kernel ring buffer, and
 * the host's kernel-log probe cannot tell another lab's `node` from its own (lab ids in the memcg).
 */
async function foreignOomKills(sinceMs: number): Promise<string[]> {
  const { stdout } = await run('dmesg', ['--time-format', 'iso'], { allowFail: true });
  return stdout.split('\n').filter((line) => {
    const m = /^(\S+)\s+oom-kill:.*oom_memcg=\/d502-(\d+)\//.exec(line);
    if (!m?.[1] || Number(m[2]) === LAB_ID) return false;
    return Date.parse(m[1].replace(',', '.')) >= sinceMs;
  });
}

function headerOf(m: Message | undefined): string | undefined {
  const first = m?.blocks[0] as { type?: string; text?: { text?: string } } | undefined;
  return first?.type === 'header' ? first.text?.text : undefined;
}

describe.skipIf(skip !== undefined)('/diagnose502 on a broken lab host (real SSH, real Slack flow)', () => {
  let lab: Lab | undefined;
  let bot: BotHarness | undefined;
  beforeAll(async () => {
    lab = await startLab({ id: LAB_ID, hosts: 3, replace: true });
    const inventoryPath = lab.inventoryPath;
    bot = await startBotHarness({ inventory: async () => inventoryPath });
  }, 300_000);
  afterAll(async () => {
    await bot?.close();
    await lab?.stop();
  }, 300_000);

  it('app-down: the report names upstream-down first, the evidence file and the 502 chart are in the thread, a second request joins', async () => {
    if (!lab || !bot) throw new Error('setup failed');
    const b = bot;
    await restoreHost(lab, 'web-1');
    await sleep(2_000);
    await runScenario(lab, 'web-1', 'app-down');

    // A window of one minute: the kernel ring buffer is shared by every lab on the machine, and an OOM
    // kill from another test's lab within the default 15 minutes would be read as this host's.
    const windowStart = Date.now() - 60_000;
    const first = await b.command('web-1 1m', { user: 'U0ONCALL' });
    expect(first.status).toBe(200);
    expect(first.body).toBe('');
    // The second request arrives while the first is queued or running: it joins, nothing new runs.
    await b.standin.waitFor(
      () => b.standin.callsOf('chat.postMessage').length > 0,
      20_000,
      'the first message',
    );
    const second = await b.command('web-1 1m', { user: 'U0SECOND', channel: 'C0ELSEWHERE' });
    expect(JSON.parse(second.body).text).toMatch(/already (running|queued).*<#C0INCIDENT>/);

    const report = await b.standin.waitFor(
      () => b.standin.messages.find((m) => headerOf(m)?.startsWith('web-1:')),
      60_000,
      'the final report',
    );
    const json = JSON.stringify(report.blocks);
    // The first finding's cause is on the facts line right under the header. Another lab's OOM kill
    // inside the window is read as this host's (one kernel for all labs): then upstream-down must
    // still be reported, and the run says why it is not first.
    const foreign = await foreignOomKills(windowStart);
    if (foreign.length === 0) expect(JSON.stringify(report.blocks[1])).toContain('*upstream-down*');
    else {
      console.warn(
        `[test/bot/lab-e2e] another lab's OOM kill fell in the window, upstream-down need not be first:\n${foreign.join('\n')}`,
      );
      expect(json).toContain('upstream-down');
    }
    expect(json).toContain('<@U0ONCALL>');
    expect(json).toMatch(/Connection refused/);
    expect(report.history.length).toBeGreaterThanOrEqual(2);
    expect(report.history[0]?.text).toMatch(/^Diagnosing web-1/);
    const file = await b.standin.waitFor(
      () => b.standin.files.find((f) => f.threadTs === report.ts && f.filename.endsWith('.txt')),
      20_000,
      'the evidence file',
    );
    expect(file.content).toMatch(foreign.length === 0 ? /1\. \[upstream-down\]/ : /\[upstream-down\]/);
    // The driven requests failed with 502: their chart is a PNG in the same thread, rendered at 2x.
    const chart = await b.standin.waitFor(
      () => b.standin.files.find((f) => f.threadTs === report.ts && f.filename.endsWith('.png')),
      20_000,
      'the chart',
    );
    expect(chart.filename).toMatch(/^diagnose502-web-1-.*-errors\.png$/);
    expect(chart.bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(chart.bytes.length).toBe(chart.declaredLength);
    expect([chart.bytes.readUInt32BE(16), chart.bytes.readUInt32BE(20)]).toEqual([1920, 880]);
    expect(b.standin.callsOf('chat.postMessage')).toHaveLength(1);
    // The job completes just after its last Slack call; one job ran for both requests.
    for (let i = 0; i < 50 && (await b.serve.queue.getCompletedCount()) === 0; i++) await sleep(100);
    expect(await b.serve.queue.getJobCounts('completed', 'failed', 'active', 'waiting')).toEqual({
      completed: 1,
      failed: 0,
      active: 0,
      waiting: 0,
      paused: 0,
    });
    console.log(
      `[test/bot/lab-e2e] report: ${headerOf(report)} (${report.history.length} versions of the message; chart ${chart.bytes.length} bytes)`,
    );
  }, 120_000);
});
