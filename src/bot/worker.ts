/**
 * Composition root of `diagnose502 worker`: BullMQ workers that run diagnoses and publish to Slack.
 * The queue code gets its publisher and its SSH connector from here and knows nothing of Slack.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import { actionKeys } from '../actions/keys.js';
import { offerRestarts } from '../actions/offer-restarts.js';
import { createRestartProcessor } from '../actions/restart-job.js';
import { createRestartWorker } from '../actions/restart-queue.js';
import type { BotConfig } from '../config/load-bot-config.js';
import { createDeliveryProcessor } from '../delivery/delivery-processor.js';
import { createDeliveryQueue, createDeliveryWorker, deliveryKeys } from '../delivery/delivery-queue.js';
import { Outbox } from '../delivery/outbox.js';
import { redisReportHistory } from '../history/report-history.js';
import { cachedInventory } from '../inventory/inventory-cache.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { resolveTarget } from '../inventory/resolve-target.js';
import { botInventoryOptions } from '../inventory/ssh-config-inventory.js';
import type { Connect } from '../pipeline/diagnose-host.js';
import { sshConnector } from '../pipeline/ssh-connector.js';
import { createDiagnoseQueue } from '../queue/create-queue.js';
import { createDiagnoseWorker } from '../queue/create-worker.js';
import type { DiagnoseJobData } from '../queue/job-data.js';
import { createProcessor } from '../queue/processor.js';
import { redisConnection } from '../queue/redis.js';
import type { TargetReport } from '../report/types.js';
import { healthRoutes, routeRequests } from '../slack/http-routes.js';
import { nativeChartGate } from '../slack/native-chart-gate.js';
import { outboxThreadPoster } from '../slack/outbox-thread-poster.js';
import { boltLogger } from '../slack/pino-bolt-logger.js';
import { createSlackPublisher } from '../slack/slack-publisher.js';
import { createSlackRestartReporter } from '../slack/slack-restart-reporter.js';
import { createWebClient, LIVE_RETRY } from '../slack/web-client.js';
import { startWatchTicks } from '../watch/watch-worker.js';
import { deliveryMetrics } from './delivery-metrics.js';
import { BotMetrics } from './metrics.js';
import { queueCounts, type Running, slackReadiness } from './readiness.js';
import { runCleanup } from './shutdown.js';

export interface WorkerRunOptions {
  metrics?: BotMetrics;
  /** Serve /healthz, /readyz and /metrics on config.port (off in `start`, whose Bolt app serves them). */
  http?: boolean;
  /** Tests shorten BullMQ's stalled-job check (default 30 s). */
  stalledIntervalMs?: number;
  lockDurationMs?: number;
  /** How long SIGTERM waits for running diagnoses before handing them back to the queue. */
  shutdownGraceMs?: number;
  progressIntervalMs?: number;
  /** Swaps SSH for tests; the real connector by default. */
  connect?: (hosts: Parameters<typeof sshConnector>[0]) => Connect;
}

