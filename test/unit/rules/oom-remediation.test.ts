import { describe, expect, it } from 'vitest';
import { buildEvidence } from '../../../src/diagnosis/build-evidence.js';
import { diagnose } from '../../../src/diagnosis/diagnose.js';
import type { Evidence } from '../../../src/diagnosis/evidence.js';
import { HostFacts } from '../../../src/facts/host-facts.js';
import { parseServices, servicesProbe } from '../../../src/probes/defs/services.js';
import type { ProbeContext } from '../../../src/probes/types.js';
import { healthy, withErrors } from './evidence-builder.js';
import * as L from './lines.js';
import { kernelLog } from './log-builders.js';

function oomEvidence(systemd: boolean | undefined): Evidence {
  const ev = withErrors(healthy(), [L.RESET_8081('10:09:58', 1), L.RESET_8081('10:10:02', 2)].join('\n'));
  ev.kernel = kernelLog(
    '[Sat Nov 21 10:10:01 2026] Out of memory: Killed process 4101 (gunicorn) total-vm:2466228kB, anon-rss:1893764kB, file-rss:0kB, shmem-rss:0kB, UID:33 pgtables:4012kB oom_score_adj:0',
  );
  ev.systemd = systemd;
  return ev;
}

function oomSteps(ev: Evidence): string {
  const f = diagnose(ev).find((x) => x.cause === 'upstream-oom-killed');
  expect(f?.title).toContain('app');
  return f?.remediation.join('\n') ?? '';
}

describe('OOM remediation follows the host init system', () => {
  it('OOM remediation on a host without systemd names no unit or systemctl, and caps memory in the app server', () => {
    const steps = oomSteps(oomEvidence(false));
    expect(steps).not.toMatch(/systemctl|\.service|MemoryMax/);
    expect(steps).toContain('supervisorctl status');
    expect(steps).toContain('fewer --workers');
    expect(steps).toContain('Add RAM or swap');
  });

  it('OOM remediation on a systemd host gives the unit limit, its status and a MemoryMax= drop-in', () => {
    const steps = oomSteps(oomEvidence(true));
    expect(steps).toContain('systemctl show app.service -p MemoryMax -p MemoryCurrent');
    expect(steps).toContain('systemctl status app.service --no-pager -l');
    expect(steps).toContain('MemoryMax= in a drop-in: systemctl edit app.service');
    expect(steps).not.toContain('supervisorctl');
  });

  it('evidence knows whether the host runs systemd from the app-services __UNIT lines', () => {
    const ctx: ProbeContext = {
      host: {
        name: 'web-3',
        address: '10.0.0.3',
        nginx: { errorLog: '/var/log/nginx/error.log', accessLog: '/var/log/nginx/access.log' },
        services: [{ name: 'app', kind: 'gunicorn', unit: 'app.service', logs: [] }],
      },
      sinceS: 900,
    };
    const systemd = (stdout: string | undefined) => {
      const facts = new HostFacts(ctx, () => Date.UTC(2026, 10, 21, 10, 15));
      if (stdout !== undefined) facts.store(servicesProbe, parseServices(stdout));
      return buildEvidence(facts).systemd;
    };
    expect(systemd('__UNIT app no-systemd\n__END\n')).toBe(false);
    expect(
      systemd(
        "__UNIT app System has not been booted with systemd as init system (PID 1). Can't operate.\n__END\n",
      ),
    ).toBe(false);
    expect(systemd('__UNIT app failed 4\n__END\n')).toBe(true);
    expect(systemd('__END\n')).toBeUndefined();
    expect(systemd(undefined)).toBeUndefined();
  });
});
