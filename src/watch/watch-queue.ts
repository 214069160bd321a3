/**
 * The BullMQ queue of Watch's ticks, `<queue>-watch`: each tick is a delayed job whose id names the
 * watch and the tick (`watch-<id>-<n>`), added by the tick before it. BullMQ keeps one job per id, so a
 * tick run again after a crash adds no second "next" (delayed jobs rather than a job scheduler: a
 * scheduler's jobs are named by time, not by tick, and the chain ends by itself when the watch does).
 */
import { type Job, Queue, Worker } from 'bullmq';
import { z } from 'zod';
import { bullPrefix, type RedisConn } from '../queue/redis.js';

export const WatchJobDataSchema = z.object({
  id: z.string().regex(/^[a-f0-9]{8,32}$/),
  host: z.string().min(1).max(253),
  /** The tick this job runs (1-based). */
  tick: z.number().int().min(1),
});
export type WatchJobData = z.infer<typeof WatchJobDataSchema>;

export type WatchQueue = Queue<WatchJobData>;

export const WATCH_TICK = 'tick';
export const tickJobId = (id: string, n: number) => `watch-${id}-${n}`;

export const WATCH_JOB_OPTIONS = {
  // A tick whose Slack edit or SSH read failed for a transient reason is tried again (the state says
  // what it already did); a tick's job id stays an hour, so a re-run of the tick before it adds nothing.
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
} as const;

export function createWatchQueue(name: string, connection: RedisConn): WatchQueue {
  const prefix = bullPrefix(connection, name);
  return new Queue<WatchJobData>(name, {
    connection,
    ...(prefix ? { prefix } : {}),
    defaultJobOptions: WATCH_JOB_OPTIONS,
  });
}

export function createWatchWorker(
  name: string,
  processor: (job: Job<WatchJobData>, token?: string, signal?: AbortSignal) => Promise<string>,
  connection: RedisConn,
  opts: { stalledIntervalMs?: number; lockDurationMs?: number } = {},
): Worker<WatchJobData, string> {
  const prefix = bullPrefix(connection, name);
  return new Worker<WatchJobData, string>(name, processor, {
    connection,
    ...(prefix ? { prefix } : {}),
    concurrency: 8,
    stalledInterval: opts.stalledIntervalMs ?? 30_000,
    lockDuration: opts.lockDurationMs ?? 30_000,
    maxStalledCount: 2,
  });
}
