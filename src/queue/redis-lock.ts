/**
 * The one Redis lock of the bot (restarts in actions/lock.ts, alert groups in
 * alerts/take-alert-group.ts): `SET key token NX PX ttl`, the token naming its owner, released by a
 * compare-and-delete script so that an owner whose lock expired and was taken over never frees
 * someone else's (redis.io "Distributed locks with Redis", single instance). One key per lock, so it
 * works on Redis Cluster too.
 */
import type { RedisConn } from './redis.js';

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

/** True when `token` now holds `key` (for `ttlMs`, unless released earlier). */
export async function acquireLock(
  redis: RedisConn,
  key: string,
  token: string,
  ttlMs: number,
): Promise<boolean> {
  return (await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK';
}

/** Frees `key` if `token` still holds it; false when it had expired or someone else holds it. */
export async function releaseLock(redis: RedisConn, key: string, token: string): Promise<boolean> {
  return (await redis.eval(RELEASE, 1, key, token)) === 1;
}

export interface WaitForLock {
  ttlMs: number;
  /** How long to wait for the holder to finish before giving up. */
  waitMs: number;
  /** The error's message when the wait is over: says what is still holding the lock. */
  busy: string;
  pollMs?: number;
}

/** Runs `fn` holding `key`, waiting (polling) while someone else holds it; always gives it back. */
export async function withLock<T>(
  redis: RedisConn,
  key: string,
  token: string,
  wait: WaitForLock,
  fn: () => Promise<T>,
): Promise<T> {
  const giveUpAt = Date.now() + wait.waitMs;
  while (!(await acquireLock(redis, key, token, wait.ttlMs))) {
    if (Date.now() > giveUpAt) throw new Error(wait.busy);
    await new Promise((resolve) => setTimeout(resolve, wait.pollMs ?? 25));
  }
  try {
    return await fn();
  } finally {
    // A release that fails (Redis gone) must not hide fn's own outcome; the lock then expires by itself.
    await releaseLock(redis, key, token).catch(() => false);
  }
}
