/**
 * Wires the alert webhooks for `serve`: the routes, the intake on serve's producer connection and
 * queue, and Slack through the outbox's thread poster (a client taken lazily: the app is built after
 * its routes).
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { BotConfig } from '../config/load-bot-config.js';
import type { Outbox } from '../delivery/outbox.js';
import type { Inventory } from '../inventory/types.js';
import type { DiagnoseQueue } from '../queue/create-queue.js';
import { enqueueDiagnosis } from '../queue/producer.js';
import type { RedisConn } from '../queue/redis.js';
import { outboxThreadPoster } from '../slack/outbox-thread-poster.js';
import { type AlertRoute, alertRoutes } from './alert-routes.js';
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
  },
): AlertRoute[] {
  if (!config.alerts) return [];
  const logger = deps.logger.child({ intake: 'alerts' });
  const alerts = config.alerts;
  return alertRoutes({
    config: alerts,
    logger,
    take: (group) =>
      takeAlertGroup(
        {
          redis: deps.redis,
          keyPrefix: config.queueName,
          inventory: deps.inventory,
          defaultChannel: alerts.channel,
          enqueue: (data, dedup) => enqueueDiagnosis(deps.queue, data, undefined, dedup),
          logger,
          slack: outboxThreadPoster(deps.client, deps.outbox, logger),
        },
        group,
      ),
  });
}
