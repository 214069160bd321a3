/**
 * The feedback on reports in Redis: a counter per cause of "right" and of "wrong" (what App Home
 * shows), one stream entry per vote (who, when, the report; for "wrong" the evidence and the
 * person's answer, which `diagnose502 feedback export` turns into lab-scenario skeletons), and a
 * mark per person and report so that each person votes once on a report.
 *
 * Each stream (one for "wrong", one for "right") is capped twice: by length (XADD MAXLEN ~) and by age (XTRIM MINID on each write,
 * and the key expires when no vote came for the whole retention, so an idle bot keeps nothing).
 */
import type { RedisConn } from '../queue/redis.js';
import { boundEntry, type FeedbackEntry, FeedbackEntrySchema, type FeedbackKind } from './feedback-entry.js';
import { feedbackKeys } from './feedback-keys.js';

export interface FeedbackRetention {
  /** Stream entries kept at most (approximately: MAXLEN ~). */
  maxEntries: number;
  /** Entries older than this are trimmed; the per-person marks expire after it too. */
  retentionMs: number;
}

export interface CauseTally {
  cause: string;
  right: number;
  wrong: number;
}

/**
 * The counts per cause a report gave, most voted first (then by name). The agreed interface of
 * App Home: the second argument is the bot's queue name (keys are `d502:<queue>:feedback:…`).
 */
export async function feedbackTally(redis: RedisConn, queueName: string): Promise<CauseTally[]> {
  const keys = feedbackKeys(queueName);
  const [right, wrong] = await Promise.all([redis.hgetall(keys.right), redis.hgetall(keys.wrong)]);
  const causes = new Set([...Object.keys(right), ...Object.keys(wrong)]);
  return [...causes]
    .map((cause) => ({ cause, right: Number(right[cause] ?? 0), wrong: Number(wrong[cause] ?? 0) }))
    .sort((a, b) => b.right + b.wrong - (a.right + a.wrong) || a.cause.localeCompare(b.cause));
}

/** Whether this person already voted on this report. */
export async function hasVoted(
  redis: RedisConn,
  queueName: string,
  reportId: string,
  userId: string,
): Promise<boolean> {
  return (await redis.exists(feedbackKeys(queueName).voted(reportId, userId))) === 1;
}

/**
 * Stores one vote, once per person and report: false (nothing stored) when this person already
 * voted on it. The entry is bounded and redacted first (feedback-entry.ts).
 */
export async function recordFeedback(
  redis: RedisConn,
  queueName: string,
  entry: FeedbackEntry,
  retention: FeedbackRetention,
  now = Date.now(),
): Promise<{ stored: boolean; entry: FeedbackEntry; id?: string }> {
  const keys = feedbackKeys(queueName);
  const clean = boundEntry(FeedbackEntrySchema.parse(entry));
  const ttlMs = Math.max(1000, retention.retentionMs);
  // The claim comes first: two clicks at once (two tabs, a double submit) store one vote.
  const claimed = await redis.set(keys.voted(clean.reportId, clean.who), clean.kind, 'PX', ttlMs, 'NX');
  if (claimed !== 'OK') return { stored: false, entry: clean };
  const stream = clean.kind === 'right' ? keys.rightStream : keys.stream;
  try {
    const id = await redis.xadd(
      stream,
      'MAXLEN',
      '~',
      String(retention.maxEntries),
      '*',
      'entry',
      JSON.stringify(clean),
    );
    // Exact, not `~`: a stream of a few hundred votes is one macro node, which `~` never trims.
    await redis.xtrim(stream, 'MINID', String(Math.max(0, now - ttlMs)));
    await redis.pexpire(stream, ttlMs);
    await redis.hincrby(counterKey(keys, clean.kind), clean.givenCause, 1);
    return { stored: true, entry: clean, ...(id ? { id } : {}) };
  } catch (err) {
    // Not stored: the person may try again.
    await redis.del(keys.voted(clean.reportId, clean.who)).catch(() => {});
    throw err;
  }
}

const counterKey = (keys: ReturnType<typeof feedbackKeys>, kind: FeedbackKind) =>
  kind === 'right' ? keys.right : keys.wrong;

/** Stream ids are `<ms>-<seq>`: compared as numbers, not as text. */
function idBefore(a: string, b: string): boolean {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am < bm || (am === bm && as < bs);
}

/**
 * Stored votes, oldest first: the "wrong" ones, or both kinds in time order; at most `count` of each
 * stream. Entries that do not parse are skipped.
 */
export async function readFeedback(
  redis: RedisConn,
  queueName: string,
  opts: { count?: number; kinds?: 'wrong' | 'all' } = {},
): Promise<Array<FeedbackEntry & { id: string }>> {
  const keys = feedbackKeys(queueName);
  const count = opts.count ?? 10_000;
  const rows = [
    ...(await redis.xrange(keys.stream, '-', '+', 'COUNT', count)),
    ...(opts.kinds === 'wrong' ? [] : await redis.xrange(keys.rightStream, '-', '+', 'COUNT', count)),
  ].sort(([a], [b]) => (idBefore(a, b) ? -1 : idBefore(b, a) ? 1 : 0));
  const out: Array<FeedbackEntry & { id: string }> = [];
  for (const [id, fields] of rows) {
    const at = fields.indexOf('entry');
    const raw = at >= 0 ? fields[at + 1] : undefined;
    if (raw === undefined) continue;
    try {
      const parsed = FeedbackEntrySchema.safeParse(JSON.parse(raw));
      if (parsed.success) out.push({ id, ...parsed.data });
    } catch {
      // A hand-written or damaged entry: skipped, the rest still read.
    }
  }
  return out;
}

/** Every key of this queue's feedback (tests and `feedback` clean-up). */
export function feedbackKeyNames(queueName: string): string[] {
  const k = feedbackKeys(queueName);
  return [k.right, k.wrong, k.stream, k.rightStream];
}
