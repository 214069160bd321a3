import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/cli/parse-args.js';
import { HostFacts } from '../../../src/facts/host-facts.js';
import { formatWindow } from '../../../src/parse/format-window.js';
import { kernelProbe } from '../../../src/probes/defs/kernel.js';
import { errorLogProbe } from '../../../src/probes/defs/log-tail.js';
import { renderJson } from '../../../src/report/render-json.js';
import { renderTerminal } from '../../../src/report/render-terminal.js';
import type { TargetReport } from '../../../src/report/types.js';

const report = (sinceS: number): TargetReport => ({
  target: 'web-1',
  verdict: 'no-cause',
  sinceS,
  startedAt: '2026-11-25T10:00:00.000Z',
  hosts: [],
});

describe('the window as it is printed', () => {
  it.each([
    ['45s', '45s'],
    ['1s', '1s'],
    ['15m', '15m'],
    ['90s', '1m30s'],
    ['90m', '1h30m'],
    ['2h', '2h'],
    ['1d', '1d'],
    ['7d', '7d'],
  ])('--since %s reads %s', (given, shown) => {
    expect(formatWindow(parseDuration(given))).toBe(shown);
  });

  it('never reads 0m for a window of seconds: terminal header in words, JSON in seconds', () => {
    expect(renderTerminal(report(45), false)).toContain('(window 45s)');
    expect(renderTerminal(report(900), false)).toContain('(window 15m)');
    expect(JSON.parse(renderJson(report(45))).sinceS).toBe(45);
  });

  it('check lines say "in the last 45s", not "in the last 1m" or "0m"', () => {
    const host = {
      name: 'web-1',
      address: '10.0.0.1',
      nginx: { errorLog: '/var/log/nginx/error.log', accessLog: '/var/log/nginx/access.log' },
      services: [],
    };
    const line = (sinceS: number, probe: typeof errorLogProbe | typeof kernelProbe, stdout: string) => {
      const facts = new HostFacts({ host, sinceS });
      const out = probe.parse(stdout, { truncated: false, view: facts });
      facts.store(probe, out);
      return (probe.check as (o: typeof out, v: HostFacts) => { summary: string })(out, facts).summary;
    };
    expect(line(45, errorLogProbe, '__DATE 1764064800 +0000\n__TAIL\n')).toBe(
      'no upstream errors in the last 45s',
    );
    expect(line(20, kernelProbe, '__SOURCE dmesg\n')).toBe('no OOM kills in the last 20s');
  });
});
