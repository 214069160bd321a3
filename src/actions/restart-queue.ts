/**
 * The BullMQ queue of restarts, beside the diagnosis queue. One attempt only: a restart is never
 * retried on its own; a job that stalls (its worker died) comes back once and finds its recorded
 * step instead of running the command again.
 */
import { Queue, Worker } from 'bullmq';
import { bullPrefix, type RedisConn } from '../queue/redis.js';
import type { RestartOutcome, RestartProcessor } from './restart-job.js';
import type { RestartJobData } from './restart-job-data.js';

export type RestartQueue = Queue<RestartJobData>;

export const RESTART_JOB_OPTIONS = {
  attempts: 1,
  removeOnComplete: { age: 7 * 24 * 3600, count: 5000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 5000 },
} as const;

export function createRestartQueue(name: string, connection: RedisConn): RestartQueue {
  const prefix = bullPrefix(connection, name);
  return new Queue<RestartJobData>(name, {
    connection,
    ...(prefix ? { prefix } : {}),
    defaultJobOptions: RESTART_JOB_OPTIONS,
  });
}

export function createRestartWorker(
  name: string,
  processor: RestartProcessor,
  connection: RedisConn,
  opts: { stalledIntervalMs?: number; lockDurationMs?: number } = {},
): Worker<RestartJobData, RestartOutcome> {
  const prefix = bullPrefix(connection, name);
  return new Worker<RestartJobData, RestartOutcome>(name, processor, {
    connection,
    ...(prefix ? { prefix } : {}),
    concurrency: 4,
    stalledInterval: opts.stalledIntervalMs ?? 30_000,
    lockDuration: opts.lockDurationMs ?? 30_000,
    maxStalledCount: 1,
  });
}
