import { Redis } from 'ioredis';
import { parseRedisTarget } from '../config/redis-target.js';

/**
 * One ioredis connection per role. Workers block on Redis and must never give up on a command
 * (BullMQ requires `maxRetriesPerRequest: null`); the producer side fails fast instead, so that a
 * slash command answers "Redis is down" within Slack's 3 s rather than hanging.
 */
export function redisConnection(
  url: string,
  role: 'worker' | 'producer',
  onError: (err: Error) => void = () => {},
): Redis {
  const options = {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    connectionName: `diagnose502-${role}`,
  };
  const target = parseRedisTarget(url);
  const redis =
    target.kind === 'url' ? new Redis(target.url, options) : new Redis({ ...target.options, ...options });
  // ioredis reconnects by itself; without a listener it prints "Unhandled error event" on every retry.
  // The outage still shows where it matters: /readyz, and the answers of the commands that need Redis.
  redis.on('error', onError);
  return redis;
}
