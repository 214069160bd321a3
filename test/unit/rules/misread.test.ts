import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnosis/diagnose.js';
import type { CauseCase } from './cases-connect.js';
import {
  MAIN_EXT,
  MAIN_EXT_502,
  MISREAD_CASES,
  OOM_CASES,
  RELAYED_CASES,
  RESTART_CASES,
  withAccess,
} from './cases-misread.js';
import { DEFAULT_SITE, healthy, withErrors, withSite } from './evidence-builder.js';
import * as L from './lines.js';
import { kernelLog } from './log-builders.js';

// Issue 9 section 3: causes the evidence showed while the rules read it wrong.
const CASES: CauseCase[] = [...MISREAD_CASES, ...RELAYED_CASES, ...RESTART_CASES, ...OOM_CASES];

describe('diagnose: causes read right on hosts nobody tuned for (issue 9)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const findings = diagnose(c.evidence());
    const first = findings[0];
    const summary = JSON.stringify(findings.map((f) => [f.cause, f.confidence, f.title]));
    expect(first?.cause, summary).toBe(c.cause);
    if (!first) return;
    expect(first.evidence, summary).toContain(c.verbatim);
    const remediation = first.remediation.join('\n');
    for (const m of c.mentions) expect(remediation, summary).toContain(m);
    for (const [id, kind] of c.actions)
      expect(first.actions, summary).toContainEqual(expect.objectContaining({ id, kind }));
    const [lo, hi] = c.confidence ?? [0.5, 0.99];
    expect(first.confidence, summary).toBeGreaterThanOrEqual(lo);
    expect(first.confidence, summary).toBeLessThanOrEqual(hi);
    if (c.titleHas) expect(first.title).toContain(c.titleHas);
  });
});

describe("an OOM kill that is not the upstream's process is context, ranked below", () => {
  const unrelated = OOM_CASES[0];
  it('the kill is still reported, below the direct evidence, and says why it is not tied', () => {
    if (!unrelated) throw new Error('no case');
    const findings = diagnose(unrelated.evidence());
    const oom = findings.find((f) => f.cause === 'upstream-oom-killed');
    expect(oom?.confidence).toBeLessThan(findings[0]?.confidence ?? 0);
    expect(oom?.title).toContain('not tied to the failing upstream');
    expect(oom?.evidence.join('\n')).toContain('Killed process 88123 (node)');
  });

  it('a kill after the last error cannot have caused them', () => {
    const ev = withErrors(healthy(), [L.RESET_8081('10:09:58', 1), L.RESET_8081('10:10:02', 2)].join('\n'));
    ev.kernel = kernelLog(
      '[Sat Nov 21 10:13:40 2026] Out of memory: Killed process 4188 (gunicorn) total-vm:2466228kB, anon-rss:1893764kB, file-rss:0kB, shmem-rss:0kB, UID:33 pgtables:4012kB oom_score_adj:0',
    );
    const oom = diagnose(ev).find((f) => f.cause === 'upstream-oom-killed');
    expect(oom?.confidence).toBeLessThanOrEqual(0.3);
    expect(oom?.title).toContain('not tied to the failing upstream');
  });
});

describe("a 502 in $upstream_status without $upstream_header_time is the peer's only when nginx logged nothing", () => {
  const causes = (ev: ReturnType<typeof healthy>) => diagnose(ev).map((f) => f.cause);

  it('error_log at crit hides the [error] lines of nginx-made 502s: no C26 from silence', () => {
    const ev = withAccess(withSite(healthy(), DEFAULT_SITE), MAIN_EXT, MAIN_EXT_502);
    const cfg = ev.nginx.config;
    if (cfg) cfg.errorLogs = [{ path: '/var/log/nginx/error.log', level: 'crit' }];
    expect(causes(ev)).not.toContain('upstream-returned-502');
  });

  it('a server with an error_log of its own (unread) proves nothing', () => {
    const ev = withAccess(healthy(), MAIN_EXT, MAIN_EXT_502);
    ev.nginx.config?.errorLogs.push({ path: '/var/log/nginx/shop.error.log' });
    expect(causes(ev)).not.toContain('upstream-returned-502');
  });

  it('nginx logged refusals for them: nginx made those 502s', () => {
    const ev = withAccess(withErrors(healthy(), L.REFUSED_8081.join('\n')), MAIN_EXT, MAIN_EXT_502);
    expect(causes(ev)[0]).toBe('upstream-down');
    expect(causes(ev)).not.toContain('upstream-returned-502');
  });
});
