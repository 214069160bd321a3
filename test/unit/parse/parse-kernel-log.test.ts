import { describe, expect, it } from 'vitest';
import {
  bootTimeMsFromUptime,
  kernelLineTimeMs,
  parseKernelLog,
} from '../../../src/parse/parse-kernel-log.js';

// Catalog C11 forms, C10 segfault/traps (cphalcon#2809), section 9 network-stack warnings.
const DMESG_T = [
  '[Sat Nov 21 10:40:00 2026] gunicorn invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0',
  '[Sat Nov 21 10:40:00 2026] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/gunicorn.service,task=gunicorn,pid=1026306,uid=32767',
  '[Sat Nov 21 10:40:00 2026] Out of memory: Killed process 1026306 (gunicorn) total-vm:1843212kB, anon-rss:1523400kB, file-rss:0kB, shmem-rss:0kB, UID:32767 pgtables:3200kB oom_score_adj:0',
  '[Sat Nov 21 10:40:01 2026] oom_reaper: reaped process 1026306 (gunicorn), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB',
  '[Sat Nov 21 10:41:12 2026] Memory cgroup out of memory: Killed process 4321 (node) total-vm:2202400kB, anon-rss:512000kB, file-rss:30000kB, shmem-rss:0kB, UID:1000 pgtables:1800kB oom_score_adj:0',
  '[Sat Nov 21 10:42:19 2026] php-fpm[26045]: segfault at 18 ip 00007f3a1b2c3d4e sp 00007ffd5e6f7a80 error 4 in php-fpm[55d4c2a00000+4a3000] likely on CPU 1 (core 1, socket 0)',
  '[Sat Nov 21 10:43:00 2026] traps: node[2345] general protection fault ip:55d1c8e0a1b2 sp:7ffc9a8b7c60 error:0 in node[55d1c7e00000+2a3b000]',
  '[Sat Nov 21 10:44:00 2026] TCP: request_sock_TCP: Possible SYN flooding on port 8000. Sending cookies.  Check SNMP counters.',
  '[Sat Nov 21 10:45:00 2026] nf_conntrack: nf_conntrack: table full, dropping packet',
  '[Sat Nov 21 10:46:00 2026] EXT4-fs (sda1): mounted filesystem with ordered data mode',
].join('\n');

describe('parseKernelLog', () => {
  it('dmesg -T: one OOM kill per victim (oom-kill: and Killed process lines merged), process, pid, time and cgroup', () => {
    const ev = parseKernelLog(DMESG_T, { utcOffsetMinutes: 0 });
    expect(ev.oomKills).toEqual([
      {
        process: 'gunicorn',
        pid: 1026306,
        timeMs: Date.UTC(2026, 10, 21, 10, 40, 0),
        memcg: '/system.slice/gunicorn.service',
        line: '[Sat Nov 21 10:40:00 2026] Out of memory: Killed process 1026306 (gunicorn) total-vm:1843212kB, anon-rss:1523400kB, file-rss:0kB, shmem-rss:0kB, UID:32767 pgtables:3200kB oom_score_adj:0',
      },
      {
        process: 'node',
        pid: 4321,
        timeMs: Date.UTC(2026, 10, 21, 10, 41, 12),
        line: '[Sat Nov 21 10:41:12 2026] Memory cgroup out of memory: Killed process 4321 (node) total-vm:2202400kB, anon-rss:512000kB, file-rss:30000kB, shmem-rss:0kB, UID:1000 pgtables:1800kB oom_score_adj:0',
      },
    ]);
    expect(ev.segfaults).toHaveLength(2);
    expect(ev.segfaults[0]).toContain('php-fpm[26045]: segfault at 18');
    expect(ev.other).toEqual([
      '[Sat Nov 21 10:44:00 2026] TCP: request_sock_TCP: Possible SYN flooding on port 8000. Sending cookies.  Check SNMP counters.',
      '[Sat Nov 21 10:45:00 2026] nf_conntrack: nf_conntrack: table full, dropping packet',
    ]);
  });

  it('older kernels: "Kill process ... or sacrifice child" then "Killed process"', () => {
    const ev = parseKernelLog(
      [
        '[ 8123.456789] Out of memory: Kill process 1234 (php-fpm) score 912 or sacrifice child',
        '[ 8123.456800] Killed process 1234 (php-fpm) total-vm:523412kB, anon-rss:412000kB, file-rss:0kB',
      ].join('\n'),
    );
    expect(ev.oomKills).toHaveLength(1);
    expect(ev.oomKills[0]).toMatchObject({ process: 'php-fpm', pid: 1234 });
    expect(ev.oomKills[0]?.line).toContain('Killed process 1234 (php-fpm) total-vm');
  });

  it('journalctl -k and dmesg --time-format iso lines', () => {
    const ev = parseKernelLog(
      [
        'Nov 21 10:52:04 web1 kernel: Out of memory: Killed process 777 (uwsgi) total-vm:900000kB, anon-rss:800000kB',
        '2026-11-21T10:52:05,123456+00:00 Memory cgroup out of memory: Killed process 778 (php-fpm8.2) total-vm:1kB',
        '2026-11-21T10:52:06+0000 web1 kernel: oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/docker/abc,task_memcg=/docker/abc,task=node,pid=779,uid=1000',
      ].join('\n'),
    );
    expect(ev.oomKills.map((k) => `${k.process}/${k.pid}`)).toEqual([
      'uwsgi/777',
      'php-fpm8.2/778',
      'node/779',
    ]);
    expect(ev.oomKills[2]).toMatchObject({ memcg: '/docker/abc', timeMs: Date.UTC(2026, 10, 21, 10, 52, 6) });
  });

  it('windows by time: dmesg -T, ISO, and raw uptime stamps with the boot time', () => {
    const since = Date.UTC(2026, 10, 21, 10, 43, 30);
    const ev = parseKernelLog(DMESG_T, { sinceMs: since, utcOffsetMinutes: 0 });
    expect(ev.oomKills).toEqual([]);
    expect(ev.segfaults).toEqual([]);
    expect(ev.other).toHaveLength(2);

    const now = Date.UTC(2026, 10, 21, 12, 0, 0);
    const boot = bootTimeMsFromUptime(now, 10_000);
    const raw =
      '[ 9000.000000] Out of memory: Killed process 1 (a)\n[ 9990.000000] Out of memory: Killed process 2 (b)';
    expect(
      parseKernelLog(raw, { sinceMs: now - 60_000, bootTimeMs: boot }).oomKills.map((k) => k.process),
    ).toEqual(['b']);
    // Without a boot time the raw stamps cannot be dated: the lines are kept.
    expect(parseKernelLog(raw, { sinceMs: now - 60_000 }).oomKills).toHaveLength(2);
  });

  it('dates each stamp form', () => {
    expect(kernelLineTimeMs('[Sat Nov 21 10:40:00 2026] x', { utcOffsetMinutes: 60 })).toBe(
      Date.UTC(2026, 10, 21, 9, 40),
    );
    expect(kernelLineTimeMs('[  12.500000] x', { bootTimeMs: 1_000_000 })).toBe(1_012_500);
    expect(kernelLineTimeMs('2026-11-21T10:52:05,123456+02:00 x')).toBe(
      Date.UTC(2026, 10, 21, 8, 52, 5, 123),
    );
    expect(kernelLineTimeMs('Nov 21 10:52:04 web1 kernel: x', { referenceMs: Date.UTC(2026, 10, 21) })).toBe(
      Date.UTC(2026, 10, 21, 10, 52, 4),
    );
    expect(kernelLineTimeMs('no stamp')).toBeUndefined();
  });
});
