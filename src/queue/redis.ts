import { Cluster, Redis } from 'ioredis';
import { parseRedisTarget } from '../config/redis-target.js';

/** A connection the bot's queues and keys use: one server (or a Sentinel-managed one), or a Cluster. */
export type RedisConn = Redis | Cluster;

/**
 * One ioredis connection per role. Workers block on Redis and must never give up on a command
 * (BullMQ requires `maxRetriesPerRequest: null`); the producer side fails fast instead, so that a
 * slash command answers "Redis is down" within Slack's 3 s rather than hanging.
 */
export function redisConnection(
  url: string,
  role: 'worker' | 'producer',
  onError: (err: Error) => void = () => {},
): RedisConn {
  const options = {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    connectionName: `diagnose502-${role}`,
  };
  const target = parseRedisTarget(url);
  let redis: RedisConn;
  if (target.kind === 'cluster') {
    // On a Cluster the offline queue is the cluster's (commands sent before the slot map is known);
    // the per-command retry limit belongs to each node's connection.
    const { enableOfflineQueue, ...nodeOptions } = options;
    redis = new Cluster(target.nodes, {
      ...target.options,
      enableOfflineQueue,
      redisOptions: { ...target.options.redisOptions, ...nodeOptions },
    });
  } else if (target.kind === 'sentinel') {
    redis = new Redis({ ...target.options, ...options });
  } else {
    redis = new Redis(target.url, options);
  }
  // ioredis reconnects by itself; without a listener it prints "Unhandled error event" on every retry.
  // The outage still shows where it matters: /readyz, and the answers of the commands that need Redis.
  redis.on('error', onError);
  return redis;
}

/**
 * BullMQ's key prefix for a queue. BullMQ's Lua scripts touch many keys of a queue at once, which a
 * Cluster allows only within one hash slot: there the prefix is a hash tag, one per queue so that
 * queues spread over the masters. Elsewhere BullMQ's default (`bull`) is kept, so the keys of an
 * existing install do not move.
 */
export function bullPrefix(connection: RedisConn, queueName: string): string | undefined {
  return connection.isCluster ? `{d502:${queueName}}` : undefined;
}
