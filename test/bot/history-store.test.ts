/**
 * The report history in the real Redis: retention (trimmed sets, expiring summaries), the recent
 * list's cap, a retried job kept once, the permalink added later, and the restarts read from the
 * real audit stream as the restart job writes it (actions/audit.ts).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../../src/actions/audit.js';
import { actionKeys } from '../../src/actions/keys.js';
import { historyKeys } from '../../src/history/history-keys.js';
import {
  hostReports,
  RECENT_MAX,
  recentReports,
  recordReport,
  setReportLink,
} from '../../src/history/history-store.js';
import { redisReportHistory } from '../../src/history/report-history.js';
import type { ReportSummary } from '../../src/history/report-summary.js';
import { restartsByHost } from '../../src/history/restart-history.js';
import type { TargetReport } from '../../src/report/types.js';
import { REDIS_URL, redisAvailable } from './bot-harness.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/history-store] skipped: ${skip}`);

const D = 86_400_000;
const summary = (id: string, host: string, at: number, cause = 'upstream-down'): ReportSummary => ({
  id,
  host,
  target: host,
  verdict: 'cause-found',
  cause,
  confidence: 0.9,
  at,
});

describe.skipIf(skip !== undefined)('history store (real Redis)', () => {
  let redis: Redis;
  const queue = `d502-test-history-${randomBytes(5).toString('hex')}`;
  const keys = historyKeys(queue);
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    const found = await redis.keys(`d502:${queue}:*`);
    if (found.length > 0) await redis.del(...found);
    redis.disconnect();
  });

  it('trims a host to the retention on every write, and its summaries expire with it', async () => {
    const now = Date.now();
    // Kept 40 days ago (the clock then), 5 days ago, and now, with a 30-day retention.
    await recordReport(redis, queue, summary('old:web-1', 'web-1', now - 40 * D), 30, now - 40 * D);
    await recordReport(redis, queue, summary('mid:web-1', 'web-1', now - 5 * D), 30, now - 5 * D);
    // The second write trimmed the first: older than the retention at its time.
    expect(await redis.zcard(keys.host('web-1'))).toBe(1);
    // A summary whose time is past the retention is kept for a millisecond at most.
    await recordReport(redis, queue, summary('stale:web-9', 'web-9', now - 31 * D), 30, now);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await redis.exists(keys.report('stale:web-9'))).toBe(0);
    expect(await redis.zcard(keys.host('web-9'))).toBe(0);
    await recordReport(redis, queue, summary('new:web-1', 'web-1', now), 30, now);
    expect(await redis.zrange(keys.host('web-1'), 0, -1)).toEqual(['mid:web-1', 'new:web-1']);
    const ttl = await redis.pttl(keys.report('new:web-1'));
    expect(ttl).toBeGreaterThan(30 * D - 60_000);
    expect(ttl).toBeLessThanOrEqual(30 * D);
    expect(await redis.pttl(keys.host('web-1'))).toBeGreaterThan(29 * D);
    expect((await hostReports(redis, queue, 'web-1', 30, now)).map((s) => s.id)).toEqual([
      'new:web-1',
      'mid:web-1',
    ]);
    // A shorter retention at read time reads less.
    expect((await hostReports(redis, queue, 'web-1', 1, now)).map((s) => s.id)).toEqual(['new:web-1']);
  });

  it('a retried job writes the same summary once; the link is added later and keeps the expiry', async () => {
    const now = Date.now();
    await recordReport(redis, queue, summary('job-r:web-2', 'web-2', now - 1000), 30, now - 1000);
    await recordReport(redis, queue, summary('job-r:web-2', 'web-2', now), 30, now);
    expect(await redis.zcard(keys.host('web-2'))).toBe(1);
    const before = await redis.pttl(keys.report('job-r:web-2'));
    const link = {
      channel: 'C0INCIDENT',
      ts: '1.2',
      permalink: 'https://x.slack.com/archives/C0INCIDENT/p12',
    };
    expect(await setReportLink(redis, queue, 'job-r:web-2', link)).toBe(true);
    const [s] = await hostReports(redis, queue, 'web-2', 30, now);
    expect(s).toMatchObject(link);
    expect(await redis.pttl(keys.report('job-r:web-2'))).toBeLessThanOrEqual(before);
    expect(await redis.pttl(keys.report('job-r:web-2'))).toBeGreaterThan(before - 10_000);
    expect(await setReportLink(redis, queue, 'never:web-2', link)).toBe(false);
    expect(await redis.exists(keys.report('never:web-2'))).toBe(0);
  });

  it(`the recent list keeps the newest ${RECENT_MAX}, newest first`, async () => {
    const q2 = `${queue}-recent`;
    const now = Date.now();
    for (let i = 0; i < RECENT_MAX + 15; i++)
      await recordReport(
        redis,
        q2,
        summary(`j${i}:h${i % 7}`, `h${i % 7}`, now - (RECENT_MAX + 15 - i) * 1000),
        30,
        now,
      );
    expect(await redis.zcard(historyKeys(q2).recent)).toBe(RECENT_MAX);
    const recent = await recentReports(redis, q2, 5);
    expect(recent.map((s) => s.id)).toEqual([214, 213, 212, 211, 210].map((i) => `j${i}:h${i % 7}`));
    const found = await redis.keys(`d502:${q2}:*`);
    await redis.del(...found);
  });

  it('restarts come from the audit stream: only runs, per host, newest first', async () => {
    const stream = actionKeys(queue).audit;
    const log = pino({ level: 'silent' });
    const base = {
      action: 'restart-service',
      service: 'app',
      command: 'systemctl restart app',
      actionId: 'a',
      detail: 'd',
    };
    await appendAudit(redis, stream, log, { ...base, who: 'U0BOB', host: 'web-3', result: 'failed' });
    await appendAudit(redis, stream, log, { ...base, who: 'U0EVE', host: 'web-3', result: 'refused' });
    await appendAudit(redis, stream, log, { ...base, who: 'U0CAROL', host: 'web-3', result: 'dry-run' });
    await appendAudit(redis, stream, log, { ...base, who: 'U0ALICE', host: 'web-3', result: 'succeeded' });
    await appendAudit(redis, stream, log, { ...base, who: 'U0DAN', host: 'web-4', result: 'succeeded' });
    const by = await restartsByHost(redis, stream, new Set(['web-3']), Date.now() - D);
    expect(by.get('web-3')?.map((r) => [r.who, r.result])).toEqual([
      ['U0ALICE', 'succeeded'],
      ['U0BOB', 'failed'],
    ]);
    expect(by.has('web-4')).toBe(false);
  });

  it('attach: the line of the 2nd report names the first; posted adds the permalink', async () => {
    const history = redisReportHistory({
      redis,
      queueName: queue,
      retentionDays: 30,
      auditStream: actionKeys(queue).audit,
    });
    const report = (): TargetReport => ({
      target: 'web-5',
      verdict: 'cause-found',
      sinceS: 60,
      startedAt: new Date().toISOString(),
      hosts: [
        {
          host: 'web-5',
          address: '10.0.0.5',
          durationMs: 1,
          verdict: 'cause-found',
          notChecked: [],
          checks: [],
          findings: [
            {
              cause: 'upstream-down',
              confidence: 0.9,
              title: 't',
              evidence: [],
              remediation: [],
              actions: [],
            },
          ],
        },
      ],
    });
    const first = await history.attach('job-a', report());
    expect(first.hosts[0]?.history).toMatchObject({ seenBefore: false, nth: 1 });
    await history.posted(
      'job-a',
      first,
      { channel: 'C0INCIDENT', ts: '10.1' },
      'https://x.slack.com/archives/C0INCIDENT/p101',
    );
    // The same job again (a retry) is not its own history.
    expect((await history.attach('job-a', report())).hosts[0]?.history?.seenBefore).toBe(false);
    const second = await history.attach('job-b', report());
    expect(second.hosts[0]?.history).toMatchObject({
      seenBefore: true,
      nth: 2,
      previous: {
        permalink: 'https://x.slack.com/archives/C0INCIDENT/p101',
        channel: 'C0INCIDENT',
        ts: '10.1',
      },
    });
    expect((await recentReports(redis, queue, 1))[0]?.id).toBe('job-b:web-5');
  });
});
