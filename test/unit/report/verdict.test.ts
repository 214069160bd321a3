import { describe, expect, it } from 'vitest';
import { USAGE } from '../../../src/cli/parse-args.js';
import { EXIT_CAUSE_FOUND, EXIT_INCONCLUSIVE, EXIT_OK, exitCodeFor } from '../../../src/cli/run-cli.js';
import type { Finding } from '../../../src/diagnosis/finding.js';
import { hostVerdict, targetVerdict } from '../../../src/pipeline/verdict.js';
import { renderJson } from '../../../src/report/render-json.js';
import { renderTerminal } from '../../../src/report/render-terminal.js';
import type { HostReport, TargetReport } from '../../../src/report/types.js';

const finding = (cause: Finding['cause'], confidence: number): Finding => ({
  cause,
  confidence,
  title: `${cause} title`,
  evidence: [],
  remediation: [],
  actions: [],
});

const allClear = finding('no-502-evidence', 0.45);
const stuckLog = { 'error-log': 'timed out after 3 s', kernel: 'dmesg restricted' };

describe('the verdict: a report that could not look is never "all clear"', () => {
  it('no cause and an essential check that could not run: inconclusive, and no-502-evidence is dropped', () => {
    const v = hostVerdict([allClear], stuckLog);
    expect(v.verdict).toBe('inconclusive');
    expect(v.notChecked).toEqual([{ check: 'error-log', reason: 'timed out after 3 s' }]);
    expect(v.findings).toEqual([]);
    expect(hostVerdict([allClear], { 'nginx-config': 'not run: x' }).verdict).toBe('inconclusive');
  });

  it('a cause stays the answer, ranked as before, with what could not be checked beside it', () => {
    const v = hostVerdict([finding('dns-failure', 0.95), finding('no-live-upstreams', 0.5)], stuckLog);
    expect(v.verdict).toBe('cause-found');
    expect(v.findings.map((f) => f.cause)).toEqual(['dns-failure', 'no-live-upstreams']);
    expect(v.notChecked.map((n) => n.check)).toEqual(['error-log']);
  });

  it('no cause with every essential check run is "no cause", whatever non-essential check failed', () => {
    const v = hostVerdict([allClear], { kernel: 'dmesg restricted', 'access-log': 'missing' });
    expect(v.verdict).toBe('no-cause');
    expect(v.findings).toEqual([allClear]);
  });

  it('over hosts: a cause anywhere wins, then inconclusive, and the exit code follows (1, 3, 0)', () => {
    const hosts = (...vs: HostReport['verdict'][]) => vs.map((verdict) => ({ verdict }));
    expect(targetVerdict(hosts('no-cause', 'inconclusive', 'cause-found'))).toBe('cause-found');
    expect(targetVerdict(hosts('no-cause', 'inconclusive'))).toBe('inconclusive');
    expect(targetVerdict(hosts('no-cause', 'no-cause'))).toBe('no-cause');
    expect(exitCodeFor({ verdict: 'cause-found' })).toBe(EXIT_CAUSE_FOUND);
    expect(exitCodeFor({ verdict: 'inconclusive' })).toBe(EXIT_INCONCLUSIVE);
    expect(EXIT_INCONCLUSIVE).toBe(3);
    expect(exitCodeFor({ verdict: 'no-cause' })).toBe(EXIT_OK);
    expect(USAGE).toMatch(/Exit codes: 0 .*1 .*\n?.*2 .*3 inconclusive/s);
  });

  it('the terminal and the JSON report show the verdict and what could not be checked', () => {
    const host: HostReport = {
      host: 'web-1',
      address: '10.88.41.11',
      durationMs: 4200,
      ...(({ verdict, notChecked, findings }) => ({ verdict, notChecked, findings }))(
        hostVerdict([allClear], stuckLog, { 'error-log': 'tail -n 100 /var/log/nginx/error.log' }),
      ),
      checks: [
        {
          id: 'error-log',
          status: 'error',
          summary: 'could not check: timed out after 3 s',
          durationMs: 3100,
        },
      ],
    };
    const report: TargetReport = {
      target: 'web-1',
      verdict: targetVerdict([host]),
      sinceS: 900,
      startedAt: '2026-11-25T10:00:00.000Z',
      hosts: [host],
    };
    const text = renderTerminal(report, false);
    expect(text).toContain('0 of 1 host with a 502/504 cause, 1 inconclusive');
    expect(text).toContain('VERDICT inconclusive no 502/504 cause found, but error-log could not be checked');
    expect(text).toContain('? error-log: timed out after 3 s');
    expect(text).toContain('2. Meanwhile, by hand on 10.88.41.11: tail -n 100 /var/log/nginx/error.log');
    expect(text).not.toContain('no-502-evidence');
    const doc = JSON.parse(renderJson(report));
    expect(doc.verdict).toBe('inconclusive');
    expect(doc.hosts[0].verdict).toBe('inconclusive');
    expect(doc.hosts[0].notChecked).toEqual([
      { check: 'error-log', reason: 'timed out after 3 s', byHand: 'tail -n 100 /var/log/nginx/error.log' },
    ]);
  });
});
