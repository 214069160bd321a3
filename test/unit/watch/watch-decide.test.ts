/**
 * Watch's decisions as tables: what is a clean reading, what is "worse", when the host is back, when
 * the watch ends, and the line `502/504 per min: 38 → 12 → 0` they show.
 */
import { describe, expect, it } from 'vitest';
import {
  perInterval,
  rateSeries,
  renderWatch,
  renderWatchNotice,
  watchLine,
} from '../../../src/report/block-kit-watch.js';
import {
  advance,
  dueAt,
  isClean,
  isOverdue,
  maxTicks,
  stop,
  worseThan,
} from '../../../src/watch/watch-decide.js';
import type { WatchSample, WatchState } from '../../../src/watch/watch-state.js';
import { watchState } from './watch-state-fixture.js';

const T0 = Date.UTC(2026, 11, 7, 14, 0, 0);
const sample = (
  rate: number | null,
  failing: string[] = [],
  extra: Partial<WatchSample> = {},
): WatchSample => ({
  at: T0,
  rate,
  checked: 2,
  failing,
  ...extra,
});
const start = (over: Partial<WatchState> = {}): WatchState =>
  watchState({ startedAt: T0, endsAt: T0 + 10 * 60_000, messageTs: '1765116001.000200', ...over });
const run = (rates: (WatchSample | number)[], over: Partial<WatchState> = {}) =>
  rates.reduce<WatchState>((s, r) => advance(s, typeof r === 'number' ? sample(r) : r), start(over));

describe('a clean reading', () => {
  it.each([
    ['no 502/504 and every upstream answers', sample(0), true],
    ['a 502 in the interval', sample(1), false],
    ['an upstream refuses', sample(0, ['127.0.0.1:8081']), false],
    ['the access log could not be read', sample(null), false],
    ['the upstreams could not be checked', sample(0, [], { unchecked: 'timed out after 7 s' }), false],
    ['the host did not answer SSH', sample(null, [], { error: 'connect ECONNREFUSED' }), false],
  ])('%s: clean = %s', (_why, s, clean) => {
    expect(isClean(s)).toBe(clean);
  });
});

describe('worse', () => {
  it.each([
    [12, 17, undefined],
    [12, 18, { rate: { from: 12, to: 18 } }],
    [0, 4, undefined],
    [0, 5, { rate: { from: 0, to: 5 } }],
    [100, 140, undefined],
    [100, 150, { rate: { from: 100, to: 150 } }],
    [38, 12, undefined],
  ])('%s → %s per interval: %j', (from, to, worse) => {
    expect(worseThan(sample(from), sample(to))).toEqual(worse);
  });

  it('an upstream that answered and fails now is worse, even with fewer 502s', () => {
    expect(worseThan(sample(10, []), sample(3, ['127.0.0.1:8081']))).toEqual({
      upstreams: ['127.0.0.1:8081'],
    });
    // Already failing before: not news.
    expect(worseThan(sample(10, ['127.0.0.1:8081']), sample(3, ['127.0.0.1:8081']))).toBeUndefined();
  });

  it('a reading that failed (SSH) on either side compares nothing; the first reading has nothing before it', () => {
    expect(worseThan(sample(null, [], { error: 'timeout' }), sample(50, ['x:1']))).toBeUndefined();
    expect(worseThan(sample(0), sample(null, [], { error: 'timeout' }))).toBeUndefined();
    expect(worseThan(undefined, sample(50))).toBeUndefined();
  });
});

