import { describe, expect, it } from 'vitest';
import {
  type HostHistory,
  hostHistory,
  ordinal,
  type RestartFact,
} from '../../../src/history/history-line.js';
import type { ReportSummary } from '../../../src/history/report-summary.js';
import { renderReport } from '../../../src/report/block-kit.js';
import { groupHistoryBlocks, historyBlocks } from '../../../src/report/block-kit-history.js';
import { renderJson } from '../../../src/report/render-json.js';
import { renderTerminal } from '../../../src/report/render-terminal.js';
import type { HostReport, TargetReport } from '../../../src/report/types.js';
import { CONTROL, HOSTILE } from '../report/hostile-text.js';

const NOW = Date.parse('2026-12-07T18:00:00Z');
const H = 3_600_000;
const D = 24 * H;

const kept = (at: number, cause: string | undefined, extra: Partial<ReportSummary> = {}): ReportSummary => ({
  id: `job-${at}:web-1`,
  host: 'web-1',
  target: 'web-1',
  verdict: cause ? 'cause-found' : 'inconclusive',
  ...(cause ? { cause, confidence: 0.9 } : {}),
  at,
  ...extra,
});

const line = (k: ReportSummary[], restarts: RestartFact[] = [], label = 'upstream-down') =>
  hostHistory({
    host: 'web-1',
    now: NOW,
    retentionDays: 30,
    current: { id: 'job-now:web-1', label },
    kept: k,
    restarts,
  });

describe('the history line (pure)', () => {
  it('ordinals', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '101st',
      '111th',
    ]);
  });

  it('a host never diagnosed before says so', () => {
    const h = line([]);
    expect(h).toMatchObject({ seenBefore: false, nth: 1, retentionDays: 30 });
    expect(h.previous).toBeUndefined();
    expect(h.summary).toBe('first diagnosis of this host in 30 days');
  });

  it('"3rd time this week (upstream-down)", the previous report linked, the verified restart named', () => {
    const link = 'https://acme.slack.com/archives/C0INCIDENT/p1765100000000100';
    const h = line(
      [
        kept(NOW - 2 * D, 'upstream-down'),
        kept(NOW - 3 * H, 'upstream-down', {
          permalink: link,
          channel: 'C0INCIDENT',
          ts: '1765100000.000100',
        }),
        kept(NOW - 20 * D, 'socket-permission'),
      ],
      [
        { at: NOW - 2 * H, who: 'U0ALICE', service: 'app', action: 'restart-service', result: 'succeeded' },
        { at: NOW - 3 * D, who: 'U0BOB', service: 'app', action: 'restart-service', result: 'failed' },
      ],
    );
    expect(h).toMatchObject({ seenBefore: true, nth: 3, period: 'this week' });
    expect(h.causes).toEqual([{ cause: 'upstream-down', count: 3 }]);
    expect(h.previous).toMatchObject({ cause: 'upstream-down', permalink: link, ts: '1765100000.000100' });
    expect(h.lastRestart).toMatchObject({ who: 'U0ALICE', result: 'succeeded' });
    expect(h.summary).toBe(
      `3rd time this week (upstream-down); previous report 2026-12-07 15:00 UTC ${link}; last fixed by a restart of app by U0ALICE, verified`,
    );
  });

  it('only older reports: counted over the retention; mixed causes with counts; a failed restart said as such', () => {
    const h = line(
      [
        kept(NOW - 10 * D, 'socket-permission'),
        kept(NOW - 12 * D, 'socket-permission'),
        kept(NOW - 40 * D, 'x'),
      ],
      [{ at: NOW - 10 * D, who: 'U0BOB', service: 'nginx', action: 'reload-nginx', result: 'failed' }],
    );
    expect(h).toMatchObject({ nth: 3, period: 'retention' });
    expect(h.summary).toMatch(
      /^3rd time in 30 days \(socket-permission ×2, upstream-down\); previous report 2026-11-27/,
    );
    expect(h.summary).toMatch(/last tried: a reload of nginx by U0BOB, which did not pass its verification$/);
  });

  it("ignores the report's own summary (a retried job), reports outside the retention and in the future", () => {
    const h = line([
      kept(NOW, 'upstream-down', { id: 'job-now:web-1' }),
      kept(NOW - 31 * D, 'x'),
      kept(NOW + H, 'x'),
    ]);
    expect(h.seenBefore).toBe(false);
  });

  it('an inconclusive run counts by its verdict', () => {
    const h = line([kept(NOW - H, undefined)], [], 'inconclusive');
    expect(h.summary).toMatch(/^2nd time this week \(inconclusive\); previous report /);
  });
});

