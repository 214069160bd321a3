import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TargetReport } from '../report/types.js';
import type { DiagnoseJobData } from './job-data.js';
import type { DiagnoseProcessor } from './processor.js';

export interface WorkerOptions {
  concurrency: number;
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
  connection: Redis,
  opts: WorkerOptions,
): Worker<DiagnoseJobData, TargetReport> {
  return new Worker<DiagnoseJobData, TargetReport>(queueName, processor, {
    connection,
    concurrency: opts.concurrency,
    ...(opts.prefix ? { prefix: opts.prefix } : {}),
    stalledInterval: opts.stalledIntervalMs ?? 30_000,
    lockDuration: opts.lockDurationMs ?? 30_000,
    // A job found stalled twice (its worker died twice while running it) fails instead of looping.
    maxStalledCount: 2,
  });
}
