/** `diagnose502 web --chart FILE` (issue 20 item 5): the PNG of the host with the most 502/504s, for a terminal. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCli } from '../../../src/cli/parse-args.js';
import { writeChart } from '../../../src/cli/write-chart.js';
import type { HostReport, TargetReport } from '../../../src/report/types.js';
import { chartOf } from '../report/error-chart-fixture.js';

const host = (name: string, n: number): HostReport => ({
  host: name,
  address: '10.88.4.11',
  durationMs: 300,
  verdict: 'cause-found',
  notChecked: [],
  checks: [],
  findings: [],
  ...(n > 0 ? { errorSeries: chartOf(n) } : {}),
});

const report = (hosts: HostReport[]): TargetReport => ({
  target: 'web',
  verdict: 'cause-found',
  sinceS: 900,
  startedAt: '2026-11-25T10:15:00.000Z',
  hosts,
});

describe('--chart FILE', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'd502-chart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is an option with a file name', () => {
    expect(parseCli(['web', '--chart', 'errors.png'])).toMatchObject({ target: 'web', chart: 'errors.png' });
    expect(parseCli(['web'])).not.toHaveProperty('chart');
  });

  it('writes the PNG of the host with the most errors, and says so', async () => {
    const file = path.join(dir, 'errors.png');
    const said = await writeChart(report([host('web-1', 3), host('web-2', 0), host('web-3', 8)]), file);
    expect(said).toBe(`chart of web-3 (8 502/504) written to ${file}`);
    expect(readFileSync(file).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  });

  it('no host with errors: no file, and why', async () => {
    const file = path.join(dir, 'none.png');
    expect(await writeChart(report([host('web-2', 0)]), file)).toMatch(/^no chart written: /);
    expect(existsSync(file)).toBe(false);
  });
});
