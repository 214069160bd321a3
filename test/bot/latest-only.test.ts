import { describe, expect, it } from 'vitest';
import { LatestOnly } from '../../src/queue/latest-only.js';
import { parseCommandText } from '../../src/slack/parse-command.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LatestOnly (throttled live updates)', () => {
  it('sends the first state, then only the latest, one at a time', async () => {
    const sent: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const l = new LatestOnly<number>(
      async (v) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await tick(30);
        sent.push(v);
        inFlight--;
      },
      50,
      (err) => {
        throw err;
      },
    );
    for (let i = 1; i <= 10; i++) l.push(i);
    await tick(20);
    for (let i = 11; i <= 20; i++) l.push(i);
    await tick(200);
    expect(sent[0]).toBe(10);
    expect(sent.at(-1)).toBe(20);
    expect(sent.length).toBeLessThanOrEqual(3);
    expect(maxInFlight).toBe(1);
  });

  it('flush waits for the send in flight and drops the rest: nothing lands after the report', async () => {
    const sent: string[] = [];
    const l = new LatestOnly<string>(
      async (v) => {
        await tick(40);
        sent.push(v);
      },
      0,
      () => {},
    );
    l.push('a');
    await tick(5);
    l.push('b');
    await l.flush();
    sent.push('report');
    l.push('late');
    await tick(60);
    expect(sent).toEqual(['a', 'report']);
  });
});

describe('parseCommandText', () => {
  it.each([
    ['', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['web-3', { kind: 'diagnose', target: 'web-3', sinceS: 900 }],
    ['  web  1h ', { kind: 'diagnose', target: 'web', sinceS: 3600 }],
    ['10.0.0.13 30s', { kind: 'diagnose', target: '10.0.0.13', sinceS: 30 }],
  ])('%j', (text, expected) => {
    expect(parseCommandText(text)).toEqual(expected);
  });

  it.each([['web-3 8d'], ['web-3 soon'], ['web-3; reboot'], ['$(id)'], ['a b c']])('refuses %j', (text) => {
    expect(parseCommandText(text).kind).toBe('usage');
  });
});
