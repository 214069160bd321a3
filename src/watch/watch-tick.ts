/**
 * The tick processor of Watch: a tick reads the host (read-host.ts), stores what it decided
 * (watch-decide.ts) with a compare-and-set, then brings Slack in line with the stored state (the line
 * edited in place, the notices not yet posted), then adds the next tick. Every step after the read is
 * driven by the stored state, so a tick run again after a crash reads nothing twice and edits the same
 * line. The ticks of a watch are one chain of jobs (BullMQ runs each job once at a time), so nothing
 * else writes the state; Stop is a key the tick reads before and after its reading.
 */
import { type Job, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import type { Connect } from '../pipeline/diagnose-host.js';
import type { ProbeHost } from '../probes/types.js';
import type { MessageRef } from '../queue/job-data.js';
import type { RedisConn } from '../queue/redis.js';
import type { SlackMessage } from '../report/block-kit-types.js';
import { renderWatch, renderWatchNotice } from '../report/block-kit-watch.js';
import { readHost } from './read-host.js';
import { advance, dueAt, stop } from './watch-decide.js';
import type { WatchKeys } from './watch-keys.js';
import {
  tickJobId,
  WATCH_TICK,
  type WatchJobData,
  WatchJobDataSchema,
  type WatchQueue,
} from './watch-queue.js';
import type { WatchSample, WatchState } from './watch-state.js';
import { endWatch, loadWatch, saveWatch, stopRequestedBy, watchersOf } from './watch-store.js';

/** Posting and editing in the report's thread: the worker's Slack path (through the outbox in an outage). */
export interface WatchSlack {
  post(channel: string, message: SlackMessage, threadTs?: string): Promise<MessageRef>;
  update(ref: MessageRef, message: SlackMessage): Promise<void>;
}

export interface WatchTickDeps {
  redis: RedisConn;
  keys: WatchKeys;
  queue: WatchQueue;
  /** The host from the inventory (undefined when it is no longer there) and how to reach it. */
  host(name: string): Promise<{ host: ProbeHost; connect: Connect } | undefined>;
  slack: WatchSlack;
  logger: Logger;
  now?: () => number;
}

export function createWatchProcessor(deps: WatchTickDeps) {
  const now = deps.now ?? Date.now;
  const { redis, keys } = deps;

  /** Reloads after a compare-and-set lost (another run of the same step got there first). */
  const store = async (prev: WatchState, next: WatchState): Promise<WatchState | undefined> =>
    (await saveWatch(redis, keys, prev, next)) ? next : loadWatch(redis, keys, prev.host);

  async function read(state: WatchState, signal?: AbortSignal): Promise<WatchSample> {
    const target = await deps.host(state.host);
    if (!target)
      return {
        at: now(),
        rate: null,
        checked: 0,
        failing: [],
        error: 'the host is no longer in the inventory',
      };
    return readHost(target.host, target.connect, state.intervalMs, signal, now);
  }

  /** Slack in line with the state: the watch's message (posted once), the line, the notices not yet posted. */
  async function show(state: WatchState, log: Logger): Promise<WatchState | undefined> {
    let s: WatchState | undefined = state;
    const watchers = await watchersOf(redis, keys, state);
    if (!s.messageTs) {
      const ref = await deps.slack.post(s.channel, renderWatch(s, watchers), s.threadTs);
      s = await store(s, { ...s, messageTs: ref.ts });
      if (!s) return undefined;
    } else {
      try {
        await deps.slack.update({ channel: s.channel, ts: s.messageTs }, renderWatch(s, watchers));
      } catch (err) {
        // The line is only the latest state: the next tick's edit carries it all again.
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'watch line not edited');
      }
    }
    while (s && s.posted < s.notices.length) {
      const notice = s.notices[s.posted];
      if (!notice) break;
      await deps.slack.post(s.channel, renderWatchNotice(s, notice, watchers), s.threadTs);
      s = await store(s, { ...s, posted: s.posted + 1 });
    }
    return s;
  }

  async function run(data: WatchJobData, signal?: AbortSignal): Promise<string> {
    const log = deps.logger.child({ watch: data.id, host: data.host, tick: data.tick });
    let state = await loadWatch(redis, keys, data.host);
    if (!state || state.id !== data.id) return 'gone';
    if (state.status === 'active' && state.tick < data.tick) {
      // The message first: people see at once that the watch started.
      if (!state.messageTs) state = await show(state, log);
      if (!state) return 'gone';
      // Stop, asked before the reading or while it ran, wins over what it read.
      const before = await stopRequestedBy(redis, keys, state.id);
      const sample = before ? undefined : await read(state, signal);
      const stopBy = before ?? (await stopRequestedBy(redis, keys, state.id));
      const next = stopBy || !sample ? stop(state, stopBy ?? 'someone') : advance(state, sample);
      state = await store(state, next);
      if (!state) return 'gone';
      log.info({ rate: state.samples.at(-1)?.rate, status: state.status }, 'watch tick');
    }
    state = await show(state, log);
    if (!state) return 'gone';
    if (state.status !== 'active') {
      await endWatch(redis, keys, state);
      return state.status;
    }
    const n = state.tick + 1;
    await deps.queue.add(
      WATCH_TICK,
      { id: state.id, host: state.host, tick: n },
      { jobId: tickJobId(state.id, n), delay: Math.max(0, dueAt(state, n) - now()) },
    );
    return `tick ${state.tick}`;
  }

  return async (job: Job<WatchJobData>, _token?: string, signal?: AbortSignal): Promise<string> => {
    const parsed = WatchJobDataSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`watch job data not understood: ${parsed.error.message}`);
    return run(parsed.data, signal);
  };
}
