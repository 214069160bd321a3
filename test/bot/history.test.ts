/**
 * History through the whole bot (real Bolt, real Redis and BullMQ workers, the Slack stand-in):
 * the inventory's hosts refuse SSH, so each diagnosis really runs and ends in a host-unreachable
 * finding. The first report of web-1 says it is the first; its permalink (chat.getPermalink) is kept;
 * the second says "2nd time" and links the first; after a verified restart (the audit record the
 * restart job appends, actions/audit.ts) the third says who fixed it; a report delivered late from
 * the outbox keeps its link too.
 */
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../../src/actions/audit.js';
import { actionKeys } from '../../src/actions/keys.js';
import { historyKeys } from '../../src/history/history-keys.js';
import type { Message } from '../slack-standin/server.js';
import {
  type BotHarness,
  closedPort,
  REDIS_URL,
  redisAvailable,
  startBotHarness,
  unreachableInventory,
} from './bot-harness.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/history] skipped: ${skip}`);

const headerOf = (m: Message | undefined): string | undefined => {
  const first = m?.blocks[0] as { type?: string; text?: { text?: string } } | undefined;
  return first?.type === 'header' ? first.text?.text : undefined;
};
const historyText = (m: Message): string =>
  JSON.stringify(
    m.blocks.find(
      (b) =>
        (b as { type: string }).type === 'context' &&
        /time this week|first diagnosis/.test(JSON.stringify(b)),
    ) ?? null,
  );

describe.skipIf(skip !== undefined)('history in reports (real Bolt, real Redis, the stand-in)', () => {
  let bot: BotHarness;
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    const port = await closedPort();
    bot = await startBotHarness({ inventory: (dir) => unreachableInventory(dir, port) });
  });
  afterAll(async () => {
    if (bot) {
      const keys = await redis.keys(`d502:${bot.config.queueName}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await bot.close();
    }
    redis?.disconnect();
  });

  /** Runs `/diagnose502 <target>` in `channel` and returns its final report once its job is done. */
  async function diagnose(target: string, channel: string): Promise<Message> {
    const seen = new Set(bot.standin.messages.map((m) => m.ts));
    const res = await bot.command(target, { channel });
    expect(res.status).toBe(200);
    const report = await bot.standin.waitFor(
      () =>
        bot.standin.messages.find(
          (m) => !seen.has(m.ts) && m.channel === channel && headerOf(m)?.startsWith(`${target}:`),
        ),
      30_000,
      `the report of ${target}`,
    );
    // Its permalink is asked for once the message exists; then the job ends.
    await bot.standin.waitFor(
      () => bot.standin.callsOf('chat.getPermalink').find((c) => c.args.message_ts === report.ts),
      10_000,
      'chat.getPermalink',
    );
    for (let i = 0; i < 100; i++) {
      const c = await bot.serve.queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized');
      if (Object.values(c).every((n) => n === 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return report;
  }

  it('1st: says so; 2nd: "2nd time this week" with the first report\'s permalink; after a verified restart: who fixed it', async () => {
    const first = await diagnose('web-1', 'C0HIST');
    expect(historyText(first)).toContain('first diagnosis of this host in 30 days');
    const link = bot.standin.callsOf('chat.getPermalink').find((c) => c.args.message_ts === first.ts);
    const permalink = String(link?.response.permalink);
    expect(permalink).toBe(`https://standin.slack.test/archives/C0HIST/p${first.ts.replace('.', '')}`);

    const second = await diagnose('web-1', 'C0HIST');
    expect(second.ts).not.toBe(first.ts);
    const line2 = historyText(second);
    expect(line2).toContain('*2nd time this week (host-unreachable)*');
    expect(line2).toContain(`<${permalink}|previous report>`);

    // A restart of app on web-1 that passed its verification, recorded as the restart job records it.
    await appendAudit(redis, actionKeys(bot.config.queueName).audit, pino({ level: 'silent' }), {
      who: 'U0ALICE',
      action: 'restart-service',
      host: 'web-1',
      service: 'app',
      command: 'systemctl restart app.service',
      actionId: 'aaaaaaaaaaaaaaaaaaaaaa',
      result: 'succeeded',
      detail: 'verified: health 200, GET / through nginx 200',
    });
    const third = await diagnose('web-1', 'C0OTHER');
    const line3 = historyText(third);
    expect(line3).toContain('*3rd time this week (host-unreachable)*');
    expect(line3).toContain(`p${second.ts.replace('.', '')}|previous report>`);
    expect(line3).toContain('last fixed by a restart of app by <@U0ALICE>, verified');
    // The host next to it has its own history.
    const other = await diagnose('web-2', 'C0HIST');
    expect(historyText(other)).toContain('first diagnosis of this host');
  });

  it('a group report lists the hosts seen before', async () => {
    const group = await diagnose('web', 'C0HIST');
    const text = JSON.stringify(group.blocks);
    expect(text).toContain('*web-1*: *4th time this week (host-unreachable)*');
    expect(text).toContain('*web-2*: *2nd time this week (host-unreachable)*');
  });

  it('a report delivered late from the outbox gets its permalink kept as well', async () => {
    bot.standin.outage(4000);
    const seen = new Set(bot.standin.messages.map((m) => m.ts));
    await bot.command('web-2', { channel: 'C0LATE' });
    const late = await bot.standin.waitFor(
      () =>
        bot.standin.messages.find(
          (m) => !seen.has(m.ts) && m.channel === 'C0LATE' && headerOf(m)?.startsWith('web-2:'),
        ),
      60_000,
      'the late report',
    );
    await bot.standin.waitFor(
      () =>
        bot.standin
          .callsOf('chat.getPermalink')
          .find((c) => c.args.message_ts === late.ts && c.status === 200),
      20_000,
      'its permalink',
    );
    const keys = historyKeys(bot.config.queueName);
    const ids = await redis.zrevrange(keys.host('web-2'), 0, 0);
    const summary = JSON.parse((await redis.get(keys.report(ids[0] ?? ''))) ?? '{}') as {
      permalink?: string;
    };
    for (let i = 0; i < 50 && !summary.permalink; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      Object.assign(summary, JSON.parse((await redis.get(keys.report(ids[0] ?? ''))) ?? '{}'));
    }
    expect(summary.permalink).toBe(`https://standin.slack.test/archives/C0LATE/p${late.ts.replace('.', '')}`);
  });
});
