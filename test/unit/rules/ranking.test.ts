import { describe, expect, it } from 'vitest';
import { diagnose, isSymptom, merge, rank } from '../../../src/diagnosis/diagnose.js';
import type { Finding } from '../../../src/diagnosis/finding.js';
import { healthy, setTarget, svc, withErrors, withSite } from './evidence-builder.js';
import * as L from './lines.js';
import { kernelLog } from './log-builders.js';

const causes = (fs: Finding[]) => fs.map((f) => f.cause);

describe('no-502-evidence', () => {
  it('a healthy host gives exactly one no-502-evidence, with high confidence', () => {
    const fs = diagnose(healthy());
    expect(causes(fs)).toEqual(['no-502-evidence']);
    expect(fs[0]?.confidence).toBeGreaterThanOrEqual(0.85);
    expect(fs[0]?.evidence).toContain('127.0.0.1:8081 accepts connections');
  });

  it('names the probes that could not run and lowers the confidence', () => {
    const ev = healthy();
    ev.errorLog = undefined;
    ev.kernel = undefined;
    ev.unavailable = {
      'error-log': 'sudo: a password is required',
      'kernel-log': 'dmesg: read kernel buffer failed: Operation not permitted',
    };
    const fs = diagnose(ev);
    expect(causes(fs)).toEqual(['no-502-evidence']);
    expect(fs[0]?.confidence).toBeLessThan(0.5);
    expect(fs[0]?.evidence).toContain('not checked: the nginx error log could not be read');
    expect(fs[0]?.evidence).toContain('could not check error-log: sudo: a password is required');
    expect(fs[0]?.title).toContain('could not run');
  });

  it('an error_log level of crit makes the answer weaker (nginx hides [error] lines)', () => {
    const ev = healthy();
    const full = diagnose(ev)[0]?.confidence ?? 0;
    ev.nginx.config?.errorLogs.splice(0, 1, { path: '/var/log/nginx/error.log', level: 'crit' });
    const blind = diagnose(ev)[0];
    expect(blind?.cause).toBe('no-502-evidence');
    expect(blind?.confidence).toBeLessThan(full - 0.2);
  });
});

describe('ranking', () => {
  it('no live upstreams after refusals + probe refused: upstream-down first, the symptom later', () => {
    const site =
      'upstream app_backend {\n    server 127.0.0.1:8081;\n    server 127.0.0.1:8082;\n}\nserver {\n    listen 80;\n    location / {\n        proxy_pass http://app_backend;\n    }\n}\n';
    const ev = withSite(healthy(), site);
    const noLive = `2026/11/21 10:12:30 [error] 2131#2131: *8814 no live upstreams while connecting to upstream, client: 203.0.113.7, server: shop.example.com, request: "GET /cart HTTP/1.1", upstream: "http://app_backend/cart", host: "shop.example.com"`;
    withErrors(ev, [...L.REFUSED_8081, noLive].join('\n'));
    setTarget(ev, '127.0.0.1:8081', 'refused', 'nothing listens on 127.0.0.1:8081 (connection refused)');
    Object.assign(svc(ev, 'app'), { running: false, listening: [] });
    const fs = diagnose(ev);
    expect(fs[0]?.cause).toBe('upstream-down');
    expect(causes(fs)).toContain('no-live-upstreams');
    expect(causes(fs).indexOf('no-live-upstreams')).toBeGreaterThan(0);
    expect(fs.find((f) => f.cause === 'no-live-upstreams')?.evidence).toContain(noLive);
  });

  it('a symptom ranks after a cause even when the cause is less confident', () => {
    const mk = (cause: Finding['cause'], confidence: number): Finding => ({
      cause,
      confidence,
      title: cause,
      evidence: [],
      remediation: [],
      actions: [],
    });
    expect(causes(rank([mk('no-live-upstreams', 0.9), mk('host-overload', 0.3)]))).toEqual([
      'host-overload',
      'no-live-upstreams',
    ]);
    expect(isSymptom('no-live-upstreams')).toBe(true);
    expect(isSymptom('upstream-down')).toBe(false);
  });

  it('OOM + 104 resets + refusals: upstream-oom-killed first, and no finding offers a safe restart of the app', () => {
    const ev = withErrors(healthy(), [L.RESET_8081('10:09:58', 1), ...L.REFUSED_8081.slice(2)].join('\n'));
    ev.kernel = kernelLog(
      '[Sat Nov 21 10:09:57 2026] Out of memory: Killed process 4100 (gunicorn) total-vm:2466228kB, anon-rss:1893764kB',
    );
    expect(ev.kernel.oomKills).toHaveLength(1);
    setTarget(ev, '127.0.0.1:8081', 'refused', 'nothing listens on 127.0.0.1:8081 (connection refused)');
    Object.assign(svc(ev, 'app'), { running: false, listening: [] });
    const fs = diagnose(ev);
    expect(fs[0]?.cause).toBe('upstream-oom-killed');
    expect(causes(fs)).toContain('upstream-down');
    const restarts = fs.flatMap((f) => f.actions).filter((a) => a.id === 'restart-service:app');
    expect(restarts.length).toBeGreaterThan(0);
    expect(restarts.every((a) => a.kind === 'human')).toBe(true);
  });

  it('errno 13 on a unix socket with SELinux enforcing and a connectto denial is mac-denied, not socket-permission', () => {
    const line =
      '2023/05/09 14:01:55 [crit] 911#911: *3 connect() to unix:/run/fcgiwrap/fcgiwrap-nginx.sock failed (13: Permission denied) while connecting to upstream, client: 10.0.0.2, server: git.example.com, request: "GET /cgit/ HTTP/1.1", upstream: "fastcgi://unix:/run/fcgiwrap/fcgiwrap-nginx.sock:", host: "git.example.com"';
    const ev = withErrors(healthy(), line);
    ev.security = { selinux: 'enforcing', denials: [L.CATALOG_AVC_SOCKET], blockingRules: [] };
    const fs = diagnose(ev);
    expect(fs[0]?.cause).toBe('mac-denied');
    expect(fs[0]?.evidence).toContain(L.CATALOG_AVC_SOCKET);
    expect(causes(fs)).not.toContain('socket-permission');
  });

  it('TCP errno 13 without any security evidence is still mac-denied, at signature-only confidence', () => {
    const ev = withErrors(healthy(), L.CATALOG_TCP_EACCES);
    ev.security = undefined;
    const f = diagnose(ev)[0];
    expect(f?.cause).toBe('mac-denied');
    expect(f?.confidence).toBeLessThan(0.8);
  });

  it('worker_connections are not enough is reported with status 500 from the parser', () => {
    const ev = withErrors(healthy(), L.CATALOG_WORKER_CONNS);
    expect(ev.errorLog?.entries[0]?.status).toBe(500);
    const f = diagnose(ev)[0];
    expect(f?.cause).toBe('worker-connections-exhausted');
    expect(f?.title).toContain('500');
  });
});

