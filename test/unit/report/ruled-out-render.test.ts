/**
 * The "Ruled out" section in each renderer (issue 20 item 1): JSON `ruledOut` as plain data, a
 * terminal section, a Block Kit context block of the first few with "+k more" that Slack accepts,
 * and every one in the evidence file.
 */
import { describe, expect, it } from 'vitest';
import type { RuledOut } from '../../../src/diagnosis/ruled-out/ruled-out.js';
import { renderEvidenceFile, renderReport } from '../../../src/report/block-kit.js';
import { RULED_OUT_SHOWN } from '../../../src/report/block-kit-ruled-out.js';
import { renderJson } from '../../../src/report/render-json.js';
import { renderTerminal } from '../../../src/report/render-terminal.js';
import type { HostReport, TargetReport } from '../../../src/report/types.js';
import { checkMessage } from '../../slack-standin/block-rules.js';

const RULED_OUT: RuledOut[] = [
  { cause: 'network-blocked', evidence: 'firewall: 0 drop/reject rules (nftables)' },
  { cause: 'mac-denied', evidence: 'SELinux/AppArmor: not enforcing (SELinux absent, AppArmor disabled)' },
  { cause: 'upstream-oom-killed', evidence: 'OOM kills: none in 15m' },
  { cause: 'disk-full', evidence: 'disk: 41% used on /, inodes 12%' },
  { cause: 'host-overload', evidence: 'host: load 0.4 on 4 CPUs, 64% memory available' },
  { cause: 'fd-exhausted', evidence: 'nginx worker fds: 42 of 65535 open' },
  { cause: 'ephemeral-ports-exhausted', evidence: 'local ports: 120 in TIME_WAIT of 28232' },
  { cause: 'nginx-config-invalid', evidence: 'nginx -t: configuration test successful (1.22.1)' },
];

const host = (ruledOut: RuledOut[] | undefined): HostReport => ({
  host: 'web-3',
  address: '10.0.0.13',
  durationMs: 812,
  verdict: 'cause-found',
  notChecked: [],
  checks: [{ id: 'upstreams', status: 'fail', summary: 'nothing listens on 127.0.0.1:8081', durationMs: 12 }],
  findings: [
    {
      cause: 'upstream-down',
      confidence: 0.95,
      title: 'Nothing listens on 127.0.0.1:8081: the app is down',
      evidence: ['connect() failed (111: Connection refused) while connecting to upstream'],
      remediation: ['Start the app: systemctl restart app.service'],
      actions: [],
    },
  ],
  ...(ruledOut ? { ruledOut } : {}),
});

const report = (h: HostReport): TargetReport => ({
  target: 'web-3',
  verdict: 'cause-found',
  sinceS: 900,
  startedAt: '2026-11-21T10:52:04.000Z',
  hosts: [h],
});

const meta = { requestedBy: 'U0ASKER', jobId: 'job-1' };

describe('ruled out: JSON', () => {
  it('is the field `ruledOut`, an array of {cause, evidence}, beside the findings', () => {
    const doc = JSON.parse(renderJson(report(host(RULED_OUT)))) as TargetReport;
    expect(doc.hosts[0]?.ruledOut).toEqual(RULED_OUT);
    expect(Object.keys(doc.hosts[0] ?? {})).toEqual(
      expect.arrayContaining(['findings', 'ruledOut', 'checks', 'verdict']),
    );
  });
});

describe('ruled out: terminal', () => {
  it('a section after the findings and before the checks, one line per cause', () => {
    const text = renderTerminal(report(host(RULED_OUT)), false);
    const at = (s: string) => text.indexOf(s);
    expect(at('VERDICT upstream-down')).toBeLessThan(at('Ruled out'));
    expect(at('Ruled out')).toBeLessThan(at('Checks'));
    for (const r of RULED_OUT)
      expect(text).toMatch(new RegExp(`✓ ${r.cause} +${r.evidence.replace(/[()]/g, '\\$&')}`));
  });

  it('no section when nothing was ruled out (or the report predates the field)', () => {
    expect(renderTerminal(report(host([])), false)).not.toContain('Ruled out');
    expect(renderTerminal(report(host(undefined)), false)).not.toContain('Ruled out');
  });
});

describe('ruled out: Block Kit', () => {
  const contextText = (h: HostReport) => {
    const msg = renderReport(report(h), meta);
    expect(checkMessage(msg.text, msg.blocks)).toBeUndefined();
    const block = msg.blocks.find(
      (b) => b.type === 'context' && b.elements[0]?.text.startsWith('*Ruled out*'),
    );
    return { msg, text: block?.type === 'context' ? block.elements[0]?.text : undefined };
  };

  it(`one context block: the first ${RULED_OUT_SHOWN}, then "+k more", Slack accepts it`, () => {
    const { msg, text } = contextText(host(RULED_OUT));
    expect(text?.split('\n')).toEqual([
      '*Ruled out*',
      '`network-blocked` firewall: 0 drop/reject rules (nftables)',
      '`mac-denied` SELinux/AppArmor: not enforcing (SELinux absent, AppArmor disabled)',
      '`upstream-oom-killed` OOM kills: none in 15m',
      '`disk-full` disk: 41% used on /, inodes 12%',
      '`host-overload` host: load 0.4 on 4 CPUs, 64% memory available',
      '`fd-exhausted` nginx worker fds: 42 of 65535 open',
      '_+2 more in the evidence file_',
    ]);
    // After the verdict's own parts, before the check list.
    const types = msg.blocks.map((b) => (b.type === 'section' ? b.text.text.split('\n')[0] : b.type));
    expect(types.indexOf('context')).toBeGreaterThan(types.indexOf('*What to do*'));
    expect(types.indexOf('context')).toBeLessThan(types.indexOf('*Checks*'));
  });

  it('a short list has no "+k more"; an empty one no block', () => {
    expect(contextText(host(RULED_OUT.slice(0, 2))).text).not.toContain('more');
    expect(contextText(host([])).text).toBeUndefined();
  });

  it('stays inside the limits with very long evidence lines', () => {
    const long = RULED_OUT.map((r) => ({ ...r, evidence: `${r.evidence} ${'x'.repeat(900)}` }));
    const { text } = contextText(host(long));
    expect(text?.length).toBeLessThanOrEqual(2000);
  });

  it('the evidence file in the thread has every one', () => {
    const file = renderEvidenceFile(report(host(RULED_OUT)));
    expect(file).toContain('   ruled out:');
    for (const r of RULED_OUT) expect(file).toContain(`     ${r.cause}: ${r.evidence}`);
  });
});
