/**
 * The Watch and Stop buttons' protocol (serve's side; slack/register-watch.ts only adapts Slack's
 * payload): the host must be in the inventory; a host already watched is joined (no second loop, no
 * limit spent); a new watch is bounded by the person's intake limits, stored, and its first tick queued.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Inventory } from '../inventory/types.js';
import type { Admission, IntakeLimits } from '../queue/intake-limits.js';
import type { RedisConn } from '../queue/redis.js';
import { isOverdue } from './watch-decide.js';
import type { WatchKeys } from './watch-keys.js';
import { tickJobId, WATCH_TICK, type WatchQueue } from './watch-queue.js';
import type { WatchState } from './watch-state.js';
import { claimWatch, endWatch, joinWatch, loadWatch, requestStop, watchersOf } from './watch-store.js';

export interface WatchSettings {
  durationMs: number;
  tickMs: number;
  cleanTicks: number;
}

export interface WatchClickDeps {
  redis: RedisConn;
  keys: WatchKeys;
  queue: WatchQueue;
  inventory(): Inventory | Promise<Inventory>;
  limits?: IntakeLimits;
  settings: WatchSettings;
  logger: Logger;
  now?: () => number;
}

export type WatchAnswer =
  | { kind: 'started'; state: WatchState }
  | { kind: 'joined'; state: WatchState; watchers: string[] }
  | { kind: 'limited'; refusal: Extract<Admission, { ok: false }> }
  | { kind: 'refused'; why: string };

export interface WatchClick {
  userId: string;
  channelId: string;
  /** The report's message: the watch's line is a reply in its thread. */
  threadTs: string;
  host: string;
}

export async function takeWatchClick(deps: WatchClickDeps, click: WatchClick): Promise<WatchAnswer> {
  const now = deps.now?.() ?? Date.now();
  const inventory = await deps.inventory();
  if (!inventory.hosts.has(click.host))
    return { kind: 'refused', why: `${click.host} is not in the inventory.` };
  const join = async (state: WatchState): Promise<WatchAnswer> => {
    await joinWatch(deps.redis, deps.keys, state, click.userId, now);
    return { kind: 'joined', state, watchers: await watchersOf(deps.redis, deps.keys, state) };
  };
  const running = await loadWatch(deps.redis, deps.keys, click.host);
  if (running?.status === 'active' && !isOverdue(running, now)) return join(running);
  // A watch that stopped reading (its ticks failed) is ended, and this click starts a new one.
  if (running) await endWatch(deps.redis, deps.keys, running);
  // A new watch reads the host every tick: it counts as one request of the person (and channel).
  const admission = await deps.limits?.admitPerson(
    { userId: click.userId, channelId: click.channelId },
    `watch:${click.host}`,
  );
  if (admission && !admission.ok) return { kind: 'limited', refusal: admission };
  const state: WatchState = {
    v: 1,
    id: randomBytes(8).toString('hex'),
    host: click.host,
    startedBy: click.userId,
    startedAt: now,
    endsAt: now + deps.settings.durationMs,
    channel: click.channelId,
    threadTs: click.threadTs,
    intervalMs: deps.settings.tickMs,
    cleanNeeded: deps.settings.cleanTicks,
    tick: 0,
    samples: [],
    cleanStreak: 0,
    status: 'active',
    notices: [],
    posted: 0,
  };
  const claim = await claimWatch(deps.redis, deps.keys, state, now);
  if (claim.kind === 'joined')
    return {
      kind: 'joined',
      state: claim.state,
      watchers: await watchersOf(deps.redis, deps.keys, claim.state),
    };
  await deps.queue.add(
    WATCH_TICK,
    { id: state.id, host: state.host, tick: 1 },
    { jobId: tickJobId(state.id, 1) },
  );
  deps.logger.info({ host: state.host, watch: state.id, user: click.userId }, 'watch started');
  return { kind: 'started', state };
}

/** Stop: recorded once, acted on by the watch's next tick, brought forward. False when that watch is not running. */
export async function takeStopClick(
  deps: WatchClickDeps,
  click: { userId: string; host: string; id: string },
): Promise<boolean> {
  const state = await loadWatch(deps.redis, deps.keys, click.host);
  if (!state || state.id !== click.id || state.status !== 'active') return false;
  if (await requestStop(deps.redis, deps.keys, state, click.userId, deps.now?.() ?? Date.now())) {
    // The next tick, waiting for its time, runs now and stops the watch (a running one reads the key too).
    const next = await deps.queue.getJob(tickJobId(state.id, state.tick + 1));
    if (next && (await next.isDelayed())) await next.promote().catch(() => {});
    deps.logger.info({ host: state.host, watch: state.id, user: click.userId }, 'watch stop asked');
  }
  return true;
}
