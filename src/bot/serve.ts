/**
 * Composition root of `diagnose502 serve`: the Bolt app (intake), the producer side of the queue,
 * health and metrics. Holds nothing a second replica would need: jobs and reports live in Redis.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import { actionKeys } from '../actions/keys.js';
import { createRestartQueue } from '../actions/restart-queue.js';
import { mountAlertRoutes } from '../alerts/mount-alert-routes.js';
import type { BotConfig } from '../config/load-bot-config.js';
import { createDeliveryQueue, deliveryKeys } from '../delivery/delivery-queue.js';
import { Outbox } from '../delivery/outbox.js';
import { feedbackSlackDeps } from '../feedback/wire-feedback.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { botInventoryOptions } from '../inventory/ssh-config-inventory.js';
import type { Inventory } from '../inventory/types.js';
import { createDiagnoseQueue, type DiagnoseQueue } from '../queue/create-queue.js';
import { createIntakeLimits } from '../queue/intake-limits.js';
import { enqueueDiagnosis } from '../queue/producer.js';
import { redisConnection } from '../queue/redis.js';
import type { TargetReport } from '../report/types.js';
import { createSlackApp } from '../slack/create-app.js';
import { healthRoutes, type RouteDeps } from '../slack/http-routes.js';
import { boltLogger } from '../slack/pino-bolt-logger.js';
import { registerFeedback } from '../slack/register-feedback.js';
import { registerWatch } from '../slack/register-watch.js';
import { guardSlackEvents } from '../slack/slack-events-guard.js';
import { createWebClient, LIVE_RETRY } from '../slack/web-client.js';
import { watchKeys } from '../watch/watch-keys.js';
import { createWatchQueue } from '../watch/watch-queue.js';
import { deliveryMetrics } from './delivery-metrics.js';
import { feedbackMetrics } from './feedback-metrics.js';
import { BotMetrics } from './metrics.js';
import { queueCounts, type Running, slackReadiness } from './readiness.js';
import { runCleanup } from './shutdown.js';

/** How long a click on a report whose job is still finishing waits for it: 40 x 250 ms. */
const REPORT_WAIT_TRIES = 40;
const REPORT_WAIT_STEP_MS = 250;

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
  const inventory = await loadInventory(botInventoryOptions(config));
  const redis = redisConnection(config.redisUrl, 'producer', (err) =>
    logger.warn({ err: err.message }, 'redis connection error; reconnecting'),
  );
  const queue = createDiagnoseQueue(config.queueName, redis);
  const keys = actionKeys(config.queueName);
  const restartQueue = createRestartQueue(keys.queue, redis);
  const delivery = deliveryKeys(config.queueName);
  const deliveryQueue = createDeliveryQueue(delivery.queue, redis);
  const outbox = new Outbox(deliveryQueue, redis, delivery);
  const metrics = opts.metrics ?? new BotMetrics(queueCounts(queue));
  deliveryMetrics(metrics.registry, outbox);
  // The alert thread's messages fail fast when Slack does not answer (and go to the outbox): the
  // sender's notification is answered within its deadline instead of after WebClient's retries.
  const alertClient = createWebClient({
    token: config.slack.botToken,
    apiUrl: config.slack.apiUrl,
    metrics,
    logger: boltLogger(logger),
    retryConfig: LIVE_RETRY,
  });
  const watch = watchKeys(config.queueName);
  const watchQueue = createWatchQueue(watch.queue, redis);
  // A report's buttons appear before its job has finished (the evidence file and the permalink
  // come after the message): a click in that moment waits for the job rather than call it expired.
  const findReport = async (jobId: string) => {
    for (let tries = 0; ; tries++) {
      const job = await queue.getJob(jobId);
      const report = (job?.returnvalue as TargetReport | null | undefined) ?? undefined;
      if (report || !job || tries >= REPORT_WAIT_TRIES) return report;
      // Still running, or it completed after it was read: read it again.
      const state = await job.getState();
      if (!['active', 'waiting', 'delayed', 'completed'].includes(state)) return undefined;
      await sleep(REPORT_WAIT_STEP_MS);
    }
  };
  const limits = createIntakeLimits(redis, queue, config.queueName, config.limits);
  const routes = healthRoutes({
    readiness: {
      redis: async () => {
        await redis.ping();
      },
      slack: slackReadiness(
        () => app.client.auth.test(),
        30_000,
        () => outbox.slackDownSince(),
      ),
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
          client: () => alertClient,
          outbox,
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
      findReport,
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
      inventory: () => loadInventory(botInventoryOptions(config)),
      logger,
    },
    {
      redis,
      queueName: config.queueName,
      retentionDays: config.history.retentionDays,
      inventory: () => inventory,
      logger,
    },
  );
  // Watch (issue 20): its buttons' listeners; the ticks run in the workers.
  registerWatch(app, {
    redis,
    keys: watch,
    queue: watchQueue,
    inventory: () => inventory,
    limits,
    settings: config.watch,
    logger,
    allowedUsers: config.allowedUsers,
    allowedChannels: config.allowedChannels,
  });
  registerFeedback(
    app,
    feedbackSlackDeps({ redis, config, findReport, metrics: feedbackMetrics(metrics.registry), logger }),
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
          { name: 'delivery queue', run: () => deliveryQueue.close() },
          { name: 'watch queue', run: () => watchQueue.close() },
          { name: 'redis', run: () => redis.disconnect() },
        ],
        logger,
      ),
  };
}
