import { Queue } from 'bullmq';
import type { DiagnoseJobData } from './job-data.js';
import { bullPrefix, type RedisConn } from './redis.js';

export type DiagnoseQueue = Queue<DiagnoseJobData>;

/** How long finished jobs stay (for "Show all evidence" and "Re-run") before Redis drops them. */
export const KEEP_COMPLETED_S = 24 * 3600;
export const KEEP_FAILED_S = 7 * 24 * 3600;

/**
 * Retries are for transient failures only (Redis blips, a Slack outage, a crash of this process): a
 * host that is down is a finding and completes the job. Exponential backoff: 2 s, 4 s, 8 s.
 */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 4,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: KEEP_COMPLETED_S, count: 5000 },
  removeOnFail: { age: KEEP_FAILED_S, count: 5000 },
} as const;

export function createDiagnoseQueue(
  name: string,
  connection: RedisConn,
  prefix = bullPrefix(connection, name),
): DiagnoseQueue {
  return new Queue<DiagnoseJobData>(name, {
    connection,
    ...(prefix ? { prefix } : {}),
    defaultJobOptions: DEFAULT_JOB_OPTIONS,
  });
}
