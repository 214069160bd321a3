import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/diagnosis/finding.js';
import {
  ACTION_EVIDENCE,
  ACTION_RERUN,
  renderEvidenceFile,
  renderFailure,
  renderProgress,
  renderReport,
} from '../../src/report/block-kit.js';
import { renderJoined } from '../../src/report/block-kit-intake.js';
import { codeBlock } from '../../src/report/block-kit-limits.js';
import { md } from '../../src/report/mrkdwn.js';
import type { HostReport, TargetReport } from '../../src/report/types.js';
import { checkMessage } from '../slack-standin/block-rules.js';

// Real lines of the lab's app-down scenario (nginx 1.22 error log, lab web-1).
const REFUSED =
  '2026/11/25 09:12:01 [error] 311#311: *7 connect() failed (111: Connection refused) while connecting to upstream, client: 10.88.57.1, server: _, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8081/", host: "10.88.57.11"';

const downFinding = (evidence: string[]): Finding => ({
  cause: 'upstream-down',
  confidence: 0.95,
  title: 'the app behind nginx is not listening on 127.0.0.1:8081 (connection refused)',
  evidence,
  remediation: [
    'Start the app: systemctl restart app.service',
    'Check why it stopped: journalctl -u app.service -n 100',
  ],
  actions: [{ id: 'restart-service:app', kind: 'safe', label: 'Restart app.service' }],
});

const host = (name: string, findings: Finding[]): HostReport => ({
  host: name,
  address: '10.88.57.11',
  durationMs: 812,
  verdict: findings.some((f) => f.cause !== 'no-502-evidence') ? 'cause-found' : 'no-cause',
  notChecked: [],
  checks: [
    { id: 'ssh', status: 'ok', summary: 'connected', durationMs: 20 },
    { id: 'upstreams', status: 'fail', summary: '127.0.0.1:8081 refused', durationMs: 5 },
  ],
  findings,
});

const report = (hosts: HostReport[]): TargetReport => ({
  target: hosts.length === 1 ? (hosts[0]?.host ?? 'x') : 'web',
  sinceS: 900,
  startedAt: '2026-11-25T09:12:30.000Z',
  verdict: hosts.some((h) => h.verdict === 'cause-found') ? 'cause-found' : 'no-cause',
  hosts,
});

const meta = { requestedBy: 'U0ASKER', jobId: 'job-1' };

