/**
 * Watch's decisions, pure: is a tick clean, did it get worse, is the host back, is the time up. The
 * tick processor (watch-tick.ts) reads the host and stores what `advance` returns.
 */
import type { WatchNotice, WatchSample, WatchState } from './watch-state.js';

/** Samples kept in the state (the line shows the last few). */
export const MAX_SAMPLES = 120;

/**
 * A rise counts as "worse" only past noise: at least MIN_RISE more per interval and half as many again
 * (12 → 17 is not worse, 12 → 18 is; 0 → 4 is not, 0 → 5 is).
 */
export const MIN_RISE = 5;
export const RISE_FACTOR = 1.5;

/** Clean: the host was read, the access log shows no 502/504 in the interval, and every upstream answers. */
export function isClean(s: WatchSample): boolean {
  return s.error === undefined && s.unchecked === undefined && s.rate === 0 && s.failing.length === 0;
}

/** Why this tick is worse than the one before, or undefined. A tick that could not read the host is neither. */
export function worseThan(
  prev: WatchSample | undefined,
  s: WatchSample,
): Omit<Extract<WatchNotice, { kind: 'worse' }>, 'tick' | 'kind'> | undefined {
  if (!prev || prev.error !== undefined || s.error !== undefined) return undefined;
  const rose =
    prev.rate !== null &&
    s.rate !== null &&
    s.rate >= Math.max(prev.rate + MIN_RISE, prev.rate * RISE_FACTOR);
  const newlyFailing = s.failing.filter((t) => !prev.failing.includes(t));
  if (!rose && newlyFailing.length === 0) return undefined;
  return {
    ...(rose && prev.rate !== null && s.rate !== null ? { rate: { from: prev.rate, to: s.rate } } : {}),
    ...(newlyFailing.length > 0 ? { upstreams: newlyFailing } : {}),
  };
}

/** Ticks of a watch: one when it starts, then one per interval until its time is up. */
export function maxTicks(state: Pick<WatchState, 'startedAt' | 'endsAt' | 'intervalMs'>): number {
  return Math.max(1, Math.floor((state.endsAt - state.startedAt) / state.intervalMs) + 1);
}

/**
 * The state after tick `state.tick + 1` read `sample`: the sample kept, the clean streak, a "worse"
 * notice, and the end (back after `cleanNeeded` clean ticks in a row; ended when the ticks are used up).
 */
export function advance(state: WatchState, sample: WatchSample): WatchState {
  const tick = state.tick + 1;
  const cleanStreak = isClean(sample) ? state.cleanStreak + 1 : 0;
  const notices: WatchNotice[] = [...state.notices];
  const worse = worseThan(state.samples.at(-1), sample);
  if (worse) notices.push({ kind: 'worse', tick, ...worse });
  let status = state.status;
  if (cleanStreak >= state.cleanNeeded) {
    status = 'back';
    notices.push({ kind: 'back', tick, cleanTicks: cleanStreak });
  } else if (tick >= maxTicks(state) || sample.at >= state.endsAt) {
    status = 'ended';
    notices.push({ kind: 'ended', tick });
  }
  return {
    ...state,
    tick,
    samples: [...state.samples, sample].slice(-MAX_SAMPLES),
    cleanStreak,
    status,
    notices,
  };
}

/** Stopped by a person: no more ticks, no notice (the line says who stopped it). */
export function stop(state: WatchState, by: string): WatchState {
  return { ...state, status: 'stopped', stoppedBy: by };
}

/**
 * When tick `n` (1-based) is due: the first at once, then one per interval from the start, and never
 * sooner than an interval after the last reading (after a pause, say no worker ran, the readings do not
 * catch up back to back: each counts the 502/504 of its own interval).
 */
export function dueAt(state: Pick<WatchState, 'startedAt' | 'intervalMs' | 'samples'>, n: number): number {
  const last = state.samples.at(-1)?.at;
  return Math.max(
    state.startedAt + (n - 1) * state.intervalMs,
    last === undefined ? 0 : last + state.intervalMs,
  );
}

/** How late a tick may be (a busy worker, a restart) before the watch counts as dead. */
export const OVERDUE_GRACE_MS = 60_000;

/**
 * A watch whose next reading is long past due: its chain of ticks broke (every attempt of a tick
 * failed). A new click takes the host over instead of joining a watch that no longer reads anything.
 */
export function isOverdue(state: WatchState, now: number): boolean {
  return now > dueAt(state, state.tick + 1) + 2 * state.intervalMs + OVERDUE_GRACE_MS;
}
