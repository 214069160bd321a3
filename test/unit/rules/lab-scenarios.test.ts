/**
 * The diagnoses the end-to-end lab run got wrong before the fixes, rebuilt from the lines the lab
 * hosts really wrote (../lab-captured.ts): a Node app behind `upstream app_backend { keepalive 16; }`
 * on nginx 1.22, as the lab runs it.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnosis/diagnose.js';
import type { Evidence } from '../../../src/diagnosis/evidence.js';
import type { Finding } from '../../../src/diagnosis/finding.js';
import { parseAppLog } from '../../../src/parse/parse-app-log.js';
import { parseProcesses } from '../../../src/probes/defs/processes.js';
import { parseSystem, topCpu } from '../../../src/probes/defs/system.js';
import * as C from '../lab-captured.js';
import { healthy, service, setTarget, withErrors, withSite } from './evidence-builder.js';
import { accessStats } from './log-builders.js';

/** The host-overload web host: its system probe output, with the ps list of the same batch. */
function overloadedHost(systemProbe: string): Evidence {
  const ev = labHost();
  const s = parseSystem(systemProbe);
  const procs = parseProcesses(C.OVERLOADED_PROCESSES_PROBE);
  ev.resources = {
    ...ev.resources,
    disks: [],
    cpus: s.cpus,
    cpuBusyPct: s.cpuBusyPct,
    topCpu: topCpu(s.busiest, procs),
  };
  return ev;
}

const LAB_SITE = `upstream app_backend {
    server 127.0.0.1:8081;
    keepalive 16;
}
server {
    listen 80 default_server;
    server_name web-1;
    location / {
        proxy_pass http://app_backend;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_read_timeout 3s;
    }
}
`;

/** The lab web host just after the captured lines (`hhmm` UTC): a window of the last two minutes. */
function labHost(appLogText = '', hhmm = '11:21'): Evidence {
  const ev = withSite(healthy(), LAB_SITE);
  ev.nginx.version = '1.22.1';
  const [h = 0, m = 0] = hhmm.split(':').map(Number);
  ev.collectedAtMs = Date.UTC(2026, 10, 21, h, m, 0);
  ev.windowStartMs = ev.collectedAtMs - 120_000;
  ev.accessLog = accessStats('');
  ev.services = [
    service('app', 'node', ['127.0.0.1:8081'], {
      logLines: parseAppLog('node', appLogText, { sinceMs: ev.windowStartMs, utcOffsetMinutes: 0 }),
    }),
  ];
  return ev;
}

const causes = (fs: Finding[]) => fs.map((f) => f.cause);

describe('lab scenarios, from their captured lines', () => {
  it('app-crash-mid-request: a Node uncaught-exception trace in the app log is upstream-crash', () => {
    const ev = withErrors(labHost(C.CRASH_APP_LOG, '11:17'), C.CRASH_NGINX);
    setTarget(ev, '127.0.0.1:8081', 'refused', 'nothing listens on 127.0.0.1:8081 (connection refused)');
    Object.assign(ev.services[0] ?? {}, { running: false, pids: [], listening: [] });
    const [first] = diagnose(ev);
    expect(first?.cause).toBe('upstream-crash');
    expect(first?.evidence).toContain(C.CRASH_ERROR_LINE);
    expect(first?.evidence).toContain(C.CRASH_NGINX);
    expect(first?.actions).toContainEqual(
      expect.objectContaining({ id: 'restart-service:app', kind: 'safe' }),
    );
  });

  it('keepalive-race: two of four POSTs fail on a quiet server that answers the rest', () => {
    const ev = withErrors(labHost(), C.KEEPALIVE_NGINX.join('\n'));
    ev.accessLog = accessStats(C.KEEPALIVE_ACCESS);
    const [first] = diagnose(ev);
    expect(first?.cause).toBe('keepalive-race');
    expect(first?.evidence).toContain(C.KEEPALIVE_NGINX[1]);
    expect(first?.remediation.join('\n')).toContain('keepalive_timeout 4s; inside upstream app_backend');
    expect(first?.title).not.toContain('sporadic');
    expect(first?.confidence).toBeLessThanOrEqual(0.8);
  });

  it('every POST failing is not a keepalive race, even on a quiet server', () => {
    const ev = withErrors(labHost(), C.TOO_LARGE_NGINX.join('\n'));
    ev.accessLog = accessStats(C.TOO_LARGE_ACCESS);
    expect(causes(diagnose(ev))).not.toContain('keepalive-race');
  });

  it('request-too-large: the app says the body is over its limit, nginx sees resets', () => {
    const ev = withErrors(labHost(C.TOO_LARGE_APP_LINE), C.TOO_LARGE_NGINX.join('\n'));
    ev.accessLog = accessStats(C.TOO_LARGE_ACCESS);
    const [first] = diagnose(ev);
    expect(first?.cause).toBe('request-too-large');
    expect(first?.evidence).toContain(C.TOO_LARGE_APP_LINE);
    expect(first?.remediation.join('\n')).toContain('express.json({ limit })');
    expect(first?.actions).toContainEqual(
      expect.objectContaining({ id: 'raise-request-size-limit', kind: 'guarded' }),
    );
  });

  it('host-overload: runaway CPU hogs are reported before any upstream error shows', () => {
    const ev = overloadedHost(C.OVERLOADED_SYSTEM_PROBE);
    const fs = diagnose(ev);
    expect(causes(fs)).toEqual(['host-overload']);
    expect(fs[0]?.evidence).toContain(C.BURNER_ROW);
    expect(fs[0]?.title).toContain(
      'lab-cpu-burner (pid 21451, 92% of a CPU), lab-cpu-burner (pid 21450, 76% of a CPU)',
    );
    expect(fs[0]?.remediation.join('\n')).toContain('kill 21451 21450');
  });

  it('never suggests killing nginx or an app server that is the hog', () => {
    const ev = overloadedHost(C.OVERLOADED_SYSTEM_PROBE);
    Object.assign(ev.services[0] ?? {}, { pids: [21451] });
    const steps = diagnose(ev)[0]?.remediation.join('\n') ?? '';
    expect(steps).toContain('(kill 21450)');
    expect(steps).toContain('an app server itself is CPU-bound');
  });

  it('a saturated CPU that no process of this host used (a busy neighbour) is still no-502-evidence', () => {
    const ev = overloadedHost(C.OVERLOADED_SYSTEM_PROBE.replace(/^__PCPU .*\n/gm, ''));
    expect(ev.resources?.cpuBusyPct).toBe(100);
    expect(causes(diagnose(ev))).toEqual(['no-502-evidence']);
  });
});
