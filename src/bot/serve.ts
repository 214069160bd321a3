/**
 * Composition root of `diagnose502 serve`: the Bolt app (intake), the producer side of the queue,
 * health and metrics. Holds nothing a second replica would need: jobs and reports live in Redis.
 */
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import { actionKeys } from '../actions/keys.js';
import { createRestartQueue } from '../actions/restart-queue.js';
import { mountAlertRoutes } from '../alerts/mount-alert-routes.js';
import type { BotConfig } from '../config/load-bot-config.js';
import { loadInventory } from '../inventory/load-inventory.js';
import type { Inventory } from '../inventory/types.js';
import { createDiagnoseQueue, type DiagnoseQueue } from '../queue/create-queue.js';
import { withDeadline } from '../queue/deadline.js';
import { createIntakeLimits } from '../queue/intake-limits.js';
import { enqueueDiagnosis } from '../queue/producer.js';
import { redisConnection } from '../queue/redis.js';
import type { TargetReport } from '../report/types.js';
import { createSlackApp } from '../slack/create-app.js';
import { healthRoutes, type RouteDeps } from '../slack/http-routes.js';
import { guardSlackEvents } from '../slack/slack-events-guard.js';
import { BotMetrics } from './metrics.js';
import { runCleanup } from './shutdown.js';

export interface Running {
  /** The HTTP port actually bound (PORT=0 picks a free one). */
  port: number;
  close(): Promise<void>;
}

/** Slack reachability for /readyz, cached so that probes do not spend the auth.test rate limit. */
export function slackReadiness(authTest: () => Promise<unknown>, ttlMs = 30_000): () => Promise<void> {
  let okUntil = 0;
  return async () => {
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

export interface ServeParts {
  app: App;
  queue: DiagnoseQueue;
  metrics: BotMetrics;
  inventory: Inventory;
}

/**
 * Builds and starts the intake. `extraReadiness`/`metrics` let `start` share one HTTP server and
 * one registry with its in-process worker.
 */
export async function startServe(
  config: BotConfig,
  logger: Logger,
  opts: { metrics?: BotMetrics; extraReadiness?: RouteDeps['readiness'] } = {},
): Promise<Running & ServeParts> {
  const inventory = await loadInventory({ flagPath: config.inventoryPath, cwd: process.cwd() });
  const redis = redisConnection(config.redisUrl, 'producer', (err) =>
    logger.warn({ err: err.message }, 'redis connection error; reconnecting'),
  );
  const queue = createDiagnoseQueue(config.queueName, redis);
  const keys = actionKeys(config.queueName);
  const restartQueue = createRestartQueue(keys.queue, redis);
  const metrics = opts.metrics ?? new BotMetrics(queueCounts(queue));
  const limits = createIntakeLimits(redis, queue, config.queueName, config.limits);
  const routes = healthRoutes({
    readiness: {
      redis: async () => {
        await redis.ping();
      },
      slack: slackReadiness(() => app.client.auth.test()),
      ...opts.extraReadiness,
    },
    metrics: () => metrics.render(),
    token: config.metricsToken,
  });
  const app = createSlackApp(
    {
      botToken: config.slack.botToken,
      signingSecret: config.slack.signingSecret,
      appToken: config.slack.appToken,
      apiUrl: config.slack.apiUrl,
      port: config.port,
      routes: [
        ...routes,
        ...mountAlertRoutes(config, {
          redis,
          queue,
          inventory: () => inventory,
          client: () => app.client,
          logger,
          limits,
          onRefused: (source, reason) => metrics.intakeRefused(source, reason),
        }),
      ],
      logger,
      metrics,
    },
    {
      inventory: () => inventory,
      enqueue: (data) => enqueueDiagnosis(queue, data),
      findReport: async (jobId) => {
        const job = await queue.getJob(jobId);
        return (job?.returnvalue as TargetReport | null | undefined) ?? undefined;
      },
      allowedChannels: config.allowedChannels,
      allowedUsers: config.allowedUsers,
      logger,
      limits,
      onCommand: (outcome) => metrics.command(outcome),
      onLimited: (source, reason) => metrics.intakeRefused(source, reason),
    },
    {
      redis,
      keys,
      queue: restartQueue,
      inventory: () => loadInventory({ flagPath: config.inventoryPath, cwd: process.cwd() }),
      logger,
    },
  );
  const server = (await app.start(config.port)) as unknown as import('node:http').Server | undefined;
  // HTTP mode: requests that cannot be Slack's are refused from their headers, before Bolt reads them.
  if (server && !config.slack.appToken)
    guardSlackEvents(server, (reason) =>
      logger.warn({ reason }, 'unsigned request to /slack/events refused'),
    );
  const address = server?.address?.();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info(
    { port, socketMode: config.slack.appToken !== undefined, hosts: inventory.hosts.size },
    'serve: listening',
  );
  return {
    app,
    queue,
    metrics,
    inventory,
    port,
    close: () =>
      runCleanup(
        [
          { name: 'http listener', run: () => app.stop() },
          { name: 'diagnosis queue', run: () => queue.close() },
          { name: 'restart queue', run: () => restartQueue.close() },
          { name: 'redis', run: () => redis.disconnect() },
        ],
        logger,
      ),
  };
}
