/**
 * Step 3 of the restart protocol: one restart of a service on a host at a time, across clicks,
 * channels and replicas. A lock is `SET key token NX PX ttl` (the token names its owner) and is
 * released by a compare-and-delete script, so an owner whose lock expired and was taken over never
 * frees someone else's (redis.io "Distributed locks with Redis", single instance). The cooldown is a
 * key with its own expiry; the group limit is `maxPerGroup` lock slots per inventory group.
 */

import type { Inventory } from '../inventory/types.js';
import type { RedisConn } from '../queue/redis.js';
import type { ActionKeys } from './keys.js';

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

/** Longer than a restart job can run (command timeout + verification), shorter than forever. */
export const LOCK_TTL_MS = 5 * 60_000;

export async function acquire(
  redis: RedisConn,
  key: string,
  token: string,
  ttlMs = LOCK_TTL_MS,
): Promise<boolean> {
  return (await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK';
}

export async function release(redis: RedisConn, key: string, token: string): Promise<boolean> {
  return (await redis.eval(RELEASE, 1, key, token)) === 1;
}

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
    for (const key of taken.reverse()) await release(redis, key, token);
  };
  const lockKey = keys.lock(r.host, r.service);
  if (!(await acquire(redis, lockKey, token))) {
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
      if (await acquire(redis, keys.groupSlot(group, i), token)) slot = i;
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
