/**
 * One webhook notification to diagnoses: hosts from labels, a thread per alert group and channel,
 * one diagnosis job per host per dedup window (BullMQ deduplication with a TTL, atomic with the add),
 * hosts not in the inventory noted once. Every piece of state is in Redis, so a restarted or second
 * `serve` continues the same threads. Throws when Redis or Slack fails: the route answers 503 and
 * the sender retries, which is safe because every step here is idempotent.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type AlertSettings, alertSettings } from '../inventory/alerts-section.js';
import type { Inventory } from '../inventory/types.js';
import type { DiagnoseJobData, MessageRef } from '../queue/job-data.js';
import type { Enqueued } from '../queue/producer.js';
import type { RedisConn } from '../queue/redis.js';
import { withLock } from '../queue/redis-lock.js';
import { renderAlertGroup, renderUnknownHosts } from '../report/block-kit-alert.js';
import type { SlackMessage } from '../report/block-kit-types.js';
import { freshAlerts } from './fresh-alerts.js';
import { groupsOf, mapHost } from './map-hosts.js';
import type { AlertGroup, IncomingAlert } from './payloads.js';
import { routeChannel } from './route-channel.js';

/** Posting and updating the thread's head: Slack in production, handed in by serve's composition root. */
export interface ThreadPoster {
  post(channel: string, message: SlackMessage, threadTs?: string): Promise<MessageRef>;
  update(ref: MessageRef, message: SlackMessage): Promise<void>;
}

export interface AlertIntakeDeps {
  redis: RedisConn;
  /** Namespaces the keys (the queue name), so that separate bots can share one Redis. */
  keyPrefix: string;
  inventory(): Inventory;
  defaultChannel: string;
  enqueue(data: DiagnoseJobData, dedup: { id: string; ttlMs: number }): Promise<Enqueued>;
  slack: ThreadPoster;
  logger: Logger;
  now?(): number;
}

export interface IntakeResult {
  queued: number;
  deduplicated: number;
  unknown: number;
  threads: number;
}

/** Group state lives 7 days past its last notification (Alertmanager's repeat_interval is 4 h by default). */
const STATE_TTL_S = 7 * 86400;
const GROUP_LOCK = {
  ttlMs: 15_000,
  waitMs: 5000,
  busy: 'another notification of this alert group is still being taken',
};
const FIRING_ZERO = '0001-01-01T00:00:00Z';

interface Bucket {
  channel: string;
  firing: Map<string, IncomingAlert>;
  resolved: IncomingAlert[];
  unknown: Set<string>;
}

/** The diagnosis window: from a minute before the alert started (at least 1 min, at most 1 day). */
export function windowFor(startsAt: string, nowMs: number): number {
  const started = Date.parse(startsAt);
  if (!Number.isFinite(started)) return 900;
  return Math.min(86_400, Math.max(60, Math.ceil((nowMs - started) / 1000) + 60));
}

function bucketsOf(group: AlertGroup, inventory: Inventory, settings: AlertSettings, fallback: string) {
  const buckets = new Map<string, Bucket>();
  const bucket = (channel: string) => {
    let found = buckets.get(channel);
    if (!found) {
      found = { channel, firing: new Map(), resolved: [], unknown: new Set() };
      buckets.set(channel, found);
    }
    return found;
  };
  for (const alert of group.alerts) {
    const match = mapHost(inventory, alert.labels, settings.labels);
    const severity = alert.labels.severity;
    if (match.kind === 'known') {
      const target = bucket(
        routeChannel(settings.routes, groupsOf(inventory, match.host.name), severity, fallback),
      );
      if (alert.status === 'firing') target.firing.set(match.host.name, alert);
      else target.resolved.push(alert);
    } else {
      const target = bucket(routeChannel(settings.routes, [], severity, fallback));
      if (match.kind === 'unknown') target.unknown.add(match.value);
      if (alert.status === 'resolved') target.resolved.push(alert);
    }
  }
  return [...buckets.values()];
}

function resolvedAt(alerts: readonly IncomingAlert[], nowMs: number): string {
  const ends = alerts
    .map((a) => (a.endsAt && a.endsAt !== FIRING_ZERO ? Date.parse(a.endsAt) : Number.NaN))
    .filter((n) => Number.isFinite(n));
  return new Date(ends.length > 0 ? Math.max(...ends) : nowMs).toISOString();
}

export async function takeAlertGroup(deps: AlertIntakeDeps, group: AlertGroup): Promise<IntakeResult> {
  const now = deps.now ?? Date.now;
  const inventory = deps.inventory();
  const settings = alertSettings(inventory.alerts);
  const result: IntakeResult = { queued: 0, deduplicated: 0, unknown: 0, threads: 0 };
  // An older notification (a replay, a late retry) cannot override what the group has seen since.
  const seenKey = `${deps.keyPrefix}:alerts:seen:${createHash('sha256').update(`${group.source}\n${group.groupKey}`).digest('hex').slice(0, 32)}`;
  const fresh = { ...group, alerts: await freshAlerts(deps.redis, seenKey, STATE_TTL_S, group.alerts) };
  for (const bucket of bucketsOf(fresh, inventory, settings, deps.defaultChannel)) {
    const id = createHash('sha256')
      .update(`${group.source}\n${group.groupKey}\n${bucket.channel}`)
      .digest('hex')
      .slice(0, 32);
    const stateKey = `${deps.keyPrefix}:alerts:group:${id}`;
    // One notification of a group at a time: Alertmanager may deliver a retry while the next one arrives.
    await withLock(deps.redis, `${stateKey}:lock`, randomUUID(), GROUP_LOCK, () =>
      takeBucket(deps, settings, group, bucket, stateKey, now, result),
    );
  }
  return result;
}

