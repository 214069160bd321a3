/**
 * The outbox on its own, with the real Redis, a real BullMQ delivery worker and the Slack stand-in:
 * which failures are an outage; a group report with charts delivered after an outage in order
 * (message, evidence file, charts) and marked late; a delivery resumed after its recorded step; one
 * older than the limit dropped and counted; a refusal (not an outage) not retried.
 */
import { randomBytes } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/bot/logger.js';
import type { Delivery, ReportDelivery } from '../../src/delivery/delivery-data.js';
import { createDeliveryProcessor } from '../../src/delivery/delivery-processor.js';
import {
  createDeliveryQueue,
  createDeliveryWorker,
  type DeliveryQueue,
  deliveryKeys,
} from '../../src/delivery/delivery-queue.js';
import { Outbox } from '../../src/delivery/outbox.js';
import { type RedisConn, redisConnection } from '../../src/queue/redis.js';
import type { HostReport, TargetReport } from '../../src/report/types.js';
import { isSlackOutage } from '../../src/slack/slack-outage.js';
import { SlackStandin } from '../slack-standin/server.js';
import { chartOf } from '../unit/report/error-chart-fixture.js';
import { REDIS_URL, redisAvailable } from './bot-harness.js';
import { headerOf, lateNoteOf, postedAt, uploadedAt } from './outage-checks.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/outbox] skipped: ${skip}`);

const LIMIT_MS = 10 * 60_000;

const host = (name: string, failures: number): HostReport => ({
  host: name,
  address: '10.88.4.11',
  durationMs: 300,
  verdict: 'cause-found',
  notChecked: [],
  checks: [],
  findings: [
    {
      cause: 'upstream-down',
      confidence: 0.9,
      title: 'The app behind nginx is down',
      evidence: ['connect() failed (111: Connection refused) while connecting to upstream'],
      remediation: ['Start the app'],
      actions: [],
    } as unknown as HostReport['findings'][number],
  ],
  errorSeries: chartOf(failures),
});

const groupReport: TargetReport = {
  target: 'web',
  verdict: 'cause-found',
  sinceS: 900,
  startedAt: '2026-11-25T10:15:00.000Z',
  hosts: [host('web-1', 5), host('web-2', 9)],
};

function delivery(id: string, channel: string, over: Partial<ReportDelivery> = {}): ReportDelivery {
  return {
    kind: 'report',
    diagnosisJobId: id,
    data: { target: 'web', sinceS: 900, requestedBy: { userId: 'U0ONCALL' }, channelId: channel },
    body: { type: 'report', report: groupReport },
    diagnosedAt: Date.now(),
    done: {},
    ...over,
  };
}

describe('which Slack failures are an outage', () => {
  const standin = new SlackStandin('xoxb-test');
  let client: WebClient;
  beforeAll(async () => {
    client = new WebClient('xoxb-test', { slackApiUrl: await standin.start(), retryConfig: { retries: 0 } });
  });
  afterAll(() => standin.stop());

  const failure = async (call: () => Promise<unknown>) =>
    call().then(
      () => 'no error',
      (err: unknown) => err,
    );
  const post = () => client.chat.postMessage({ channel: 'C0X', text: 'hi' });

  it('503, no answer, fatal_error and internal_error are; 429, refusals and auth errors are not', async () => {
    standin.outage(2000);
    const edge503 = await failure(post);
    standin.up();
    const refused = await failure(() =>
      new WebClient('xoxb-test', {
        slackApiUrl: 'http://127.0.0.1:9/api/',
        retryConfig: { retries: 0 },
      }).chat.postMessage({ channel: 'C0X', text: 'hi' }),
    );
    const bodies: Record<string, unknown> = {};
    for (const error of [
      'fatal_error',
      'internal_error',
      'invalid_blocks',
      'channel_not_found',
      'not_in_channel',
    ]) {
      standin.failWith('chat.postMessage', error);
      bodies[error] = await failure(post);
    }
    const badAuth = await failure(() =>
      new WebClient('xoxb-wrong', {
        slackApiUrl: `${standin.url}/api/`,
        retryConfig: { retries: 0 },
      }).chat.postMessage({ channel: 'C0X', text: 'hi' }),
    );
    standin.rateLimit('chat.postMessage', 0);
    const limited = await failure(post);
    expect({
      edge503: isSlackOutage(edge503),
      refused: isSlackOutage(refused),
      ...Object.fromEntries(Object.entries(bodies).map(([k, v]) => [k, isSlackOutage(v)])),
      invalid_auth: isSlackOutage(badAuth),
      ratelimited: isSlackOutage(limited),
    }).toEqual({
      edge503: true,
      refused: true,
      fatal_error: true,
      internal_error: true,
      invalid_blocks: false,
      channel_not_found: false,
      not_in_channel: false,
      invalid_auth: false,
      ratelimited: false,
    });
  });
});

