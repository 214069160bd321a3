/** Composition root of `diagnose502 start`: intake and workers in one process, for small installs. */
import type { Logger } from 'pino';
import type { BotConfig } from '../config/load-bot-config.js';
import { BotMetrics } from './metrics.js';
import { queueCounts, type Running } from './readiness.js';
import { startServe } from './serve.js';
import { runCleanup } from './shutdown.js';
import { startWorker, type WorkerRunOptions } from './worker.js';

export async function startBoth(
  config: BotConfig,
  logger: Logger,
  opts: WorkerRunOptions = {},
): Promise<Running> {
  // One registry for both halves; the queue gauge is attached once serve's queue exists.
  let counts: (() => Promise<Record<string, number>>) | undefined;
  const metrics = new BotMetrics(() => (counts ? counts() : Promise.resolve({})));
  const worker = await startWorker(config, logger.child({ role: 'worker' }), {
    ...opts,
    metrics,
    http: false,
  });
  const serve = await startServe(config, logger.child({ role: 'serve' }), { metrics });
  counts = queueCounts(serve.queue);
  return {
    port: serve.port,
    // The worker closes even when the intake's shutdown failed: else it would keep its jobs.
    close: () =>
      runCleanup(
        [
          { name: 'serve', run: () => serve.close() },
          { name: 'worker', run: () => worker.close() },
        ],
        logger,
      ),
  };
}
