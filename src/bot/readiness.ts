/**
 * What both bot roles report about themselves (/readyz and /metrics): Slack's reachability and the
 * queue's counts. Its own file so that `worker` does not import `serve` (and with it Bolt, ~35 MB of
 * the worker's memory; issue 17).
 */
import type { DiagnoseQueue } from '../queue/create-queue.js';
import { withDeadline } from '../queue/deadline.js';

export interface Running {
  /** The HTTP port actually bound (PORT=0 picks a free one). */
  port: number;
  close(): Promise<void>;
}

/**
 * Slack reachability for /readyz, cached so that probes do not spend the auth.test rate limit. An
 * outage any process has seen (the outbox's shared state) shows at once, with since when.
 */
export function slackReadiness(
  authTest: () => Promise<unknown>,
  ttlMs = 30_000,
  downSince?: () => Promise<number | undefined>,
): () => Promise<void> {
  let okUntil = 0;
  return async () => {
    // Redis being down is the redis check's to say; Slack's is then auth.test alone.
    const since = downSince
      ? await withDeadline(downSince(), 500, 'Redis (outage state)').catch(() => undefined)
      : undefined;
    if (since !== undefined) {
      okUntil = 0;
      throw new Error(
        `Slack has not answered since ${new Date(since).toISOString()}; reports wait in the outbox`,
      );
    }
    if (Date.now() < okUntil) return;
    await authTest();
    okUntil = Date.now() + ttlMs;
  };
}

export function queueCounts(queue: DiagnoseQueue): () => Promise<Record<string, number>> {
  // A scrape must not hang on a Redis that is down (BullMQ waits for it without limit).
  return () =>
    withDeadline(
      queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'),
      2000,
      'Redis (job counts)',
    );
}