describe.skipIf(skip !== undefined)('the outbox delivers, resumes, expires', () => {
  const standin = new SlackStandin('xoxb-test');
  const queueName = `d502-outbox-${randomBytes(6).toString('hex')}`;
  const keys = deliveryKeys(queueName);
  const expired: string[] = [];
  let conn: RedisConn;
  let queue: DeliveryQueue;
  let outbox: Outbox;
  let worker: Worker<Delivery, string>;
  beforeAll(async () => {
    const apiUrl = await standin.start();
    conn = redisConnection(REDIS_URL, 'worker');
    queue = createDeliveryQueue(keys.queue, conn);
    outbox = new Outbox(queue, conn, keys);
    worker = createDeliveryWorker(
      keys.queue,
      createDeliveryProcessor({
        client: new WebClient('xoxb-test', { slackApiUrl: apiUrl, retryConfig: { retries: 0 } }),
        outbox,
        limitMs: LIMIT_MS,
        logger: createLogger('silent', 'test'),
        onExpired: (kind) => expired.push(kind),
      }),
      conn,
    );
  });
  afterAll(async () => {
    await worker?.close();
    await queue?.obliterate({ force: true });
    await queue?.close();
    await conn?.del(keys.outage);
    conn?.disconnect();
    await standin.stop();
  });

  it('a group report with charts, kept through an outage: message, then evidence file, then charts; late', async () => {
    standin.outage(4000);
    await outbox.markDown();
    await outbox.deferReport(delivery('diag-charts', 'C0CHART'));
    const report = await standin.waitFor(
      () => standin.messages.find((m) => m.channel === 'C0CHART'),
      30_000,
      'the report',
    );
    const files = await standin.waitFor(
      () => {
        const f = standin.files.filter((x) => x.threadTs === report.ts);
        return f.length === 3 && f;
      },
      10_000,
      'its evidence file and two charts',
    );
    expect(headerOf(report)).toBe('web: 2 of 2 hosts with a 502 cause');
    expect(lateNoteOf(report)).toMatch(
      /^diagnosed at \d\d:\d\d(:\d\d)? UTC; Slack was unreachable until \d\d:\d\d/,
    );
    const evidence = files.find((f) => f.filename.endsWith('.txt'));
    const charts = files.filter((f) => f.filename.endsWith('.png'));
    if (!evidence) throw new Error('no evidence file');
    expect(charts.map((f) => f.filename).sort()).toEqual([
      'diagnose502-web-1-2026-11-25T10-15-00-000Z-errors.png',
      'diagnose502-web-2-2026-11-25T10-15-00-000Z-errors.png',
    ]);
    expect(postedAt(standin, report.ts)).toBeLessThan(uploadedAt(standin, evidence));
    for (const c of charts) expect(uploadedAt(standin, evidence)).toBeLessThan(uploadedAt(standin, c));
    // The delivery's last act: Slack answers, so the outage is over for every process.
    for (let i = 0; i < 50 && (await outbox.slackDownSince()) !== undefined; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await outbox.slackDownSince()).toBeUndefined();
  });

  it('a delivery taken over after its message was posted posts only what is missing', async () => {
    const posted = await new WebClient('xoxb-test', { slackApiUrl: `${standin.url}/api/` }).chat.postMessage({
      channel: 'C0RESUME',
      text: 'the report, posted by a worker that died before its next step',
    });
    const before = standin.callsOf('chat.postMessage').length;
    await outbox.deferReport(
      delivery('diag-resume', 'C0RESUME', {
        done: { message: { channel: 'C0RESUME', ts: String(posted.ts) } },
      }),
    );
    await standin.waitFor(
      () => standin.files.filter((f) => f.threadTs === posted.ts).length === 3,
      20_000,
      'the files',
    );
    expect(standin.callsOf('chat.postMessage').length).toBe(before);
    expect(standin.messages.filter((m) => m.channel === 'C0RESUME')).toHaveLength(1);
  });

  it('older than the limit: dropped, logged and counted, never posted; a refusal is not retried', async () => {
    await outbox.deferReport(delivery('diag-old', 'C0OLD', { diagnosedAt: Date.now() - LIMIT_MS - 1000 }));
    standin.failWith('chat.postMessage', 'channel_not_found');
    await outbox.deferReport(delivery('diag-refused', 'C0GONE'));
    for (let i = 0; i < 100 && (await queue.getFailedCount()) < 2; i++)
      await new Promise((r) => setTimeout(r, 100));
    const old = await queue.getJob('report-diag-old');
    const refused = await queue.getJob('report-diag-refused');
    expect(await old?.getState()).toBe('failed');
    expect(old?.failedReason).toMatch(/^expired/);
    expect(expired).toEqual(['report']);
    expect(await refused?.getState()).toBe('failed');
    expect(refused?.failedReason).toBe('Slack refused it: channel_not_found');
    expect(refused?.attemptsMade).toBe(1);
    expect(standin.messages.filter((m) => m.channel === 'C0OLD' || m.channel === 'C0GONE')).toHaveLength(0);
  });
});
