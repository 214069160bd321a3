/**
 * The feedback store on the real Redis: the tally per cause (App Home reads it), one vote per person
 * and report, what is stored (redacted, bounded), and the caps by length and by age.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEEDBACK_LIMITS, type FeedbackEntry } from '../../src/feedback/feedback-entry.js';
import { feedbackKeys } from '../../src/feedback/feedback-keys.js';
import {
  feedbackKeyNames,
  feedbackTally,
  hasVoted,
  readFeedback,
  recordFeedback,
} from '../../src/feedback/feedback-store.js';
import { REDIS_URL, redisAvailable } from './bot-harness.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/feedback-store] skipped: ${skip}`);

const DAY = 86_400_000;
const retention = { maxEntries: 1000, retentionMs: 30 * DAY };

function vote(over: Partial<FeedbackEntry>): FeedbackEntry {
  return {
    at: new Date().toISOString(),
    kind: 'right',
    who: 'U0ALICE',
    reportId: 'job-1',
    host: 'web-1',
    givenCause: 'upstream-down',
    confidence: 0.9,
    channel: 'C0INCIDENT',
    messageTs: '1700000000.000100',
    evidence: [],
    ...over,
  };
}

describe.skipIf(skip !== undefined)('feedback store (real Redis)', () => {
  let redis: Redis;
  const queues: string[] = [];
  const queue = () => {
    const q = `d502-test-fb-${randomBytes(5).toString('hex')}`;
    queues.push(q);
    return q;
  };
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    for (const q of queues) {
      const voted = await redis.keys(`d502:${q}:feedback:voted:*`);
      await redis.del(...feedbackKeyNames(q), ...voted);
    }
    redis.disconnect();
  });

  it('tallies right and wrong per given cause, most voted first; an unknown queue is empty', async () => {
    const q = queue();
    expect(await feedbackTally(redis, q)).toEqual([]);
    await recordFeedback(redis, q, vote({ who: 'U1' }), retention);
    await recordFeedback(redis, q, vote({ who: 'U2' }), retention);
    await recordFeedback(
      redis,
      q,
      vote({ who: 'U3', kind: 'wrong', answerCause: 'socket-missing' }),
      retention,
    );
    await recordFeedback(
      redis,
      q,
      vote({ who: 'U1', reportId: 'job-2', givenCause: 'disk-full' }),
      retention,
    );
    await recordFeedback(
      redis,
      q,
      vote({ who: 'U1', reportId: 'job-3', givenCause: 'upstream-slow', kind: 'wrong' }),
      retention,
    );
    expect(await feedbackTally(redis, q)).toEqual([
      { cause: 'upstream-down', right: 2, wrong: 1 },
      { cause: 'disk-full', right: 1, wrong: 0 },
      { cause: 'upstream-slow', right: 0, wrong: 1 },
    ]);
  });

  it('keeps one vote per person and report, whatever the second click says', async () => {
    const q = queue();
    expect(await hasVoted(redis, q, 'job-9', 'U0BOB')).toBe(false);
    const first = await recordFeedback(redis, q, vote({ reportId: 'job-9', who: 'U0BOB' }), retention);
    const again = await recordFeedback(
      redis,
      q,
      vote({ reportId: 'job-9', who: 'U0BOB', kind: 'wrong' }),
      retention,
    );
    const twice = await Promise.all([
      recordFeedback(redis, q, vote({ reportId: 'job-10', who: 'U0BOB' }), retention),
      recordFeedback(redis, q, vote({ reportId: 'job-10', who: 'U0BOB' }), retention),
    ]);
    expect(first.stored).toBe(true);
    expect(again.stored).toBe(false);
    expect(twice.filter((t) => t.stored)).toHaveLength(1);
    expect(await hasVoted(redis, q, 'job-9', 'U0BOB')).toBe(true);
    expect(await redis.xlen(feedbackKeys(q).rightStream)).toBe(2);
    expect(await feedbackTally(redis, q)).toEqual([{ cause: 'upstream-down', right: 2, wrong: 0 }]);
    // The mark expires with the retention.
    const ttl = await redis.pttl(feedbackKeys(q).voted('job-9', 'U0BOB'));
    expect(ttl).toBeGreaterThan(29 * DAY);
    expect(ttl).toBeLessThanOrEqual(30 * DAY);
  });

  it('stores who, when, the report, the answer and the evidence, redacted and bounded', async () => {
    const q = queue();
    const hostile = `it was the \u202edb\u0007 password=hunter2 Authorization: Bearer abc.def.ghi ${'x'.repeat(5000)}`;
    const evidence = Array.from(
      { length: 60 },
      (_, i) =>
        `${i} upstream: "http://u:secretpw@10.0.0.5:8080/?token=tok${i}" ${'y'.repeat(i === 0 ? 3000 : 1)}`,
    );
    await recordFeedback(
      redis,
      q,
      vote({ kind: 'wrong', who: 'U0CAROL', answerCause: 'socket-missing', answerText: hostile, evidence }),
      retention,
    );
    const [stored] = await readFeedback(redis, q);
    expect(stored).toMatchObject({ kind: 'wrong', who: 'U0CAROL', reportId: 'job-1', host: 'web-1' });
    expect(stored?.answerCause).toBe('socket-missing');
    const text = stored?.answerText ?? '';
    expect(text.length).toBeLessThanOrEqual(FEEDBACK_LIMITS.answer);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('abc.def.ghi');
    expect(text.includes('\u0007') || text.includes('\u202e')).toBe(false);
    expect(stored?.evidence).toHaveLength(FEEDBACK_LIMITS.evidenceLines + 1);
    expect(stored?.evidence.at(-1)).toBe('… 20 more lines not kept');
    expect(stored?.evidence[0]?.length).toBeLessThanOrEqual(FEEDBACK_LIMITS.evidenceLine);
    expect(JSON.stringify(stored)).not.toMatch(/secretpw|tok\d/);
    expect(new Date(stored?.at ?? '').getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('caps the stream by length (MAXLEN ~) and by age (MINID), and it expires when idle', async () => {
    const q = queue();
    const keys = feedbackKeys(q);
    // Two votes older than the retention, as if stored 40 and 31 days ago.
    const now = Date.now();
    await redis.xadd(keys.rightStream, `${now - 40 * DAY}-0`, 'entry', JSON.stringify(vote({ who: 'OLD1' })));
    await redis.xadd(keys.rightStream, `${now - 31 * DAY}-0`, 'entry', JSON.stringify(vote({ who: 'OLD2' })));
    await recordFeedback(redis, q, vote({ who: 'NEW' }), retention, now);
    expect((await readFeedback(redis, q)).map((e) => e.who)).toEqual(['NEW']);
    const ttl = await redis.pttl(keys.rightStream);
    expect(ttl).toBeGreaterThan(29 * DAY);

    const small = { maxEntries: 100, retentionMs: DAY };
    // A "wrong" answer is not pushed out of its cap by any number of "right" clicks.
    await recordFeedback(redis, q, vote({ who: 'WRONG', kind: 'wrong', answerText: 'keep me' }), small);
    for (let i = 0; i < 450; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) => recordFeedback(redis, q, vote({ who: `U${i + j}` }), small)),
      );
    }
    const len = await redis.xlen(keys.rightStream);
    expect(len).toBeGreaterThanOrEqual(100);
    expect(len).toBeLessThan(250);
    const wrongs = await readFeedback(redis, q, { kinds: 'wrong' });
    expect(wrongs.map((e) => e.answerText)).toEqual(['keep me']);
    // Both kinds read together come in time order (stream ids `<ms>-<seq>`).
    const ids = (await readFeedback(redis, q)).map((e) => e.id.split('-').map(Number) as [number, number]);
    for (const [k, [ms, seq]] of ids.entries()) {
      const [pms, pseq] = ids[k - 1] ?? [0, -1];
      expect(ms > pms || (ms === pms && seq > pseq)).toBe(true);
    }
  });

  it('skips entries it cannot read', async () => {
    const q = queue();
    await redis.xadd(feedbackKeys(q).rightStream, '*', 'entry', '{not json');
    await redis.xadd(feedbackKeys(q).rightStream, '*', 'other', 'x');
    await recordFeedback(redis, q, vote({}), retention);
    expect(await readFeedback(redis, q)).toHaveLength(1);
  });
});