async function takeBucket(
  deps: AlertIntakeDeps,
  settings: AlertSettings,
  group: AlertGroup,
  bucket: Bucket,
  stateKey: string,
  now: () => number,
  result: IntakeResult,
): Promise<void> {
  const redis = deps.redis;
  const setKeys = {
    diagnosed: `${stateKey}:diagnosed`,
    recent: `${stateKey}:recent`,
    unknown: `${stateKey}:unknown`,
  };
  const state = await redis.hgetall(stateKey);
  const firing = bucket.firing.size > 0 || (bucket.unknown.size > 0 && bucket.resolved.length === 0);
  let ref: MessageRef | undefined =
    state.ts && state.channel ? { channel: state.channel, ts: state.ts } : undefined;
  let changed = false;
  if (!ref) {
    // A resolved notification for a group never seen firing (state expired, or sent before intake
    // was on) has no thread to update: nothing to say.
    if (!firing) return;
    ref = await deps.slack.post(
      bucket.channel,
      renderAlertGroup({
        source: group.source,
        title: group.title,
        status: 'firing',
        diagnosed: [],
        recent: [],
        unknown: 0,
        dedupWindowS: settings.dedupWindowS,
      }),
    );
    await redis.hset(stateKey, {
      source: group.source,
      title: group.title,
      channel: ref.channel,
      ts: ref.ts,
      status: 'firing',
      version: 1,
      rendered: 1,
    });
    result.threads++;
  }

  for (const [host, alert] of bucket.firing) {
    const enqueued = await deps.enqueue(
      {
        target: host,
        sinceS: windowFor(alert.startsAt, now()),
        requestedBy: { userId: `${group.source === 'grafana' ? 'Grafana' : 'Alertmanager'}: ${group.title}` },
        channelId: ref.channel,
        thread: ref,
      },
      { id: `alert:${host.toLowerCase()}`, ttlMs: settings.dedupWindowS * 1000 },
    );
    const inThisThread =
      enqueued.running.thread?.ts === ref.ts && enqueued.running.thread.channel === ref.channel;
    if (!enqueued.joined || inThisThread) {
      if ((await redis.sadd(setKeys.diagnosed, host)) === 1) changed = true;
      if (!enqueued.joined) result.queued++;
      else result.deduplicated++;
    } else {
      result.deduplicated++;
      if (
        (await redis.sismember(setKeys.diagnosed, host)) === 0 &&
        (await redis.sadd(setKeys.recent, host)) === 1
      )
        changed = true;
    }
  }

  if (bucket.unknown.size > 0) {
    const fresh: string[] = [];
    for (const value of bucket.unknown)
      if ((await redis.sadd(setKeys.unknown, value)) === 1) fresh.push(value);
    result.unknown += fresh.length;
    if (fresh.length > 0) {
      changed = true;
      try {
        await deps.slack.post(ref.channel, renderUnknownHosts(fresh), ref.ts);
      } catch (err) {
        // Said once: forget them, so that the retry of this notification says it.
        await redis.srem(setKeys.unknown, ...fresh);
        throw err;
      }
    }
  }

  const status = firing ? 'firing' : 'resolved';
  if (status !== state.status && (state.status !== undefined || status === 'resolved')) {
    await redis.hset(
      stateKey,
      status === 'resolved' ? { status, resolvedAt: resolvedAt(bucket.resolved, now()) } : { status },
    );
    if (status === 'firing') await redis.hdel(stateKey, 'resolvedAt');
    changed = true;
  }
  const version = changed
    ? await redis.hincrby(stateKey, 'version', 1)
    : Number((await redis.hget(stateKey, 'version')) ?? 0);
  for (const key of [stateKey, setKeys.diagnosed, setKeys.recent, setKeys.unknown])
    await redis.expire(key, STATE_TTL_S);
  // A failed update earlier (Slack down) left rendered < version: this notification repairs it.
  if (Number((await redis.hget(stateKey, 'rendered')) ?? 0) >= version) return;
  const stored = await redis.hgetall(stateKey);
  await deps.slack.update(
    ref,
    renderAlertGroup({
      source: group.source,
      title: stored.title ?? group.title,
      status: stored.status === 'resolved' ? 'resolved' : 'firing',
      ...(stored.resolvedAt ? { resolvedAt: stored.resolvedAt } : {}),
      diagnosed: await redis.smembers(setKeys.diagnosed),
      recent: await redis.smembers(setKeys.recent),
      unknown: await redis.scard(setKeys.unknown),
      dedupWindowS: settings.dedupWindowS,
    }),
  );
  await redis.hset(stateKey, 'rendered', version);
}
