/**
 * The outbox's BullMQ queue, beside the diagnosis queue: one job per report (job id from the
 * diagnosis, so a report is queued once however often it is deferred) or per message to post or
 * update. While Slack does not answer, the first job in line is the probe: it rate-limits the whole
 * queue (every worker, see delivery-processor.ts), so an outage costs Slack one request per delay,
 * however many reports wait.
 */
import { type Processor, Queue, Worker } from 'bullmq';
import { bullPrefix, type RedisConn } from '../queue/redis.js';
import type { Delivery } from './delivery-data.js';

export type DeliveryQueue = Queue<Delivery>;

export const deliveryKeys = (queueName: string) => {
  const base = `d502:${queueName}:outbox`;
  return {
    queue: `${queueName}-deliveries`,
    /** Hash {since, failures}: Slack has not answered since; set by whoever saw it, cleared by the next answer. */
    outage: `${base}:slack-outage`,
    /** Placeholder of a message posted later → its real ts (or `expired`). */
    thread: (placeholder: string) => `${base}:thread:${placeholder}`,
    /** Hash {version, message, sent}: the latest state of a message whose update waits. */
    latest: (channel: string, ts: string) => `${base}:latest:${channel}:${ts}`,
  };
};
export type DeliveryKeys = ReturnType<typeof deliveryKeys>;

/**
 * Slack outages do not use up attempts (they rate-limit the queue instead); attempts are for the
 * rest (a Redis blip). Delivered jobs are kept a day, so that a report deferred twice (its
 * diagnosis taken over after a crash) still finds its job id taken.
 */
export const DELIVERY_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
} as const;

export function createDeliveryQueue(name: string, connection: RedisConn): DeliveryQueue {
  const prefix = bullPrefix(connection, name);
  return new Queue<Delivery>(name, {
    connection,
    ...(prefix ? { prefix } : {}),
    defaultJobOptions: DELIVERY_JOB_OPTIONS,
  });
}

export function createDeliveryWorker(
  name: string,
  processor: Processor<Delivery, string>,
  connection: RedisConn,
  opts: { concurrency?: number; stalledIntervalMs?: number; lockDurationMs?: number } = {},
): Worker<Delivery, string> {
  const prefix = bullPrefix(connection, name);
  return new Worker<Delivery, string>(name, processor, {
    connection,
    ...(prefix ? { prefix } : {}),
    concurrency: opts.concurrency ?? 4,
    // BullMQ honours a manual rate limit (queue.rateLimit) only on a worker with a limiter. This
    // one is far above what Slack takes (about one message a second per channel) and never binds.
    limiter: { max: 100, duration: 1000 },
    stalledInterval: opts.stalledIntervalMs ?? 30_000,
    lockDuration: opts.lockDurationMs ?? 30_000,
    maxStalledCount: 2,
  });
}
