/**
 * The native chart end to end (issue 20 item 5): `/diagnose502 web-1 1m` on a lab host whose app is
 * down, through a real Bolt app, real Redis, the bot's worker (DIAGNOSE502_NATIVE_CHART unset:
 * auto) and real SSH, with the Slack stand-in checking the data_visualization block. Then the same
 * against a workspace that does not have the block: the report is still delivered, with the PNG.
 * Run under the lab lock: `flock /tmp/d502-lab.lock npx vitest run test/bot/native-chart-lab.test.ts`.
 */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { sleep } from '../../lab/exec.js';
import { restoreHost, runScenario } from '../../lab/scenarios.js';
import { labSkipReason, useLab } from '../../lab/with-lab.js';
import { nativeChartKeys } from '../../src/slack/native-chart-gate.js';
import type { Message } from '../slack-standin/server.js';
import { type BotHarness, redisAvailable, startBotHarness } from './bot-harness.js';

const skip = labSkipReason('test/bot/native-chart-lab.test.ts') ?? (await redisAvailable());

const headerOf = (m: Message) => {
  const first = m.blocks[0] as { type?: string; text?: { text?: string } } | undefined;
  return first?.type === 'header' ? first.text?.text : undefined;
};
const types = (m: Message) => m.blocks.map((b) => (b as { type: string }).type);

describe.skipIf(skip !== undefined)('the native chart on a lab host (real SSH, real Slack flow)', () => {
  const fixture = useLab({ hosts: 3 });

  async function report(bot: BotHarness, seen: number): Promise<Message> {
    await restoreHost(fixture.lab, 'web-1');
    await sleep(2_000);
    await runScenario(fixture.lab, 'web-1', 'app-down');
    expect((await bot.command('web-1 1m', { user: 'U0ONCALL' })).status).toBe(200);
    const done = await bot.standin.waitFor(
      () => bot.standin.messages.filter((m) => headerOf(m)?.startsWith('web-1:'))[seen],
      90_000,
      'the final report',
    );
    await bot.standin.waitFor(
      () => bot.standin.files.find((f) => f.threadTs === done.ts && f.filename.endsWith('.png')),
      20_000,
      'the PNG chart',
    );
    return done;
  }

  it('a workspace with the block: the chart is in the message, Ruled out too; refused: delivered without it, with the PNG', async () => {
    const bot = await startBotHarness({ inventory: async () => fixture.lab.inventoryPath });
    try {
      const first = await report(bot, 0);
      // Under the headline, its facts and the history line; its caption right after it.
      const at = types(first).indexOf('data_visualization');
      expect(types(first).slice(0, 2)).toEqual(['header', 'section']);
      expect(at).toBeGreaterThanOrEqual(2);
      expect(at).toBeLessThanOrEqual(3);
      expect(types(first)[at + 1]).toBe('context');
      expect(first.blocks[at]).toMatchObject({ title: 'web-1: 502/504 per minute', chart: { type: 'bar' } });
      const json = JSON.stringify(first.blocks);
      expect(json).toContain('*Ruled out*');
      expect(json).toContain('firewall: 0 drop/reject rules (nftables)');
      const refusedBefore = bot.standin.calls.filter((c) => c.response.error === 'invalid_blocks').length;
      expect(refusedBefore).toBe(0);

      bot.standin.refusedBlockTypes.add('data_visualization');
      const second = await report(bot, 1);
      expect(types(second)).not.toContain('data_visualization');
      expect(JSON.stringify(second.blocks)).toContain('upstream-down');
      const refused = bot.standin.calls.filter((c) => c.response.error === 'invalid_blocks');
      expect(refused).toHaveLength(1);
      const r = new Redis(bot.config.redisUrl);
      try {
        const key = nativeChartKeys(bot.config.queueName).refused('T0001');
        expect(await r.exists(key)).toBe(1);
        await r.del(key);
      } finally {
        r.disconnect();
      }
      console.log(
        `[native-chart-lab] taken: ${types(first).join(',')}\n[native-chart-lab] refused then resent: ${types(second).join(',')}`,
      );
    } finally {
      await bot.close();
    }
  }, 300_000);
});