const host = (history: HostHistory | undefined, name = 'web-1'): HostReport => ({
  host: name,
  address: '10.0.0.1',
  durationMs: 1200,
  verdict: 'cause-found',
  notChecked: [],
  checks: [],
  findings: [
    {
      cause: 'upstream-down',
      confidence: 0.9,
      title: 'app is down',
      evidence: ['x'],
      remediation: [],
      actions: [],
    },
  ],
  ...(history ? { history } : {}),
});
const report = (hosts: HostReport[]): TargetReport => ({
  target: hosts.length === 1 ? (hosts[0]?.host ?? 'web-1') : 'web',
  verdict: 'cause-found',
  sinceS: 900,
  startedAt: new Date(NOW).toISOString(),
  hosts,
});

describe('the history line in each sink', () => {
  const seen = line(
    [
      kept(NOW - H, 'upstream-down', {
        permalink: 'https://acme.slack.com/archives/C1/p1?thread_ts=1.2&cid=C1',
      }),
    ],
    [{ at: NOW - H, who: 'U0ALICE', service: 'app', action: 'restart-service', result: 'succeeded' }],
  );

  it('Block Kit: one context block with the linked previous report and a mention', () => {
    const msg = renderReport(report([host(seen)]), { requestedBy: 'U0ONCALL', jobId: 'j' });
    const ctx = msg.blocks.find((b) => b.type === 'context' && JSON.stringify(b).includes('time this week'));
    const text = JSON.stringify(ctx);
    expect(text).toContain('*2nd time this week (upstream-down)*');
    expect(text).toContain(
      '<https://acme.slack.com/archives/C1/p1?thread_ts=1.2&amp;cid=C1|previous report>',
    );
    expect(text).toContain('last fixed by a restart of app by <@U0ALICE>, verified');
    expect(historyBlocks(host(undefined))).toEqual([]);
  });

  it('a group lists only the hosts seen before', () => {
    const blocks = groupHistoryBlocks([host(seen, 'web-1'), host(line([]), 'web-2')]);
    expect(blocks).toHaveLength(1);
    expect(JSON.stringify(blocks)).toContain('*web-1*: ');
    expect(JSON.stringify(blocks)).not.toContain('web-2');
  });

  it('terminal and JSON carry it; the CLI without history shows none', () => {
    expect(renderTerminal(report([host(seen)]), false)).toContain(
      'History 2nd time this week (upstream-down)',
    );
    expect(JSON.parse(renderJson(report([host(seen)]))).hosts[0].history).toMatchObject({
      nth: 2,
      seenBefore: true,
    });
    expect(renderTerminal(report([host(undefined)]), false)).not.toContain('History');
    expect(JSON.parse(renderJson(report([host(undefined)]))).hosts[0].history).toBeUndefined();
  });

  it('hostile causes, users and links are escaped in every sink', () => {
    const hostile = line(
      [kept(NOW - H, HOSTILE, { permalink: `https://evil.example/|click <!channel>` })],
      [{ at: NOW - H, who: HOSTILE, service: HOSTILE, action: 'restart-service', result: 'succeeded' }],
      HOSTILE,
    );
    const blocks = JSON.stringify(
      renderReport(report([host(hostile)]), { requestedBy: 'U0ONCALL', jobId: 'j' }),
    );
    expect(blocks).not.toContain('<!channel>');
    expect(blocks).not.toContain('<@U0VICTIM>');
    expect(blocks).not.toContain('<https://evil');
    expect(blocks).not.toContain('*ALL CLEAR*');
    const term = renderTerminal(report([host(hostile)]), false);
    expect(term).not.toMatch(CONTROL);
  });
});
