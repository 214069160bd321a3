import type { WatchState } from '../../../src/watch/watch-state.js';

/**
 * A Watch just started on web-1 (ten minutes from `startedAt`, a sample a minute, three clean samples
 * in a row to end it), as the Watch tests build it; each test overrides what it is about.
 */
export function watchState(over: Partial<WatchState> = {}): WatchState {
  return {
    v: 1,
    id: '0123456789abcdef',
    host: 'web-1',
    startedBy: 'U0ALICE',
    startedAt: 0,
    endsAt: 600_000,
    channel: 'C0INCIDENT',
    threadTs: '1765116000.000100',
    intervalMs: 60_000,
    cleanNeeded: 3,
    tick: 0,
    samples: [],
    cleanStreak: 0,
    status: 'active',
    notices: [],
    posted: 0,
    ...over,
  };
}
