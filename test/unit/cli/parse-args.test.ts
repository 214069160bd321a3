import { describe, expect, it } from 'vitest';
import { parseCli, parseDuration, UsageError } from '../../../src/cli/parse-args.js';

describe('command line', () => {
  it('reads a target with defaults', () => {
    expect(parseCli(['web-3'])).toMatchObject({ target: 'web-3', sinceS: 900, json: false, concurrency: 10 });
  });
  it('reads every option', () => {
    expect(
      parseCli(['web', '--inventory', 'inv.yml', '--since', '2h', '--json', '--concurrency', '4']),
    ).toMatchObject({
      target: 'web',
      inventory: 'inv.yml',
      sinceS: 7200,
      json: true,
      concurrency: 4,
    });
  });
  it.each([['15'], ['1y'], ['8d'], ['-5m'], ['0s']])('refuses --since %s with the accepted forms', (text) => {
    expect(() => parseDuration(text)).toThrow(UsageError);
  });
  it('refuses unknown flags and two targets', () => {
    expect(() => parseCli(['web-3', '--bogus'])).toThrow(/Unknown option/);
    expect(() => parseCli(['web-3', 'web-4'])).toThrow(/one host or group/);
  });
});
