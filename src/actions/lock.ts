/**
 * Step 3 of the restart protocol: one restart of a service on a host at a time, across clicks,
 * channels and replicas, with the bot's one Redis lock (queue/redis-lock.ts: the token names its
 * owner, and only the owner frees it). The cooldown is a key with its own expiry; the group limit
 * is `maxPerGroup` lock slots per inventory group.
 */

import type { Inventory } from '../inventory/types.js';
import type { RedisConn } from '../queue/redis.js';
import { acquireLock, releaseLock } from '../queue/redis-lock.js';
import type { ActionKeys } from './keys.js';

/** Longer than a restart job can run (command timeout + verification), shorter than forever. */
export const LOCK_TTL_MS = 5 * 60_000;

export interface Held {
  release(): Promise<void>;
}

export type LockOutcome = { ok: true; held: Held } | { ok: false; reason: string };

/**
 * Takes, in order: the host+service lock, the cooldown check, one slot in each group the host is in.
 * Whatever was taken is given back when a later part fails.
 */
export async function lockRestart(
  redis: RedisConn,
  keys: ActionKeys,
  inventory: Inventory,
  r: { host: string; service: string },
  token: string,
  maxPerGroup: number,
): Promise<LockOutcome> {
  const taken: string[] = [];
  const giveBack = async () => {
    for (const key of taken.reverse()) await releaseLock(redis, key, token);
  };
  const lockKey = keys.lock(r.host, r.service);
  if (!(await acquireLock(redis, lockKey, token, LOCK_TTL_MS))) {
    return { ok: false, reason: `another restart of ${r.service} on ${r.host} is running` };
  }
  taken.push(lockKey);
  const cooldownLeft = await redis.pttl(keys.cooldown(r.host, r.service));
  if (cooldownLeft > 0) {
    await giveBack();
    return {
      ok: false,
      reason: `${r.service} on ${r.host} was restarted recently; the cooldown ends in ${Math.ceil(cooldownLeft / 1000)} s`,
    };
  }
  for (const [group, members] of inventory.groups) {
    if (!members.includes(r.host)) continue;
    let slot = -1;
    for (let i = 0; i < maxPerGroup && slot < 0; i++) {
      if (await acquireLock(redis, keys.groupSlot(group, i), token, LOCK_TTL_MS)) slot = i;
    }
    if (slot < 0) {
      await giveBack();
      return {
        ok: false,
        reason: `${maxPerGroup} host(s) of group ${group} are already restarting (maxPerGroup)`,
      };
    }
    taken.push(keys.groupSlot(group, slot));
  }
  return { ok: true, held: { release: giveBack } };
}

/** Starts the cooldown: set before the command runs, so a crash mid-restart still counts. */
export async function startCooldown(
  redis: RedisConn,
  keys: ActionKeys,
  host: string,
  service: string,
  ms: number,
) {
  await redis.set(keys.cooldown(host, service), String(Date.now()), 'PX', ms);
}
