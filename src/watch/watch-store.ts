/**
 * Watch's state in Redis (issue 20): the host's one watch as a JSON document under a key taken with
 * SET NX (a second click finds it and joins), the hosts under watch in a sorted set by end time (what
 * App Home lists), the watchers in a set, the Stop request in a key of its own. The state is written
 * only by the tick processor, through a compare-and-set on (id, tick, posted), so a tick run again
 * after a crash (or by a second worker) never counts twice.
 */
import type { RedisConn } from '../queue/redis.js';
import { type WatchKeys, watchKeys } from './watch-keys.js';
import { type ActiveWatch, toActiveWatch, type WatchState, WatchStateSchema } from './watch-state.js';

/** A watch's keys outlive its end by this much, so that a late tick still finds it (then expire). */
const LINGER_MS = 10 * 60_000;

const ttlOf = (state: WatchState, now: number) => Math.max(1000, state.endsAt - now + LINGER_MS);

function parseState(raw: string | null): WatchState | undefined {
  if (raw === null) return undefined;
  try {
    const parsed = WatchStateSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export type Claim = { kind: 'started'; state: WatchState } | { kind: 'joined'; state: WatchState };

/**
 * Starts `state` as the host's watch, or joins the one already running (the user is added to its
 * watchers; no second loop). A key that holds no readable watch (written by something else) is taken over.
 */
export async function claimWatch(
  redis: RedisConn,
  keys: WatchKeys,
  state: WatchState,
  now = Date.now(),
): Promise<Claim> {
  const key = keys.host(state.host);
  for (let attempt = 0; attempt < 3; attempt++) {
    if ((await redis.set(key, JSON.stringify(state), 'PX', ttlOf(state, now), 'NX')) === 'OK') {
      await redis.zadd(keys.active, state.endsAt, state.host);
      await addWatcher(redis, keys, state, state.startedBy, now);
      return { kind: 'started', state };
    }
    const existing = parseState(await redis.get(key));
    if (existing && existing.status === 'active') {
      await addWatcher(redis, keys, existing, state.startedBy, now);
      return { kind: 'joined', state: existing };
    }
    // Gone meanwhile, unreadable, or a finished watch not yet cleared: free it and try again.
    await redis.eval(DEL_IF_SAME, 1, key, JSON.stringify(existing ?? null));
  }
  throw new Error(`could not take the watch of ${state.host}: its key keeps changing`);
}

// Deletes the key only when it still holds what was read (or nothing readable was read: "null").
const DEL_IF_SAME = `local v = redis.call("get", KEYS[1])
if v == false then return 0 end
if ARGV[1] == "null" then
  local ok, doc = pcall(cjson.decode, v)
  if ok and type(doc) == "table" and doc.status == "active" then return 0 end
  return redis.call("del", KEYS[1])
end
local ok, doc = pcall(cjson.decode, v)
local want = cjson.decode(ARGV[1])
if ok and type(doc) == "table" and doc.id == want.id and doc.status ~= "active" then return redis.call("del", KEYS[1]) end
return 0`;

/** Adds `user` to a running watch's watchers (a second click: no second loop). */
export async function joinWatch(
  redis: RedisConn,
  keys: WatchKeys,
  state: WatchState,
  user: string,
  now = Date.now(),
): Promise<void> {
  await addWatcher(redis, keys, state, user, now);
}

async function addWatcher(redis: RedisConn, keys: WatchKeys, state: WatchState, user: string, now: number) {
  await redis.sadd(keys.watchers(state.id), user);
  await redis.pexpire(keys.watchers(state.id), ttlOf(state, now));
}

/** Everyone watching, the starter first. */
export async function watchersOf(redis: RedisConn, keys: WatchKeys, state: WatchState): Promise<string[]> {
  const members = await redis.smembers(keys.watchers(state.id));
  return [state.startedBy, ...members.filter((m) => m !== state.startedBy).sort()];
}

export async function loadWatch(
  redis: RedisConn,
  keys: WatchKeys,
  host: string,
): Promise<WatchState | undefined> {
  return parseState(await redis.get(keys.host(host)));
}

// Writes ARGV[1] only when the stored watch is the same watch at the same step (id, tick, posted).
const SAVE_IF_AT = `local v = redis.call("get", KEYS[1])
if v == false then return 0 end
local ok, doc = pcall(cjson.decode, v)
if not ok or type(doc) ~= "table" then return 0 end
if doc.id ~= ARGV[2] or doc.tick ~= tonumber(ARGV[3]) or doc.posted ~= tonumber(ARGV[4]) then return 0 end
redis.call("set", KEYS[1], ARGV[1], "KEEPTTL")
return 1`;

/**
 * Stores `next` if the stored watch is still `prev` as far as its steps go: false when another run of
 * the same tick got there first (the caller then reads the state again and does nothing twice).
 */
export async function saveWatch(
  redis: RedisConn,
  keys: WatchKeys,
  prev: WatchState,
  next: WatchState,
): Promise<boolean> {
  const ok = await redis.eval(
    SAVE_IF_AT,
    1,
    keys.host(prev.host),
    JSON.stringify(next),
    prev.id,
    String(prev.tick),
    String(prev.posted),
  );
  return ok === 1;
}

/** The Stop button: recorded once (the first presser); the next tick stops the watch. */
export async function requestStop(
  redis: RedisConn,
  keys: WatchKeys,
  state: WatchState,
  user: string,
  now = Date.now(),
): Promise<boolean> {
  return (await redis.set(keys.stop(state.id), user, 'PX', ttlOf(state, now), 'NX')) === 'OK';
}

export async function stopRequestedBy(
  redis: RedisConn,
  keys: WatchKeys,
  id: string,
): Promise<string | undefined> {
  return (await redis.get(keys.stop(id))) ?? undefined;
}

// Frees the host for a new watch, if this watch still holds it.
const END_IF_SAME = `local v = redis.call("get", KEYS[1])
if v == false then return 0 end
local ok, doc = pcall(cjson.decode, v)
if ok and type(doc) == "table" and doc.id == ARGV[1] then return redis.call("del", KEYS[1]) end
return 0`;

/** The watch is over: the host may be watched again, and App Home no longer lists it. */
export async function endWatch(redis: RedisConn, keys: WatchKeys, state: WatchState): Promise<void> {
  const freed = await redis.eval(END_IF_SAME, 1, keys.host(state.host), state.id);
  if (freed === 1) await redis.zrem(keys.active, state.host);
}

/**
 * The watches running now, oldest first (for App Home). Reads the hosts whose watch has not ended
 * and each one's state; entries left behind by a watch that never ended cleanly are dropped.
 */
export async function listActiveWatches(
  redis: RedisConn,
  queueName: string,
  now = Date.now(),
): Promise<ActiveWatch[]> {
  const keys = watchKeys(queueName);
  await redis.zremrangebyscore(keys.active, '-inf', now - LINGER_MS);
  const hosts = await redis.zrangebyscore(keys.active, now - LINGER_MS, '+inf');
  // One GET per host: a Cluster refuses a multi-key MGET across slots.
  const states = await Promise.all(hosts.map((h) => loadWatch(redis, keys, h)));
  return states
    .filter((s): s is WatchState => s !== undefined && s.status === 'active' && s.endsAt > now)
    .sort((a, b) => a.startedAt - b.startedAt)
    .map(toActiveWatch);
}
