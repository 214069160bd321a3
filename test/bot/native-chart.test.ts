/**
 * The native chart through the bot's own Slack publisher (issue 20 item 5), against the Slack
 * stand-in (which checks the block as Slack's reference describes it) and the real Redis:
 * - a workspace that has the block: the report carries it, Slack takes it, the PNG still follows
 *   in the thread;
 * - an older workspace (the stand-in refuses the type): Slack answers invalid_blocks, the report is
 *   sent again without the block and delivered, the PNG follows, and the workspace is remembered
 *   (Redis), so its next report goes without the block at the first try;
 * - DIAGNOSE502_NATIVE_CHART=off: never; a wrong value is refused at start with what to set.
 */
import { randomBytes } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/bot/logger.js';
import { BotConfigError, loadBotConfig } from '../../src/config/load-bot-config.js';
import { createDeliveryQueue, type DeliveryQueue, deliveryKeys } from '../../src/delivery/delivery-queue.js';
import { Outbox } from '../../src/delivery/outbox.js';
import type { JobContext, ReportPublisher } from '../../src/queue/publisher.js';
import { type RedisConn, redisConnection } from '../../src/queue/redis.js';
import type { HostReport, TargetReport } from '../../src/report/types.js';
import { type NativeChartMode, nativeChartGate, nativeChartKeys } from '../../src/slack/native-chart-gate.js';
import { createSlackPublisher } from '../../src/slack/slack-publisher.js';
import { type Message, SlackStandin } from '../slack-standin/server.js';
import { chartOf } from '../unit/report/error-chart-fixture.js';
import { REDIS_URL, redisAvailable } from './bot-harness.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/native-chart] skipped: ${skip}`);

const host = (name: string): HostReport => ({
  host: name,
  address: '10.88.4.11',
  durationMs: 300,
  verdict: 'cause-found',
  notChecked: [],
  checks: [{ id: 'upstreams', status: 'fail', summary: 'nothing listens on 127.0.0.1:8081', durationMs: 4 }],
  findings: [
    {
      cause: 'upstream-down',
      confidence: 0.95,
      title: 'the app behind nginx is not listening on 127.0.0.1:8081 (connection refused)',
      evidence: ['connect() failed (111: Connection refused) while connecting to upstream'],
      remediation: ['Start the app: systemctl restart app.service'],
      actions: [],
    },
  ],
  ruledOut: [{ cause: 'upstream-oom-killed', evidence: 'OOM kills: none in 15m' }],
  errorSeries: chartOf(7),
});

const report = (name: string): TargetReport => ({
  target: name,
  verdict: 'cause-found',
  sinceS: 900,
  startedAt: '2026-11-25T10:15:00.000Z',
  hosts: [host(name)],
});

const types = (m: Message | undefined) => (m?.blocks ?? []).map((b) => (b as { type: string }).type);

describe('DIAGNOSE502_NATIVE_CHART', () => {
  const env = {
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: 'secret',
    DIAGNOSE502_INVENTORY: 'inventory.yml',
  };
  it('is auto unless set; off turns it off; anything else is refused with what to set', () => {
    expect(loadBotConfig(env, 'worker').slack.nativeChart).toBe('auto');
    expect(loadBotConfig({ ...env, DIAGNOSE502_NATIVE_CHART: 'off' }, 'worker').slack.nativeChart).toBe(
      'off',
    );
    expect(() => loadBotConfig({ ...env, DIAGNOSE502_NATIVE_CHART: 'yes' }, 'worker')).toThrow(
      BotConfigError,
    );
    expect(() => loadBotConfig({ ...env, DIAGNOSE502_NATIVE_CHART: 'yes' }, 'worker')).toThrow(
      /DIAGNOSE502_NATIVE_CHART must be auto .* or off/,
    );
  });
});

