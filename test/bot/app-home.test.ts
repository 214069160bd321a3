/**
 * The Home tab through the whole bot: an `app_home_opened` event_callback signed exactly as Slack
 * signs it (JSON body, HMAC over `v0:<ts>:<body>`) reaches the real Bolt app, which reads Redis and
 * publishes a `home` view through the stand-in (views.publish under Slack's rules): recent
 * diagnoses with their permalinks, the host under Watch, the restart lock held and the feedback
 * tally, each written by the real store functions of those features. Also the stand-in's own
 * refusals of chat.getPermalink and views.publish.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionKeys } from '../../src/actions/keys.js';
import { lockRestart } from '../../src/actions/lock.js';
import { recordFeedback } from '../../src/feedback/feedback-store.js';
import { HOME_MAX_BLOCKS, renderHome } from '../../src/home/home-view.js';
import { watchKeys } from '../../src/watch/watch-keys.js';
import type { WatchState } from '../../src/watch/watch-state.js';
import { claimWatch } from '../../src/watch/watch-store.js';
import { publishedViews } from '../slack-standin/methods-history-home.js';
import type { Message } from '../slack-standin/server.js';
import {
  type BotHarness,
  closedPort,
  REDIS_URL,
  redisAvailable,
  startBotHarness,
  unreachableInventory,
} from './bot-harness.js';
import { sign } from './slack-signing.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/app-home] skipped: ${skip}`);

const headerOf = (m: Message | undefined): string | undefined => {
  const first = m?.blocks[0] as { type?: string; text?: { text?: string } } | undefined;
  return first?.type === 'header' ? first.text?.text : undefined;
};

/** An Events API request as Slack sends it (docs.slack.dev "The Events API", "app_home_opened"). */
async function postEvent(url: string, secret: string, event: Record<string, unknown>) {
  const body = JSON.stringify({
    token: 'deprecated-verification-token',
    team_id: 'T0001',
    api_app_id: 'A0001',
    event: { ...event, event_ts: `${Date.now() / 1000}` },
    type: 'event_callback',
    event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T0001', user_id: 'UBOT0001', is_bot: true }],
  });
  const ts = Math.floor(Date.now() / 1000);
  const res = await fetch(`${url}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': sign(secret, ts, body),
    },
    body,
  });
  return { status: res.status, body: await res.text() };
}

describe.skipIf(skip !== undefined)('App Home (real Bolt, real Redis, the stand-in)', () => {
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

  it('publishes the Home tab with recent diagnoses, Watch, restart locks and feedback', async () => {
    const q = bot.config.queueName;
    // A real diagnosis first: its summary and permalink are what "recent" lists.
    await bot.command('web-1', { channel: 'C0HOME' });
    const report = await bot.standin.waitFor(
      () => bot.standin.messages.find((m) => m.channel === 'C0HOME' && headerOf(m)?.startsWith('web-1:')),
      30_000,
      'the report',
    );
    await bot.standin.waitFor(
      () => bot.standin.callsOf('chat.getPermalink').find((c) => c.args.message_ts === report.ts),
      10_000,
      'its permalink',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const now = Date.now();
    const watch: WatchState = {
      v: 1,
      id: randomBytes(8).toString('hex'),
      host: 'web-2',
      startedBy: 'U0WATCHER',
      startedAt: now,
      endsAt: now + 10 * 60_000,
      channel: 'C0HOME',
      threadTs: report.ts,
      intervalMs: 60_000,
      cleanNeeded: 3,
      tick: 1,
      samples: [{ at: now, rate: 12, checked: 1, failing: [] }],
      cleanStreak: 0,
      status: 'active',
      notices: [],
      posted: 0,
    } as WatchState;
    await claimWatch(redis, watchKeys(q), watch, now);
    const lock = await lockRestart(
      redis,
      actionKeys(q),
      bot.serve.inventory,
      { host: 'web-1', service: 'nginx' },
      'job-42',
      1,
    );
    expect(lock.ok).toBe(true);
    const vote = (kind: 'right' | 'wrong', who: string) =>
      recordFeedback(
        redis,
        q,
        {
          at: new Date().toISOString(),
          kind,
          who,
          reportId: 'job-1',
          host: 'web-1',
          givenCause: 'host-unreachable',
          confidence: 0.9,
          channel: 'C0HOME',
          messageTs: report.ts,
          evidence: [],
        },
        { maxEntries: 100, retentionMs: 3_600_000 },
      );
    await vote('right', 'U0A');
    await vote('right', 'U0B');
    await vote('wrong', 'U0C');

    const res = await postEvent(bot.url, bot.secret, {
      type: 'app_home_opened',
      user: 'U0ONCALL',
      channel: 'D0HOME',
      tab: 'home',
    });
    expect(res.status).toBe(200);
    const published = await bot.standin.waitFor(
      () => publishedViews(bot.standin).find((v) => v.userId === 'U0ONCALL'),
      10_000,
      'views.publish',
    );
    expect(bot.standin.callsOf('views.publish').at(-1)?.response.ok).toBe(true);
    expect(published.view.type).toBe('home');
    expect(published.view.blocks.length).toBeLessThanOrEqual(HOME_MAX_BLOCKS);
    const text = JSON.stringify(published.view.blocks);
    expect(text).toContain('*Recent diagnoses*');
    expect(text).toContain(
      `<https://standin.slack.test/archives/C0HOME/p${report.ts.replace('.', '')}|web-1>`,
    );
    expect(text).toContain('`host-unreachable` 90%');
    expect(text).toContain('*Hosts under Watch*');
    expect(text).toMatch(
      /\*web-2\* · 502\/min now 12 · watched by <@U0WATCHER> · until .* UTC \(10 min left\) · <#C0HOME>/,
    );
    expect(text).toContain('*Restart locks held*');
    expect(text).toMatch(/`nginx` on \*web-1\* · held by restart job `job-42` · frees itself within \d+ s/);
    expect(text).toContain('*Feedback per cause*');
    expect(text).toContain('`host-unreachable`: 2 right · 1 wrong (67% right)');
    if (lock.ok) await lock.held.release();
  });

  it('does not publish for the Messages tab; forged events are refused', async () => {
    const before = bot.standin.callsOf('views.publish').length;
    const res = await postEvent(bot.url, bot.secret, {
      type: 'app_home_opened',
      user: 'U0ONCALL',
      channel: 'D0HOME',
      tab: 'messages',
    });
    expect(res.status).toBe(200);
    const forged = await postEvent(bot.url, 'not-the-secret', {
      type: 'app_home_opened',
      user: 'U0EVIL',
      channel: 'D0',
      tab: 'home',
    });
    expect(forged.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(bot.standin.callsOf('views.publish').length).toBe(before);
  });

  it('an empty Home tab says so in each section', () => {
    const v = renderHome({
      now: Date.now(),
      retentionDays: 30,
      recent: [],
      watches: [],
      locks: [],
      tally: [],
    });
    const text = JSON.stringify(v.blocks);
    expect(text).toContain('no diagnosis in the last 30 days');
    expect(text).toContain('no host is being watched');
    expect(text).toContain('none: no restart is running');
    expect(text).toContain('no feedback yet');
  });

  it('the stand-in refuses what Slack refuses (views.publish, chat.getPermalink)', async () => {
    const call = async (method: string, args: Record<string, unknown>) =>
      (await (
        await fetch(`${bot.standin.url}/api/${method}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            authorization: `Bearer ${bot.standin.token}`,
          },
          body: JSON.stringify(args),
        })
      ).json()) as { ok: boolean; error?: string; response_metadata?: { messages: string[] } };
    const section = { type: 'section', text: { type: 'mrkdwn', text: 'x' } };
    expect(await call('views.publish', { view: { type: 'home', blocks: [section] } })).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
      response_metadata: { messages: ['invalid `user_id`'] },
    });
    expect(
      (await call('views.publish', { user_id: 'U0A', view: { type: 'modal', blocks: [section] } }))
        .response_metadata?.messages,
    ).toEqual(['[ERROR] must be one of home [json-pointer:/view/type]']);
    expect(
      (
        await call('views.publish', {
          user_id: 'U0A',
          view: { type: 'home', blocks: Array(101).fill(section) },
        })
      ).response_metadata?.messages,
    ).toEqual(['[ERROR] must be less than 101 items [json-pointer:/view/blocks]']);
    const long = { type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } };
    expect(
      (await call('views.publish', { user_id: 'U0A', view: { type: 'home', blocks: [section, long] } }))
        .response_metadata?.messages,
    ).toEqual(['[ERROR] must be less than 3001 characters [json-pointer:/view/blocks/1/text/text]']);
    expect(await call('views.publish', { user_id: 'U0A', view: 'not json' })).toMatchObject({
      error: 'invalid_arguments',
    });
    expect(
      (
        await call('views.publish', {
          user_id: 'U0A',
          view: { type: 'home', blocks: Array(100).fill(section) },
        })
      ).ok,
    ).toBe(true);
    const any = bot.standin.messages[0];
    expect(await call('chat.getPermalink', { channel: any?.channel, message_ts: '1.000000' })).toMatchObject({
      ok: false,
      error: 'message_not_found',
    });
    expect(await call('chat.getPermalink', { channel: 'C0NOWHERE', message_ts: any?.ts })).toMatchObject({
      ok: false,
      error: 'channel_not_found',
    });
  });
});