describe('Block Kit report', () => {
  it('puts the verdict, confidence, evidence, steps, asker and buttons in one valid message', () => {
    const msg = renderReport(report([host('web-1', [downFinding([REFUSED, REFUSED])])]), meta);
    expect(checkMessage(msg.text, msg.blocks)).toBeUndefined();
    const json = JSON.stringify(msg.blocks);
    expect(msg.blocks[0]).toMatchObject({
      type: 'header',
      text: { text: expect.stringMatching(/^web-1: the app/) },
    });
    expect(json).toContain('upstream-down');
    expect(json).toContain('95%');
    expect(json).toContain('<@U0ASKER>');
    expect(json).toContain('```');
    expect(json).toContain('Start the app');
    expect(json).toContain('Restart app.service (safe)');
    expect(json).toContain(ACTION_RERUN);
    expect(json).toContain(ACTION_EVIDENCE);
    expect(msg.text).toMatch(/upstream-down, 95%/);
  });

  it('cuts long evidence with a pointer to the thread file, and Slack accepts it', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `${REFUSED} #${i}`);
    const msg = renderReport(report([host('web-1', [downFinding(lines)])]), meta);
    expect(checkMessage(msg.text, msg.blocks)).toBeUndefined();
    expect(JSON.stringify(msg.blocks)).toMatch(/more lines: the full evidence is in the file in this thread/);
    expect(renderEvidenceFile(report([host('web-1', [downFinding(lines)])]))).toContain(`${REFUSED} #399`);
  });

  it('keeps a group of 200 hosts inside the limits, odd ones called out', () => {
    const hosts = Array.from({ length: 200 }, (_, i) =>
      host(`web-${i}`, [
        i === 7
          ? { ...downFinding([REFUSED]), cause: 'disk-full', title: 'disk full' }
          : downFinding([REFUSED]),
      ]),
    );
    const msg = renderReport(report(hosts), meta);
    expect(checkMessage(msg.text, msg.blocks)).toBeUndefined();
    expect(JSON.stringify(msg.blocks)).toContain('Odd one out: `disk-full`');
  });

  it('an inconclusive host says what could not be checked, never an all-clear', () => {
    const stuck: HostReport = {
      ...host('web-1', []),
      verdict: 'inconclusive',
      notChecked: [
        { check: 'error-log', reason: 'timed out after 3 s', byHand: 'tail -n 200 /var/log/nginx/error.log' },
      ],
    };
    const msg = renderReport({ ...report([stuck]), verdict: 'inconclusive' }, meta);
    expect(checkMessage(msg.text, msg.blocks)).toBeUndefined();
    expect(msg.text).toBe('web-1: inconclusive: error-log (timed out after 3 s) could not be checked');
    const all = JSON.stringify(msg.blocks);
    expect(all).toContain('*Not checked*');
    expect(all).toContain('tail -n 200 /var/log/nginx/error.log');
    expect(all).not.toContain('no-502-evidence');
    const group = renderReport(report([stuck, host('web-2', [downFinding([REFUSED])])]), meta);
    expect(JSON.stringify(group.blocks)).toContain('web: 1 of 2 hosts with a 502 cause, 1 inconclusive');
  });

  it('renders progress and failures within the limits, never as an all-clear', () => {
    const p = renderProgress(
      {
        target: 'web-1',
        sinceS: 900,
        hosts: [{ host: 'web-1', checks: host('web-1', []).checks, done: false }],
      },
      meta,
    );
    expect(checkMessage(p.text, p.blocks)).toBeUndefined();
    const f = renderFailure('web-1', 'x'.repeat(10_000), false, meta);
    expect(checkMessage(f.text, f.blocks)).toBeUndefined();
    expect(f.text).toMatch(/could not be made, so nothing is concluded/);
  });

  it('code blocks never exceed their budget', () => {
    const text = codeBlock(['y'.repeat(5000)], 500, (n) => md`… ${n} more`);
    expect(text.text.length).toBeLessThanOrEqual(500);
  });
});

describe('the stand-in refuses what Slack refuses', () => {
  it('answers invalid_blocks with a json-pointer message for a section over 3000 characters', () => {
    const refusal = checkMessage('t', [
      { type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } },
    ]);
    expect(refusal).toEqual({
      ok: false,
      error: 'invalid_blocks',
      errors: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
      response_metadata: {
        messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
      },
    });
  });
  it('refuses a long header, 51 blocks, a missing text and a huge message', () => {
    expect(
      checkMessage('t', [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }])?.error,
    ).toBe('invalid_blocks');
    const s = { type: 'section', text: { type: 'mrkdwn', text: 'x' } };
    expect(checkMessage('t', Array(51).fill(s))?.error).toBe('invalid_blocks');
    expect(checkMessage(undefined, [s])?.error).toBe('no_text');
    const big = { type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(2900) } };
    expect(checkMessage('t', Array(5).fill(big))?.error).toBe('msg_blocks_too_long');
  });
});

describe('joined request', () => {
  it('links the running report through the workspace domain, no API call needed', () => {
    const m = renderJoined(
      'web-3',
      { channelId: 'C1', message: { channel: 'C1', ts: '1700000000.000100' } },
      'acme',
    );
    expect(m.text).toBe(
      'A diagnosis of `web-3` is already running: follow <https://acme.slack.com/archives/C1/p1700000000000100|its report> in <#C1>.',
    );
    expect(renderJoined('web-3', { channelId: 'C1' }).text).toMatch(
      /already queued: its report will appear in <#C1>/,
    );
    expect(checkMessage(m.text, m.blocks)).toBeUndefined();
  });
});
