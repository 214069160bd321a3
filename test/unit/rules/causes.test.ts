import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnosis/diagnose.js';
import { APACHE_CASES } from './cases-apache.js';
import { APP_CASES } from './cases-app.js';
import { type CauseCase, CONNECT_CASES } from './cases-connect.js';
import { NETWORK_CASES } from './cases-network.js';
import { NGINX_CASES } from './cases-nginx.js';
import { PROTOCOL_CASES } from './cases-protocol.js';
import { PUMA_CASES } from './cases-puma.js';

const CASES: CauseCase[] = [
  ...CONNECT_CASES,
  ...NETWORK_CASES,
  ...APP_CASES,
  ...PROTOCOL_CASES,
  ...PUMA_CASES,
  ...APACHE_CASES,
  ...NGINX_CASES,
];

describe('diagnose: the first finding names the cause (one case per catalog cause)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const findings = diagnose(c.evidence());
    const first = findings[0];
    expect(first?.cause, JSON.stringify(findings.map((f) => [f.cause, f.confidence, f.title]))).toBe(c.cause);
    if (!first) return;
    expect(first.evidence).toContain(c.verbatim);
    const remediation = first.remediation.join('\n');
    for (const m of c.mentions) expect(remediation).toContain(m);
    for (const [id, kind] of c.actions)
      expect(first.actions).toContainEqual(expect.objectContaining({ id, kind }));
    const [lo, hi] = c.confidence ?? [0.5, 0.99];
    expect(first.confidence).toBeGreaterThanOrEqual(lo);
    expect(first.confidence).toBeLessThanOrEqual(hi);
    if (c.titleHas) expect(first.title).toContain(c.titleHas);
    // Evidence lines stay verbatim and few: at most ~5 raw log lines per signature group.
    expect(first.evidence.length).toBeLessThanOrEqual(14);
  });
});
