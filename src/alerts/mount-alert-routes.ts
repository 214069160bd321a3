/**
 * Wires the alert webhooks for `serve`: the routes, the intake on serve's producer connection and
 * queue (under the queue-wide cap), and Slack through the outbox's thread poster (a client taken
 * lazily: the app is built after its routes).
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { BotConfig } from '../config/load-bot-config.js';
import type { Outbox } from '../delivery/outbox.js';
import type { Inventory } from '../inventory/types.js';
import type { DiagnoseQueue } from '../queue/create-queue.js';
import { type IntakeLimits, QueueFullError, type RefusalReason } from '../queue/intake-limits.js';
import { enqueueDiagnosis } from '../queue/producer.js';
import type { RedisConn } from '../queue/redis.js';
import { outboxThreadPoster } from '../slack/outbox-thread-poster.js';
import { type AlertRoute, alertRoutes } from './alert-routes.js';
import type { AlertSource } from './payloads.js';
import { takeAlertGroup } from './take-alert-group.js';

export function mountAlertRoutes(
  config: BotConfig,
  deps: {
    redis: RedisConn;
    queue: DiagnoseQueue;
    inventory: () => Inventory;
    client: () => WebClient;
    /** Where the thread's messages wait while Slack does not answer. */
    outbox: Outbox;
    logger: Logger;
    /** The queue-wide cap, shared with the slash command. */
    limits: IntakeLimits;
    onRefused?(source: AlertSource, reason: RefusalReason): void;
  },
): AlertRoute[] {
  if (!config.alerts) return [];
  const logger = deps.logger.child({ intake: 'alerts' });
  const alerts = config.alerts;
  return alertRoutes({
    config: alerts,
    logger,
    ...(deps.onRefused ? { onRefused: deps.onRefused } : {}),
    take: (group) =>
      takeAlertGroup(
        {
          redis: deps.redis,
          keyPrefix: config.queueName,
          inventory: deps.inventory,
          defaultChannel: alerts.channel,
          enqueue: async (data, dedup) => {
            const admission = await deps.limits.admitQueued(dedup.id);
            // The route answers 503 + Retry-After; the sender's retry takes the rest (all idempotent).
            if (!admission.ok) throw new QueueFullError(admission);
            return enqueueDiagnosis(deps.queue, data, undefined, dedup);
          },
          logger,
          slack: outboxThreadPoster(deps.client, deps.outbox, logger),
        },
        group,
      ),
  });
}