export async function startWorker(
  config: BotConfig,
  logger: Logger,
  opts: WorkerRunOptions = {},
): Promise<Running & { worker: Worker<DiagnoseJobData, TargetReport> }> {
  // Fail at start, not at the first job, when the inventory is missing or invalid.
  const loaded = await loadInventory(botInventoryOptions(config));
  for (const note of loaded.notes ?? []) logger.warn({ note }, 'ssh config not fully honoured');
  const connection = redisConnection(config.redisUrl, 'worker', (err) =>
    logger.warn({ err: err.message }, 'redis connection error; reconnecting'),
  );
  // Queue depth is read from Redis at scrape time, through the worker's own connection.
  const queue = createDiagnoseQueue(config.queueName, connection);
  const metrics = opts.metrics ?? new BotMetrics(queueCounts(queue));
  const client = createWebClient({
    token: config.slack.botToken,
    apiUrl: config.slack.apiUrl,
    metrics,
    logger: boltLogger(logger),
  });
  const liveClient = createWebClient({
    token: config.slack.botToken,
    apiUrl: config.slack.apiUrl,
    metrics,
    logger: boltLogger(logger),
    retryConfig: LIVE_RETRY,
  });
  const keys = actionKeys(config.queueName);
  // Parsed once while its files are unchanged, not twice per job (inventory-cache.ts).
  const inventory = cachedInventory(botInventoryOptions(config));
  // The outbox (src/delivery/): what Slack did not take waits in Redis and is delivered from here.
  const delivery = deliveryKeys(config.queueName);
  const deliveryQueue = createDeliveryQueue(delivery.queue, connection);
  const outbox = new Outbox(deliveryQueue, connection, delivery);
  const outboxMetrics = deliveryMetrics(metrics.registry, outbox);
  const nativeChart = nativeChartGate(config.slack.nativeChart, connection, config.queueName, (err) =>
    logger.warn({ err: String(err) }, 'native chart: Redis did not answer'),
  );
  const history = redisReportHistory({
    redis: connection,
    queueName: config.queueName,
    retentionDays: config.history.retentionDays,
    auditStream: keys.audit,
  });
  const deliveryWorker = createDeliveryWorker(
    delivery.queue,
    createDeliveryProcessor({
      // One call per probe: the queue's own backoff paces the retries while Slack is down.
      client: createWebClient({
        token: config.slack.botToken,
        apiUrl: config.slack.apiUrl,
        metrics,
        logger: boltLogger(logger),
        retryConfig: { retries: 0 },
      }),
      outbox,
      limitMs: config.deliveryLimitMs,
      feedback: config.feedback.control,
      logger: logger.child({ outbox: true }),
      onExpired: (kind) => outboxMetrics.expired(kind),
      onDelivered: (kind, lateMs) => outboxMetrics.delivered(kind, lateMs),
      nativeChart,
      history,
    }),
    connection,
    {
      ...(opts.stalledIntervalMs ? { stalledIntervalMs: opts.stalledIntervalMs } : {}),
      ...(opts.lockDurationMs ? { lockDurationMs: opts.lockDurationMs } : {}),
    },
  );
  deliveryWorker.on('error', (err) => logger.error({ err: err.message }, 'delivery worker error'));
  const processor = createProcessor({
    publisher: createSlackPublisher({ report: client, live: liveClient }, logger, outbox, {
      offerRestarts: async (ctx, report) =>
        offerRestarts(connection, keys, await inventory(), report, ctx.jobId),
      history,
      feedback: config.feedback.control,
      nativeChart,
    }),
    resolve: async (target) => {
      const hosts = resolveTarget(await inventory(), target);
      return { hosts, connect: (opts.connect ?? sshConnector)(hosts) };
    },
    jobTimeoutMs: config.jobTimeoutMs,
    progressIntervalMs: opts.progressIntervalMs ?? 1000,
    logger,
    onOutcome: (outcome, ms, report) => metrics.outcome(outcome, ms, report),
    onStart: (waitMs) => metrics.queueWait(waitMs),
  });
  const worker = createDiagnoseWorker(config.queueName, processor, connection, {
    concurrency: config.workerConcurrency,
    ...(opts.stalledIntervalMs ? { stalledIntervalMs: opts.stalledIntervalMs } : {}),
    ...(opts.lockDurationMs ? { lockDurationMs: opts.lockDurationMs } : {}),
  });
  worker.on('failed', (job, err) => logger.warn({ jobId: job?.id, err: err.message }, 'job attempt failed'));
  // Safe restarts (src/actions/): clicked in serve, run here, where SSH is.
  const restartWorker = createRestartWorker(
    keys.queue,
    createRestartProcessor({
      redis: connection,
      keys,
      inventory,
      connect: opts.connect ?? sshConnector,
      reporter: createSlackRestartReporter(client),
      logger,
      // The policy is checked again when the job runs; a group that cannot be read grants nothing.
      membersOf: async (usergroup) =>
        (await client.usergroups.users.list({ usergroup }).catch(() => undefined))?.users ?? [],
    }),
    connection,
    {
      ...(opts.stalledIntervalMs ? { stalledIntervalMs: opts.stalledIntervalMs } : {}),
      ...(opts.lockDurationMs ? { lockDurationMs: opts.lockDurationMs } : {}),
    },
  );
  restartWorker.on('error', (err) => logger.error({ err: err.message }, 'restart worker error'));
  // Watch (src/watch/): the ticks, re-reading a host each interval and editing its line in the thread.
  const watch = startWatchTicks(config, connection, {
    inventory,
    connect: opts.connect ?? sshConnector,
    slack: outboxThreadPoster(() => client, outbox, logger),
    logger,
    ...(opts.stalledIntervalMs ? { stalledIntervalMs: opts.stalledIntervalMs } : {}),
    ...(opts.lockDurationMs ? { lockDurationMs: opts.lockDurationMs } : {}),
  });
  worker.on('error', (err) => logger.error({ err: err.message }, 'worker error'));

  let port = 0;
  let server: ReturnType<typeof createServer> | undefined;
  if (opts.http !== false) {
    const routes = healthRoutes({
      readiness: {
        redis: async () => {
          await connection.ping();
        },
        slack: slackReadiness(
          () => client.auth.test(),
          30_000,
          () => outbox.slackDownSince(),
        ),
      },
      metrics: () => metrics.render(),
      token: config.metricsToken,
    });
    server = createServer(routeRequests(routes));
    await new Promise<void>((resolve) => server?.listen(config.port, resolve));
    port = (server.address() as AddressInfo).port;
  }
  logger.info({ concurrency: config.workerConcurrency, port }, 'worker: taking jobs');

  const grace = opts.shutdownGraceMs ?? config.jobTimeoutMs + 5000;
  return {
    worker,
    port,
    close: async () => {
      // Stop taking jobs and let running ones finish; past the grace period cancel them, which
      // hands them back to the queue as a failed attempt that another worker retries.
      const timer = setTimeout(() => worker.cancelAllJobs('worker shutting down'), grace);
      try {
        await runCleanup(
          [
            { name: 'diagnosis worker', run: () => worker.close() },
            { name: 'restart worker', run: () => restartWorker.close() },
            { name: 'watch worker', run: () => watch.close() },
            // After the diagnoses: a report they kept in the outbox is in Redis, for any worker to deliver.
            { name: 'delivery worker', run: () => deliveryWorker.close() },
            { name: 'delivery queue', run: () => deliveryQueue.close() },
            {
              name: 'http listener',
              run: () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
            },
            { name: 'diagnosis queue', run: () => queue.close() },
            { name: 'redis', run: () => connection.disconnect() },
          ],
          logger,
        );
      } finally {
        clearTimeout(timer);
      }
      logger.info('worker: stopped');
    },
  };
}
