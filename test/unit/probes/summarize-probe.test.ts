import { describe, expect, it } from 'vitest';
import { buildEvidence } from '../../../src/diagnosis/build-evidence.js';
import { HostFacts } from '../../../src/facts/host-facts.js';
import { kernelProbe } from '../../../src/probes/defs/kernel.js';
import { systemProbe } from '../../../src/probes/defs/system.js';
import type { ProbeContext } from '../../../src/probes/types.js';

// The host's clock (system probe `date +%s`) reads 12:00 UTC; this machine's clock is elsewhere.
const HOST_NOW_S = Date.UTC(2026, 10, 21, 12, 0, 0) / 1000;
const CTX: ProbeContext = {
  host: {
    name: 'web-3',
    address: '10.0.0.3',
    nginx: { errorLog: '/var/log/nginx/error.log', accessLog: '/var/log/nginx/access.log' },
    services: [],
  },
  sinceS: 900,
};

/** The facts after the system probe (the host's clock) and then the kernel-log probe ran. */
function facts(kernel: string): HostFacts {
  const f = new HostFacts(CTX, Date.now);
  f.store(systemProbe, { nowS: HOST_NOW_S, utcOffsetMinutes: 0, busiest: [], mem: {}, psi: {}, disks: [] });
  f.store(kernelProbe, kernelProbe.parse(kernel, { truncated: false, view: f }));
  return f;
}

/** The kernel-log probe's line in the check list, from its record. */
function kernelLine(f: HostFacts) {
  const out = f.result(kernelProbe);
  if (!out) throw new Error('kernel-log not stored');
  return kernelProbe.check(out, f);
}

// `dmesg --time-format iso` output: each stamp carries its own zone.
const OLD_KILL = [
  '2026-11-21T09:58:00,123456+00:00 gunicorn invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0',
  '2026-11-21T09:58:00,123456+00:00 oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/app.service,task=gunicorn,pid=1001,uid=33',
  '2026-11-21T09:58:00,123456+00:00 Out of memory: Killed process 1001 (gunicorn) total-vm:2466228kB, anon-rss:1893764kB, file-rss:0kB, shmem-rss:0kB, UID:33 pgtables:4012kB oom_score_adj:0',
];
// 13:55:03+02:00 is 11:55:03 UTC: inside the 15 minute window.
const NEW_KILL = [
  '2026-11-21T13:55:03,000001+02:00 php-fpm8.2 invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0',
  '2026-11-21T13:55:03,000001+02:00 oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,task_memcg=/system.slice/php8.2-fpm.service,task=php-fpm8.2,pid=2002,uid=33',
  '2026-11-21T13:55:03,000001+02:00 Memory cgroup out of memory: Killed process 2002 (php-fpm8.2) total-vm:812000kB, anon-rss:512000kB, file-rss:0kB, shmem-rss:0kB, UID:33 pgtables:1200kB oom_score_adj:0',
];

describe('the kernel-log check line', () => {
  it('kernel-log check line ignores OOM kills before the window, as the evidence does', () => {
    const f = facts(OLD_KILL.join('\n'));
    const ev = buildEvidence(f);
    expect(ev.kernel?.oomKills).toEqual([]);
    expect(kernelLine(f)).toEqual({
      status: 'ok',
      summary: 'no OOM kills in the last 15m',
    });
  });

  it('kernel-log check line counts the windowed OOM kills of the evidence, one per victim, by the host clock and the stamp zone', () => {
    const f = facts([...OLD_KILL, ...NEW_KILL].join('\n'));
    const ev = buildEvidence(f);
    expect(ev.kernel?.oomKills.map((k) => k.pid)).toEqual([2002]);
    expect(kernelLine(f)).toEqual({
      status: 'warn',
      summary: '1 OOM kill in the last 15m: php-fpm8.2',
    });
  });
});
