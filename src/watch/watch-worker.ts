/** The worker's side of Watch: its queue and BullMQ worker, wired by the worker's composition root. */
import type { Logger } from 'pino';
import type { BotConfig } from '../config/load-bot-config.js';
import type { Inventory, ResolvedHost } from '../inventory/types.js';
import type { Connect } from '../pipeline/diagnose-host.js';
import type { RedisConn } from '../queue/redis.js';
import { watchKeys } from './watch-keys.js';
import { createWatchQueue, createWatchWorker } from './watch-queue.js';
import { createWatchProcessor, type WatchSlack } from './watch-tick.js';

export interface WatchTicksOptions {
  inventory(): Promise<Inventory>;
  connect(hosts: readonly ResolvedHost[]): Connect;
  slack: WatchSlack;
  logger: Logger;
  stalledIntervalMs?: number;
  lockDurationMs?: number;
}

export function startWatchTicks(
  config: Pick<BotConfig, 'queueName'>,
  connection: RedisConn,
  opts: WatchTicksOptions,
): { close(): Promise<void> } {
  const keys = watchKeys(config.queueName);
  const queue = createWatchQueue(keys.queue, connection);
  const logger = opts.logger.child({ watch: true });
  const worker = createWatchWorker(
    keys.queue,
    createWatchProcessor({
      redis: connection,
      keys,
      queue,
      // Hosts come from the inventory as it is now; the commands are the fixed probe records.
      host: async (name) => {
        const host = (await opts.inventory()).hosts.get(name);
        return host ? { host, connect: opts.connect([host]) } : undefined;
      },
      slack: opts.slack,
      logger,
    }),
    connection,
    {
      ...(opts.stalledIntervalMs ? { stalledIntervalMs: opts.stalledIntervalMs } : {}),
      ...(opts.lockDurationMs ? { lockDurationMs: opts.lockDurationMs } : {}),
    },
  );
  worker.on('error', (err) => logger.error({ err: err.message }, 'watch worker error'));
  worker.on('failed', (job, err) => logger.warn({ jobId: job?.id, err: err.message }, 'watch tick failed'));
  return {
    close: async () => {
      await worker.close();
      await queue.close();
    },
  };
}