describe('advance: back, worse, ended', () => {
  it('38 → 12 → 0 → 0 → 0: back after three clean readings, one "back" notice, nothing after', () => {
    const s = run([38, 12, 0, 0]);
    expect(s.status).toBe('active');
    expect(s.cleanStreak).toBe(2);
    const back = advance(s, sample(0));
    expect(back.status).toBe('back');
    expect(back.tick).toBe(5);
    expect(back.notices).toEqual([{ kind: 'back', tick: 5, cleanTicks: 3 }]);
    expect(rateSeries(back.samples)).toBe('38 → 12 → 0 → 0 → 0');
  });

  it('a dirty reading resets the streak', () => {
    const s = run([0, 0, 2, 0, 0]);
    expect(s.status).toBe('active');
    expect(s.cleanStreak).toBe(2);
  });

  it('worse is said in the thread, and the watch goes on', () => {
    const s = run([12, 40]);
    expect(s.notices).toEqual([{ kind: 'worse', tick: 2, rate: { from: 12, to: 40 } }]);
    expect(s.status).toBe('active');
  });

  it('the time runs out: ended after the last reading (one at start, one a minute for 10 minutes)', () => {
    expect(maxTicks(start())).toBe(11);
    const s = run(Array.from({ length: 11 }, () => 7));
    expect(s.status).toBe('ended');
    expect(s.notices).toEqual([{ kind: 'ended', tick: 11 }]);
    expect(dueAt(start(), 1)).toBe(T0);
    expect(dueAt(start(), 11)).toBe(T0 + 10 * 60_000);
    // After a pause (no worker ran) the next reading is an interval after the last, not at once.
    const late = advance(start(), sample(3, [], { at: T0 + 5 * 60_000 }));
    expect(dueAt(late, 2)).toBe(T0 + 6 * 60_000);
  });

  it('a watch whose readings were held up past its end ends at the reading after it', () => {
    const s = advance(start(), sample(3, [], { at: T0 + 10 * 60_000 }));
    expect(s.status).toBe('ended');
  });

  it('a watch whose next reading is long overdue (its ticks failed) counts as dead', () => {
    const s = advance(start(), sample(3));
    expect(isOverdue(s, T0 + 60_000)).toBe(false);
    expect(isOverdue(s, T0 + 4 * 60_000)).toBe(false);
    expect(isOverdue(s, T0 + 4 * 60_000 + 1)).toBe(true);
  });

  it('stopped by a person: no notice', () => {
    const s = stop(run([5]), 'U0BOB');
    expect(s).toMatchObject({ status: 'stopped', stoppedBy: 'U0BOB', notices: [] });
  });
});

describe('the line and the messages', () => {
  it('reads 502/504 per min: 38 → 12 → 0, and the interval in tests', () => {
    expect(watchLine(run([38, 12, 0])).text).toContain('502/504 per min: *38 → 12 → 0*');
    expect(perInterval(60_000)).toBe('per min');
    expect(perInterval(5000)).toBe('per 5 s');
    expect(perInterval(300_000)).toBe('per 5 min');
  });

  it('keeps the last 12 values, the older ones as …; a reading without the log is ?', () => {
    const many = Array.from({ length: 15 }, (_, i) => sample(i));
    expect(rateSeries(many)).toBe('… → 3 → 4 → 5 → 6 → 7 → 8 → 9 → 10 → 11 → 12 → 13 → 14');
    expect(rateSeries([sample(3), sample(null), sample(null, [], { error: 'x' })])).toBe('3 → ? → no answer');
  });

  it('a hostile host name and target label are escaped; watchers are mentions; Stop only while active', () => {
    const s = run([sample(3, ['<!channel>:80'])], { host: '*web*<!here>' });
    const m = renderWatch(s, ['U0ALICE', 'U0BOB']);
    // What Slack reads as mrkdwn (the button's value is not).
    const all = JSON.stringify([m.text, m.blocks.filter((b) => b.type !== 'actions')]);
    expect(all).not.toContain('<!here>');
    expect(all).not.toContain('<!channel>');
    expect(all).toContain('<@U0BOB>');
    expect(m.blocks.at(-1)).toMatchObject({ type: 'actions', elements: [{ action_id: 'd502_watch_stop' }] });
    const back = run([0, 0, 0]);
    expect(JSON.stringify(renderWatch(back, ['U0ALICE']))).not.toContain('d502_watch_stop');
    expect(watchLine(back).text).toContain('*web-1 is back*');
    expect(JSON.stringify(m)).toContain('every minute until 14:10 UTC');
    expect(JSON.stringify(renderWatch(start({ intervalMs: 5000 }), []))).toContain('every 5 s until');
  });

  it('notices name the watchers', () => {
    const s = run([12, 40]);
    const notice = s.notices[0];
    if (!notice) throw new Error('no notice');
    const m = renderWatchNotice(s, notice, ['U0ALICE', 'U0BOB']);
    expect(m.text).toContain('web-1 is getting worse');
    expect(m.text).toContain('rose from 12 to 40');
    expect(m.text).toContain('<@U0ALICE> <@U0BOB>');
  });
});
