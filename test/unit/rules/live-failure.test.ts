import { describe, expect, it } from 'vitest';
import { EXIT_OK, exitCodeFor } from '../../../src/cli/run-cli.js';
import { diagnose } from '../../../src/diagnosis/diagnose.js';
import type { Evidence } from '../../../src/diagnosis/evidence.js';
import { hostVerdict } from '../../../src/pipeline/verdict.js';
import type { TargetState } from '../../../src/probes/target-state.js';
import { healthy, setTarget, withErrors, withSite } from './evidence-builder.js';
import * as L from './lines.js';

/** The host's verdict and exit code as the CLI gives them, from the evidence alone. */
function verdictOf(ev: Evidence) {
  const findings = diagnose(ev);
  const { verdict } = hostVerdict(findings, ev.unavailable);
  return { findings, verdict, code: exitCodeFor({ verdict }) };
}

const REMOTE_SITE = `server {
    listen 80;
    server_name api.example.com;
    location / {
        proxy_pass http://10.0.9.20:8080;
    }
}
server {
    listen 80;
    server_name names.example.com;
    location / {
        proxy_pass http://app.internal:8000;
    }
}
`;

describe('a check that fails now is a finding, even with silent logs (issue 18 item 2)', () => {
  const cases: {
    kind: string;
    target: string;
    state: TargetState;
    detail: string;
    cause: string;
    site?: string;
  }[] = [
    {
      kind: 'TCP refused',
      target: '127.0.0.1:8081',
      state: 'refused',
      detail: 'nothing listens on 127.0.0.1:8081 (connection refused)',
      cause: 'upstream-down',
    },
    {
      kind: 'TCP timeout (remote)',
      target: '10.0.9.20:8080',
      state: 'timeout',
      detail: '10.0.9.20:8080 did not answer within 2 s',
      cause: 'network-blocked',
      site: REMOTE_SITE,
    },
    {
      kind: 'TCP timeout (loopback)',
      target: '127.0.0.1:8081',
      state: 'timeout',
      detail: '127.0.0.1:8081 did not answer within 2 s',
      cause: 'upstream-not-accepting',
    },
    {
      kind: 'unix socket missing',
      target: 'unix:/run/php/php8.2-fpm.sock',
      state: 'missing',
      detail: '/run/php/php8.2-fpm.sock does not exist',
      cause: 'socket-missing',
    },
    {
      kind: 'unix socket stale',
      target: 'unix:/run/php/php8.2-fpm.sock',
      state: 'stale',
      detail: '/run/php/php8.2-fpm.sock exists but nobody listens',
      cause: 'socket-stale',
    },
    {
      kind: 'DNS (name does not resolve)',
      target: 'app.internal:8000',
      state: 'unresolved',
      detail: 'app.internal does not resolve',
      cause: 'dns-failure',
      site: REMOTE_SITE,
    },
  ];

  for (const c of cases) {
    it(`${c.kind}: ${c.cause} is ranked, the verdict is a cause and the exit code is not 0`, () => {
      const ev = c.site ? withSite(healthy(), c.site) : healthy();
      setTarget(ev, c.target, c.state, c.detail);
      expect(diagnose(healthy()).map((f) => f.cause)).toEqual(['no-502-evidence']);
      const { findings, verdict, code } = verdictOf(ev);
      expect(findings.map((f) => f.cause)).not.toContain('no-502-evidence');
      expect(findings[0]?.cause).toBe(c.cause);
      expect(findings[0]?.confidence).toBeLessThan(0.8);
      expect(findings[0]?.evidence.join('\n')).toContain(c.detail);
      expect(verdict).toBe('cause-found');
      expect(code).not.toBe(EXIT_OK);
    });
  }

  it('says that no log showed 502s, which logs were read, and where else they may be', () => {
    const ev = setTarget(healthy(), '127.0.0.1:8081', 'refused', 'nothing listens on 127.0.0.1:8081');
    const f = diagnose(ev)[0];
    expect(f?.title).toContain('127.0.0.1:8081 (upstream app_backend) refuses connections now');
    const text = f?.evidence.join('\n') ?? '';
    expect(text).toContain('no log read showed a 502 for it (read: /var/log/nginx/error.log)');
    expect(text).toMatch(/rotated away/);
    expect(text).toMatch(/no request reached it yet/);
    expect(text).toContain('server shop.example.com, location /');
  });

  it('with no error log read at all it still ranks the live failure and says so', () => {
    const ev = setTarget(healthy(), '127.0.0.1:8081', 'refused', 'nothing listens on 127.0.0.1:8081');
    ev.errorLog = undefined;
    ev.unavailable = { 'error-log': '/var/log/nginx/error.log is missing' };
    const { findings, verdict, code } = verdictOf(ev);
    expect(findings[0]?.cause).toBe('upstream-down');
    expect(findings[0]?.evidence).toContain('no error log could be read');
    expect(verdict).toBe('cause-found');
    expect(code).not.toBe(EXIT_OK);
  });

  it('a target the log already explains is not reported twice; the log-confirmed cause ranks first', () => {
    const ev = withErrors(healthy(), L.REFUSED_8081.join('\n'));
    setTarget(ev, '127.0.0.1:8081', 'refused', 'nothing listens on 127.0.0.1:8081 (connection refused)');
    setTarget(ev, 'unix:/run/php/php8.2-fpm.sock', 'missing', '/run/php/php8.2-fpm.sock does not exist');
    const fs = diagnose(ev);
    expect(fs[0]?.cause).toBe('upstream-down');
    expect(fs[0]?.confidence).toBeGreaterThanOrEqual(0.9);
    const live = fs.find((f) => f.cause === 'socket-missing');
    expect(live?.confidence).toBeLessThan(fs[0]?.confidence ?? 0);
    expect(fs.filter((f) => f.title.includes('127.0.0.1:8081') && f.title.includes('now, though'))).toEqual(
      [],
    );
  });
});
