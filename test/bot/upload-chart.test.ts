/**
 * The chart upload against the Slack stand-in (no lab, no Redis): filesUploadV2's three steps, the
 * PNG bytes as Slack receives them, one chart per host with errors, at most three for a group.
 */
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostReport, TargetReport } from '../../src/report/types.js';
import { uploadCharts } from '../../src/slack/upload-chart.js';
import { SlackStandin } from '../slack-standin/server.js';
import { chartOf } from '../unit/report/error-chart-fixture.js';

function host(name: string, failures: number): HostReport {
  return {
    host: name,
    address: '10.88.4.11',
    durationMs: 300,
    verdict: failures > 0 ? 'cause-found' : 'no-cause',
    notChecked: [],
    checks: [],
    findings: [],
    ...(failures > 0 ? { errorSeries: chartOf(failures) } : {}),
  };
}

const report = (hosts: HostReport[]): TargetReport => ({
  target: 'web',
  verdict: 'cause-found',
  sinceS: 900,
  startedAt: '2026-11-25T10:15:00.000Z',
  hosts,
});

describe('uploadCharts', () => {
  const standin = new SlackStandin('xoxb-test');
  let client: WebClient;
  beforeAll(async () => {
    client = new WebClient('xoxb-test', { slackApiUrl: await standin.start() });
  });
  afterAll(() => standin.stop());

  it('a group: the three hosts with most errors, PNGs in the thread; hosts without errors get none', async () => {
    const n = await uploadCharts(
      client,
      'C0INCIDENT',
      '1700000000.000100',
      report([host('web-1', 3), host('web-2', 0), host('web-3', 9), host('web-4', 5), host('web-5', 7)]),
    );
    expect(n).toBe(3);
    const files = standin.files.filter((f) => f.threadTs === '1700000000.000100');
    expect(files.map((f) => f.filename).sort()).toEqual([
      'diagnose502-web-3-2026-11-25T10-15-00-000Z-errors.png',
      'diagnose502-web-4-2026-11-25T10-15-00-000Z-errors.png',
      'diagnose502-web-5-2026-11-25T10-15-00-000Z-errors.png',
    ]);
    for (const f of files) {
      expect(f.channel).toBe('C0INCIDENT');
      expect(f.bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(f.bytes.length).toBe(f.declaredLength);
    }
  });

  it('no host with errors: nothing is uploaded', async () => {
    const before = standin.callsOf('files.getUploadURLExternal').length;
    expect(await uploadCharts(client, 'C0INCIDENT', '1700000000.000200', report([host('web-2', 0)]))).toBe(0);
    expect(standin.callsOf('files.getUploadURLExternal').length).toBe(before);
  });
});