describe('confidence follows what could be confirmed', () => {
  const refused = () => withErrors(healthy(), L.REFUSED_8081.join('\n'));

  it('refusals to a target that answers now, no restart: historical, said so, low confidence', () => {
    const f = diagnose(refused())[0];
    expect(f?.cause).toBe('upstream-down');
    expect(f?.title).toContain('earlier in the window');
    expect(f?.confidence).toBeLessThan(0.5);
  });

  it('a target the probe could not check reads as unconfirmed, not as healthy', () => {
    const ev = refused();
    setTarget(ev, '127.0.0.1:8081', 'unknown', '127.0.0.1:8081: not checked');
    const f = diagnose(ev)[0];
    expect(f?.cause).toBe('upstream-down');
    expect(f?.confidence).toBeGreaterThanOrEqual(0.55);
    expect(f?.confidence).toBeLessThan(0.75);
    expect(f?.title).not.toContain('earlier');
  });

  it('unexplained resets give a low-confidence candidate instead of no-502-evidence', () => {
    const lines = Array.from({ length: 40 }, (_, i) =>
      L.RESET_8081(`10:${String(10 + (i % 40)).padStart(2, '0')}:00`, i + 1),
    );
    const ev = withErrors(healthy(), lines.join('\n'));
    ev.accessLog = undefined;
    const fs = diagnose(ev);
    expect(fs).toHaveLength(1);
    expect(fs[0]?.cause).not.toBe('no-502-evidence');
    expect(fs[0]?.confidence).toBeLessThanOrEqual(0.4);
    expect(fs[0]?.title).toContain('40 × recv() failed (104: Connection reset by peer)');
  });
});

describe('merge', () => {
  it('keeps the most confident finding of a cause and unions the evidence', () => {
    const a: Finding = {
      cause: 'upstream-down',
      confidence: 0.6,
      title: 'a',
      evidence: ['x', 'y'],
      remediation: ['r1'],
      actions: [{ id: 'k', kind: 'human', label: 'k' }],
    };
    const b: Finding = {
      cause: 'upstream-down',
      confidence: 0.9,
      title: 'b',
      evidence: ['y', 'z'],
      remediation: ['r2'],
      actions: [{ id: 'k', kind: 'safe', label: 'k' }],
    };
    const [m] = merge([a, b]);
    expect(m?.title).toBe('b');
    expect(m?.confidence).toBe(0.9);
    expect(m?.evidence).toEqual(['y', 'z', 'x']);
    expect(m?.actions).toEqual([{ id: 'k', kind: 'safe', label: 'k' }]);
  });

  it('one rule throwing does not sink the report', () => {
    const errors: string[] = [];
    const boom = () => {
      throw new Error('boom');
    };
    const fs = diagnose(healthy(), { rules: [boom], onRuleError: (name) => errors.push(name) });
    expect(causes(fs)).toEqual(['no-502-evidence']);
    expect(errors).toEqual(['boom']);
  });
});
