import { Worker } from 'bullmq';
import type { TargetReport } from '../report/types.js';
import type { DiagnoseJobData } from './job-data.js';
import type { DiagnoseProcessor } from './processor.js';
import { bullPrefix, type RedisConn } from './redis.js';

export interface WorkerOptions {
  concurrency: number;
  /** BullMQ's key prefix; by default the one the connection needs (see bullPrefix). */
  prefix?: string;
  /**
   * How often stalled jobs (a worker died holding them) are looked for, and how long a job's lock
   * lives without renewal. BullMQ's defaults (30 s) are kept in production; tests shorten them.
   */
  stalledIntervalMs?: number;
  lockDurationMs?: number;
}

export function createDiagnoseWorker(
  queueName: string,
  processor: DiagnoseProcessor,
  connection: RedisConn,
  opts: WorkerOptions,
): Worker<DiagnoseJobData, TargetReport> {
  const prefix = opts.prefix ?? bullPrefix(connection, queueName);
  return new Worker<DiagnoseJobData, TargetReport>(queueName, processor, {
    connection,
    concurrency: opts.concurrency,
    ...(prefix ? { prefix } : {}),
    stalledInterval: opts.stalledIntervalMs ?? 30_000,
    lockDuration: opts.lockDurationMs ?? 30_000,
    // A job found stalled twice (its worker died twice while running it) fails instead of looping.
    maxStalledCount: 2,
  });
}
