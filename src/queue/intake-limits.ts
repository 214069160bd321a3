/**
 * Intake limits (issue 15): how many diagnoses one person and one channel may ask for per minute,
 * and how many diagnoses may wait in the queue. The counts live in Redis (rate-limiter-flexible's
 * RateLimiterRedis: one atomic Lua INCRBY + EXPIRE per request on one key, so every `serve` replica
 * shares them and a Redis Cluster needs no hash tag), in fixed one-minute windows.
 */
import { once } from 'node:events';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { DiagnoseQueue } from './create-queue.js';
import { withDeadline } from './deadline.js';
import type { RedisConn } from './redis.js';

export interface IntakeLimitsConfig {
  /** Diagnoses one person may ask for in a minute (commands and Re-run clicks). */
  perUserPerMin: number;
  /** Diagnoses one channel may ask for in a minute. */
  perChannelPerMin: number;
  /** Diagnoses that may wait (waiting, prioritized, delayed) before new ones are refused. */
  maxWaiting: number;
}

export type RefusalReason = 'user-rate' | 'channel-rate' | 'queue-full';

export interface Refusal {
  ok: false;
  reason: RefusalReason;
  /** The limit that was reached (per minute, or waiting jobs). */
  limit: number;
  /** When asking again can succeed. */
  retryAfterS: number;
}
export type Admission = { ok: true } | Refusal;

export interface IntakeLimits {
  /**
   * A person's request (a command or a Re-run click): the person's count, then the channel's (a
   * person refused does not spend the channel's), then the queue cap. `dedupId` is the job's
   * deduplication id: a request that joins a waiting job adds none, so a full queue still takes it.
   */
  admitPerson(who: { userId: string; channelId: string }, dedupId: string): Promise<Admission>;
  /** An alert's diagnosis: the queue cap only (the sender is authenticated; its rate is its own). */
  admitQueued(dedupId: string): Promise<Admission>;
}

/** A full queue is not a fixed window: this is a hint, about the time a worker takes for a few jobs. */
export const QUEUE_FULL_RETRY_S = 60;
const DEADLINE_MS = 1500;

/** Thrown into the alert intake, which answers 503 + Retry-After: Alertmanager retries the group. */
export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
  constructor(readonly refusal: Refusal) {
    super(
      `the diagnosis queue already holds ${refusal.limit} waiting diagnoses (DIAGNOSE502_QUEUE_MAX_WAITING); retry in ${refusal.retryAfterS} s`,
    );
  }
}

export function createIntakeLimits(
  redis: RedisConn,
  queue: DiagnoseQueue,
  keyPrefix: string,
  config: IntakeLimitsConfig,
): IntakeLimits {
  const limiter = (name: string, points: number) =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `d502:${keyPrefix}:limit:${name}`,
      points,
      duration: 60,
    });
  const perUser = limiter('user', config.perUserPerMin);
  const perChannel = limiter('channel', config.perChannelPerMin);

  /**
   * The producer connection fails commands at once while it is not connected (no offline queue): wait
   * for it as BullMQ's own calls do, within the deadline, so that a request just after start is served.
   */
  const consume = async (rl: RateLimiterRedis, key: string) => {
    if (redis.status !== 'ready') await once(redis, 'ready', { signal: AbortSignal.timeout(DEADLINE_MS) });
    return rl.consume(key);
  };

  /** A refusal, or undefined when admitted; Redis errors propagate (the caller says "try again"). */
  const take = async (
    rl: RateLimiterRedis,
    key: string,
    reason: RefusalReason,
    limit: number,
  ): Promise<Refusal | undefined> => {
    try {
      await withDeadline(consume(rl, key), DEADLINE_MS, 'Redis (intake limit)');
      return undefined;
    } catch (err) {
      // rate-limiter-flexible rejects with a RateLimiterRes when over the limit, an Error otherwise.
      if (!(err instanceof RateLimiterRes)) throw err;
      return { ok: false, reason, limit, retryAfterS: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
    }
  };

  const queueCap = async (dedupId: string): Promise<Admission> => {
    const counts = await withDeadline(
      queue.getJobCounts('waiting', 'prioritized', 'delayed'),
      DEADLINE_MS,
      'Redis (job counts)',
    );
    const waiting = (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0);
    if (waiting < config.maxWaiting) return { ok: true };
    // Joining a job that is already there adds nothing to the queue.
    if (await withDeadline(queue.getDeduplicationJobId(dedupId), DEADLINE_MS, 'Redis (dedup)'))
      return { ok: true };
    return { ok: false, reason: 'queue-full', limit: config.maxWaiting, retryAfterS: QUEUE_FULL_RETRY_S };
  };

  return {
    async admitPerson(who, dedupId) {
      const user = await take(perUser, who.userId, 'user-rate', config.perUserPerMin);
      if (user) return user;
      const channel = await take(perChannel, who.channelId, 'channel-rate', config.perChannelPerMin);
      if (channel) return channel;
      return queueCap(dedupId);
    },
    admitQueued: queueCap,
  };
}
