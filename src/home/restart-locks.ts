/**
 * The restart locks held now (actions/lock.ts: `SET NX PX` per host and service, the restart job's
 * id as the token). Read key by key for every service the inventory names (and nginx, the reload's
 * lock) rather than by SCAN: single-key reads work on a Redis Cluster, and a lock of a host no longer
 * in the inventory has no button left that could wait on it.
 */
import type { ActionKeys } from '../actions/keys.js';
import type { Inventory } from '../inventory/types.js';
import type { RedisConn } from '../queue/redis.js';

export interface HeldLock {
  host: string;
  service: string;
  /** The token: the restart job that holds it. */
  holder: string;
  /** When it frees itself if its holder never releases it (epoch ms). */
  expiresAt: number;
}

export async function heldRestartLocks(
  redis: RedisConn,
  keys: ActionKeys,
  inventory: Inventory,
  now = Date.now(),
): Promise<HeldLock[]> {
  const pairs = [...inventory.hosts.values()].flatMap((h) =>
    [...new Set([...h.services.map((s) => s.name), 'nginx'])].map((service) => ({ host: h.name, service })),
  );
  const held = await Promise.all(
    pairs.map(async (p) => {
      const key = keys.lock(p.host, p.service);
      const [holder, ttl] = await Promise.all([redis.get(key), redis.pttl(key)]);
      return holder !== null && ttl > 0 ? { ...p, holder, expiresAt: now + ttl } : undefined;
    }),
  );
  return held.filter((l): l is HeldLock => l !== undefined);
}
