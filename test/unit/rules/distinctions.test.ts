import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnosis/diagnose.js';
import type { Finding } from '../../../src/diagnosis/finding.js';
import { healthy, setTarget, svc, withErrors } from './evidence-builder.js';
import * as L from './lines.js';
import { accessStats, appLog } from './log-builders.js';

const causes = (fs: Finding[]) => fs.map((f) => f.cause);
const of = (fs: Finding[], cause: Finding['cause']) => fs.find((f) => f.cause === cause);

describe('telling look-alike causes apart', () => {
  it('gunicorn SIGKILL "Perhaps out of memory?" right after WORKER TIMEOUT is the watchdog, not an OOM', () => {
    const ev = withErrors(
      healthy(),
      [L.PREMATURE_8081('10:03:00', 1), L.PREMATURE_8081('10:08:30', 2)].join('\n'),
    );
    svc(ev, 'app').logLines = appLog(
      'gunicorn',
      [
        '[2026-11-21 10:08:30 +0000] [4100] [CRITICAL] WORKER TIMEOUT (pid:4188)',
        '[2026-11-21 10:08:31 +0000] [4100] [ERROR] Worker (pid:4188) was sent SIGKILL! Perhaps out of memory?',
      ].join('\n'),
    );
    const fs = diagnose(ev);
    expect(fs[0]?.cause).toBe('app-worker-timeout');
    expect(of(fs, 'upstream-oom-killed')?.confidence ?? 0).toBeLessThan(0.5);
  });

  it('nginx -t failing on "host not found in upstream" is a DNS failure first, and the config finding follows', () => {
    const ev = healthy();
    ev.nginx.configTestOk = false;
    ev.nginx.configTestOutput = [
      'nginx: [emerg] host not found in upstream "app:8000" in /etc/nginx/conf.d/app.conf:12',
      'nginx: configuration file /etc/nginx/nginx.conf test failed',
    ];
    const fs = diagnose(ev);
    expect(fs[0]?.cause).toBe('dns-failure');
    expect(fs[0]?.title).toContain('app:8000');
    expect(fs[0]?.evidence).toContain(
      'nginx: [emerg] host not found in upstream "app:8000" in /etc/nginx/conf.d/app.conf:12',
    );
    expect(of(fs, 'nginx-config-invalid')?.title).toContain('/etc/nginx/conf.d/app.conf:12');
  });

  it('errors that continue after the restart are not a restart window', () => {
    const ev = withErrors(healthy(), L.REFUSED_8081.join('\n'));
    svc(ev, 'app').ageS = 480; // started 10:07:00, last refusal 10:12:01
    expect(diagnose(ev)[0]?.cause).not.toBe('restart-window');
  });

  it('a running service that does not listen gets no safe restart', () => {
    const ev = withErrors(healthy(), L.REFUSED_8081.join('\n'));
    setTarget(ev, '127.0.0.1:8081', 'refused', 'nothing listens on 127.0.0.1:8081 (connection refused)');
    svc(ev, 'app').listening = [];
    const f = diagnose(ev)[0];
    expect(f?.cause).toBe('upstream-down');
    expect(f?.title).toContain('app runs but does not listen there');
    expect(f?.actions).toContainEqual(expect.objectContaining({ id: 'restart-service:app', kind: 'human' }));
  });

  it('a crash loop (3+ restarts) is not restarted automatically', () => {
    const ev = withErrors(healthy(), L.REFUSED_8081.join('\n'));
    setTarget(ev, '127.0.0.1:8081', 'refused', 'nothing listens on 127.0.0.1:8081 (connection refused)');
    Object.assign(svc(ev, 'app'), { running: false, listening: [], settings: { restarts: '7' } });
    expect(diagnose(ev)[0]?.actions).toContainEqual(
      expect.objectContaining({ id: 'restart-service:app', kind: 'human' }),
    );
  });

  it('read timeouts on a saturated host also report host-overload, below the timeout finding', () => {
    const ev = withErrors(
      healthy(),
      L.at(
        '10:11:00',
        77,
        'upstream timed out (110: Connection timed out) while reading response header from upstream',
        '/search',
      ),
    );
    ev.resources = {
      ...ev.resources,
      cpus: 4,
      load1: 19.5,
      memTotalKb: 8_000_000,
      memAvailableKb: 150_000,
      psi: { cpu: 71 },
      disks: [],
    };
    const fs = diagnose(ev);
    expect(fs[0]?.cause).toBe('upstream-slow');
    expect(of(fs, 'host-overload')?.evidence).toContain('load1 19.5 on 4 CPUs');
  });

  it('a busy host with no upstream errors is still no-502-evidence', () => {
    const ev = healthy();
    if (ev.resources) ev.resources.load1 = 30;
    expect(causes(diagnose(ev))).toEqual(['no-502-evidence']);
  });

  it('no errors in the window beside a target that fails now: the live failure is the finding, never "no 502 evidence" (issue 18)', () => {
    const ev = healthy();
    setTarget(ev, '127.0.0.1:8081', 'refused', 'nothing listens on 127.0.0.1:8081 (connection refused)');
    const fs = diagnose(ev);
    const f = fs[0];
    expect(f?.cause).toBe('upstream-down');
    expect(f?.title).toBe(
      '127.0.0.1:8081 (upstream app_backend) refuses connections now, though no log line of the last 15m shows a 502 for it',
    );
    expect(f?.evidence).toContain('nothing listens on 127.0.0.1:8081 (connection refused)');
    expect(causes(fs)).not.toContain('no-502-evidence');
  });

  it('keepalive race is not claimed when the resets are many (not sporadic)', () => {
    const ev = withErrors(
      healthy(),
      Array.from({ length: 20 }, (_, i) => L.PREMATURE_8081('10:10:00', i, '/x', 'POST')).join('\n'),
    );
    const ok = `203.0.113.7 - - [21/Nov/2026:10:05:01 +0000] "GET /cart HTTP/1.1" 200 5120 "-" "Mozilla/5.0" rt=0.031 ua="127.0.0.1:8081" us="200" uct="0.000" uht="0.030" urt="0.030" ul="5120" cs=- host="shop.example.com"`;
    ev.accessLog = accessStats(Array.from({ length: 100 }, () => ok).join('\n'));
    expect(causes(diagnose(ev))).not.toContain('keepalive-race');
  });
});