describe.skipIf(skip !== undefined)('the native chart through the Slack publisher', () => {
  const standin = new SlackStandin('xoxb-test');
  const queueName = `d502-chart-${randomBytes(6).toString('hex')}`;
  const keys = deliveryKeys(queueName);
  const logger = createLogger('silent', 'test');
  let conn: RedisConn;
  let queue: DeliveryQueue;
  let client: WebClient;
  let n = 0;

  beforeAll(async () => {
    const apiUrl = await standin.start();
    conn = redisConnection(REDIS_URL, 'worker');
    queue = createDeliveryQueue(keys.queue, conn);
    client = new WebClient('xoxb-test', { slackApiUrl: apiUrl, retryConfig: { retries: 0 } });
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    const left = await conn.keys(`d502:${queueName}:*`);
    if (left.length > 0) await conn.del(...left);
    conn.disconnect();
    await standin.stop();
  });

  const publisher = (mode: NativeChartMode): ReportPublisher =>
    createSlackPublisher({ report: client, live: client }, logger, new Outbox(queue, conn, keys), {
      nativeChart: nativeChartGate(mode, conn, queueName),
    });
  const ctx = (teamId: string, channel: string): JobContext => ({
    jobId: `job-${++n}`,
    attempt: 1,
    data: { target: 'web-1', sinceS: 900, requestedBy: { userId: 'U0ONCALL' }, channelId: channel, teamId },
  });
  /** The live "Diagnosing …" message, then the report in its place: the bot's usual path. */
  async function diagnose(p: ReportPublisher, c: JobContext, r: TargetReport): Promise<Message> {
    const ref = await p.begin(c, ['web-1']);
    await p.finish(c, ref, r);
    const m = standin.messages.find((x) => x.channel === c.data.channelId && x.ts === ref?.ts);
    if (!m) throw new Error('no report message');
    return m;
  }
  const pngIn = (m: Message) =>
    standin.files.filter((f) => f.threadTs === m.ts && f.filename.endsWith('-errors.png'));

  it('a workspace that has the block: the report carries it, Slack takes it, the PNG follows in the thread', async () => {
    const before = standin.calls.length;
    const m = await diagnose(publisher('auto'), ctx('T0NEW', 'C0NEW'), report('web-1'));
    expect(types(m).slice(0, 3)).toEqual(['header', 'section', 'data_visualization']);
    expect(m.blocks[2]).toMatchObject({ title: 'web-1: 502/504 per minute', chart: { type: 'bar' } });
    expect(JSON.stringify(m.blocks)).toContain('*Ruled out*');
    const updates = standin.calls.slice(before).filter((c) => c.method === 'chat.update');
    expect(updates.map((c) => c.response.ok)).not.toContain(false);
    expect(pngIn(m)).toHaveLength(1);
    expect(pngIn(m)[0]?.bytes.subarray(0, 4).toString('hex')).toBe('89504e47');
  });

  it('an older workspace refuses it: the report is sent again without it, delivered, the PNG follows, and the workspace is remembered', async () => {
    standin.refusedBlockTypes.add('data_visualization');
    try {
      const before = standin.calls.length;
      const c = ctx('T0OLD', 'C0OLD');
      const m = await diagnose(publisher('auto'), c, report('web-1'));
      const updates = standin.calls.slice(before).filter((x) => x.method === 'chat.update');
      expect(updates.map((x) => x.response.error ?? 'ok')).toEqual(['invalid_blocks', 'ok']);
      expect(JSON.stringify(updates[0]?.response)).toContain('unknown block type \\"data_visualization\\"');
      expect(types(m)).not.toContain('data_visualization');
      expect(types(m)[0]).toBe('header');
      expect(JSON.stringify(m.blocks)).toContain('*upstream-down*');
      expect(pngIn(m)).toHaveLength(1);
      expect(await conn.exists(nativeChartKeys(queueName).refused('T0OLD'))).toBe(1);
      expect(await conn.ttl(nativeChartKeys(queueName).refused('T0OLD'))).toBeGreaterThan(6 * 86_400);

      // Another worker (a new gate: only Redis remembers) posts the next report without trying the block.
      const next = standin.calls.length;
      const m2 = await diagnose(publisher('auto'), ctx('T0OLD', 'C0OLD'), report('web-1'));
      const again = standin.calls.slice(next).filter((x) => x.method === 'chat.update');
      expect(again.map((x) => x.response.error ?? 'ok')).toEqual(['ok']);
      expect(types(m2)).not.toContain('data_visualization');
      expect(pngIn(m2)).toHaveLength(1);
    } finally {
      standin.refusedBlockTypes.delete('data_visualization');
    }
  });

  it('a workspace with the chart but without context_actions keeps the chart and gets plain feedback buttons', async () => {
    standin.refusedBlockTypes.add('context_actions');
    try {
      const before = standin.calls.length;
      const m = await diagnose(publisher('auto'), ctx('T0MID', 'C0MID'), report('web-1'));
      const updates = standin.calls.slice(before).filter((x) => x.method === 'chat.update');
      expect(updates.map((x) => x.response.error ?? 'ok')).toEqual(['invalid_blocks', 'ok']);
      expect(types(m)).toContain('data_visualization');
      expect(types(m)).not.toContain('context_actions');
      expect(JSON.stringify(m.blocks)).toMatch(/"type":"button"/);
      expect(await conn.exists(nativeChartKeys(queueName).refused('T0MID'))).toBe(0);
    } finally {
      standin.refusedBlockTypes.delete('context_actions');
    }
  });

  it('a workspace with neither block: one retry drops both, and the chart refusal is remembered', async () => {
    standin.refusedBlockTypes.add('context_actions');
    standin.refusedBlockTypes.add('data_visualization');
    try {
      const before = standin.calls.length;
      const m = await diagnose(publisher('auto'), ctx('T0OLDEST', 'C0OLDEST'), report('web-1'));
      const updates = standin.calls.slice(before).filter((x) => x.method === 'chat.update');
      expect(updates.map((x) => x.response.error ?? 'ok')).toEqual(['invalid_blocks', 'ok']);
      expect(types(m)).not.toContain('data_visualization');
      expect(types(m)).not.toContain('context_actions');
      expect(pngIn(m)).toHaveLength(1);
      expect(await conn.exists(nativeChartKeys(queueName).refused('T0OLDEST'))).toBe(1);
    } finally {
      standin.refusedBlockTypes.delete('context_actions');
      standin.refusedBlockTypes.delete('data_visualization');
    }
  });

  it('a refusal that is not about the chart is not retried away: the error stays the error', async () => {
    // A workspace that takes the block; the report's update refused twice (a bad message, not the chart).
    const c = ctx('T0NEW', 'C0BAD');
    const p = publisher('auto');
    const ref = await p.begin(c, ['web-1']);
    standin.failWith('chat.update', 'invalid_blocks', 2);
    await expect(p.finish(c, ref, report('web-1'))).rejects.toThrow(/invalid_blocks/);
    expect(await conn.exists(nativeChartKeys(queueName).refused('T0NEW'))).toBe(0);
  });

  it('off: no block is ever sent; the PNG is', async () => {
    const m = await diagnose(publisher('off'), ctx('T0NEW', 'C0OFF'), report('web-1'));
    expect(types(m)).not.toContain('data_visualization');
    expect(pngIn(m)).toHaveLength(1);
  });
});
