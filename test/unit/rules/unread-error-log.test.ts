import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../../src/cli/run-cli.js';
import { diagnose } from '../../../src/diagnosis/diagnose.js';
import { hostVerdict, targetVerdict } from '../../../src/pipeline/verdict.js';
import { renderTerminal } from '../../../src/report/render-terminal.js';
import type { HostReport } from '../../../src/report/types.js';
import { TOO_LARGE_ACCESS } from '../lab-captured.js';
import { healthy } from './evidence-builder.js';
import { accessStats } from './log-builders.js';

/** Two real 502 lines in the access log; the error log, whose lines would say why, was not read. */
function unreadErrorLog(reason: string) {
  const ev = healthy();
  ev.errorLog = undefined;
  ev.unavailable = { 'error-log': reason };
  ev.accessLog = accessStats(TOO_LARGE_ACCESS);
  return ev;
}

describe('502s in the access log while the error log could not be read', () => {
  it('says the error log could not be read (and why), not that no line of it explains them', () => {
    const [f, ...rest] = diagnose(unreadErrorLog('timed out after 3 s'));
    expect(rest).toEqual([]);
    expect(f?.title).toBe(
      '2 × 502/504 in the access log in the last 15m; the error log could not be read (timed out after 3 s): its lines would name the cause',
    );
    expect(f?.title).not.toContain('no error-log line');
    expect(f?.context).toBe(true);
    expect(f?.evidence[0]).toContain('"POST /upload HTTP/1.1" 502');
  });

  it('is inconclusive (exit 3) with the 502 count as context, not cause-found on a 0.2 guess', () => {
    const findings = diagnose(unreadErrorLog('/var/log/nginx/error.log is unreadable'));
    const v = hostVerdict(
      findings,
      { 'error-log': '/var/log/nginx/error.log is unreadable' },
      {
        'error-log': 'tail -n 100 /var/log/nginx/error.log',
      },
    );
    expect(v.verdict).toBe('inconclusive');
    expect(v.findings).toEqual(findings);
    const host: HostReport = { host: 'web-3', address: '10.0.0.13', durationMs: 900, checks: [], ...v };
    expect(exitCodeFor({ verdict: targetVerdict([host]) })).toBe(3);
    const text = renderTerminal(
      { target: 'web-3', verdict: 'inconclusive', sinceS: 900, startedAt: '', hosts: [host] },
      false,
    );
    expect(text).toContain('VERDICT inconclusive no 502/504 cause found, but error-log could not be checked');
    expect(text).toMatch(/Also seen \(not a cause\)\n +2 × 502\/504 in the access log/);
    expect(text).not.toMatch(/VERDICT upstream-down/);
  });

  it('with the error log read and silent, the old finding stays: a low-confidence cause', () => {
    const ev = healthy();
    ev.accessLog = accessStats(TOO_LARGE_ACCESS);
    const [f] = diagnose(ev);
    expect(f?.title).toContain('but no error-log line explains them');
    expect(f?.context).toBeUndefined();
    expect(hostVerdict(diagnose(ev), {}).verdict).toBe('cause-found');
  });
});
