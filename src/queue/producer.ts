import { randomUUID } from 'node:crypto';
import type { DiagnoseQueue } from './create-queue.js';
import { withDeadline } from './deadline.js';
import {
  DIAGNOSE_JOB_NAME,
  type DiagnoseJobData,
  DiagnoseJobDataSchema,
  dedupKey,
  roundWindow,
} from './job-data.js';

export interface Enqueued {
  jobId: string;
  /** True when a job for the same target and window was already queued or running: this joined it. */
  joined: boolean;
  /** The data of the job that runs (the earlier one when joined), e.g. where its report is. */
  running: DiagnoseJobData;
}

/** Within Slack's 3 s ack even when Redis is down: the caller answers "try again" instead. */
export const ENQUEUE_DEADLINE_MS = 2000;

/**
 * Adds a diagnosis unless one for the same target and rounded window is waiting or running (BullMQ
 * deduplication: the key lives until that job completes or fails, so a later request runs anew).
 */
export async function enqueueDiagnosis(
  queue: DiagnoseQueue,
  data: DiagnoseJobData,
  deadlineMs = ENQUEUE_DEADLINE_MS,
  /**
   * Another dedup key; with `ttlMs` it holds for that long even after the job ends (BullMQ's throttle
   * mode): what "one diagnosis per host per alert window" needs.
   */
  dedup?: { id: string; ttlMs?: number },
): Promise<Enqueued> {
  return withDeadline(enqueue(queue, data, dedup), deadlineMs, 'Redis (enqueue)');
}

async function enqueue(
  queue: DiagnoseQueue,
  data: DiagnoseJobData,
  dedup: { id: string; ttlMs?: number } | undefined,
): Promise<Enqueued> {
  const asked = DiagnoseJobDataSchema.parse(data);
  // A person's request (no dedup key of its own) runs over the rounded window its key names.
  const valid = dedup ? asked : { ...asked, sinceS: roundWindow(asked.sinceS) };
  const jobId = randomUUID();
  const job = await queue.add(DIAGNOSE_JOB_NAME, valid, {
    jobId,
    deduplication: dedup
      ? { id: dedup.id, ...(dedup.ttlMs ? { ttl: dedup.ttlMs } : {}) }
      : { id: dedupKey(valid.target, valid.sinceS) },
  });
  // BullMQ answers a deduplicated add with the id of the job that holds the key.
  const actualId = job.id ?? jobId;
  if (actualId === jobId) return { jobId, joined: false, running: valid };
  const existing = await queue.getJob(actualId);
  const parsed = DiagnoseJobDataSchema.safeParse(existing?.data);
  return { jobId: actualId, joined: true, running: parsed.success ? parsed.data : valid };
}
