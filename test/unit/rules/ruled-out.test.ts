/**
 * "Ruled out" (issue 20 item 1): which causes the checks excluded on a host, one line of evidence
 * each, and that a check that could not run (or looked and found the cause) rules nothing out.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnosis/diagnose.js';
import type { Evidence } from '../../../src/diagnosis/evidence.js';
import { EXCLUSIONS, ruledOut } from '../../../src/diagnosis/ruled-out/ruled-out.js';
import { parseSecurity } from '../../../src/probes/defs/security.js';
import { healthy, setTarget, withErrors, withSite } from './evidence-builder.js';
import * as L from './lines.js';
import { kernelLog } from './log-builders.js';

const causesOf = (ev: Evidence) => ruledOut(ev, diagnose(ev)).map((r) => r.cause);
const lineOf = (ev: Evidence, cause: string) => ruledOut(ev, []).find((r) => r.cause === cause)?.evidence;

describe('ruled out on a healthy host: every cause its checks excluded, with the line that shows it', () => {
  it('lists each excludable cause once, the ones a reader asks first at the top', () => {
    const ev = healthy();
    expect(ruledOut(ev, diagnose(ev))).toEqual([
      { cause: 'upstream-down', evidence: 'upstream 127.0.0.1:8081: accepting connections' },
      { cause: 'network-blocked', evidence: 'firewall: 0 drop/reject rules (nftables)' },
      { cause: 'upstream-oom-killed', evidence: 'OOM kills: none in 15m' },
      { cause: 'disk-full', evidence: 'disk: 41% used on /, inodes 12%' },
      { cause: 'host-overload', evidence: 'host: load 0.4 on 4 CPUs, 64% memory available' },
      {
        cause: 'mac-denied',
        evidence: 'SELinux/AppArmor: not enforcing (SELinux disabled, AppArmor disabled)',
      },
      { cause: 'socket-missing', evidence: 'socket /run/php/php8.2-fpm.sock: exists' },
      { cause: 'socket-stale', evidence: 'socket /run/php/php8.2-fpm.sock: listening' },
      {
        cause: 'socket-permission',
        evidence: 'socket /run/php/php8.2-fpm.sock: www-data may connect (www-data:www-data mode 660)',
      },
      { cause: 'dns-failure', evidence: 'DNS: upstreams are addresses, no name to resolve' },
      { cause: 'fd-exhausted', evidence: 'nginx worker fds: 42 of 65535 open' },
      { cause: 'ephemeral-ports-exhausted', evidence: 'local ports: 120 in TIME_WAIT of 28232' },
      { cause: 'nginx-config-invalid', evidence: 'nginx -t: configuration test successful (1.24.0)' },
      { cause: 'nginx-down', evidence: 'nginx: running (2 workers), listening on 0.0.0.0:80, [::]:80' },
    ]);
  });

  it('names upstream hosts that resolve, and where they resolved to', () => {
    const ev = withSite(
      healthy(),
      'server {\n    listen 80;\n    location / {\n        proxy_pass http://api.internal:8080;\n    }\n}\n',
    );
    setTarget(ev, 'api.internal:8080', 'open', 'api.internal:8080 accepts connections', {
      resolved: ['10.0.0.5'],
    });
    expect(lineOf(ev, 'dns-failure')).toBe(
      'DNS: api.internal resolves (10.0.0.5), no resolver error in the error log',
    );
    expect(lineOf(ev, 'upstream-down')).toBe('upstream api.internal:8080: accepting connections');
  });

  it('on AppArmor, reads the kernel log for its denials', () => {
    const ev = healthy();
    ev.security = { ...ev.security, apparmor: 'enabled', denials: [], blockingRules: [] };
    expect(lineOf(ev, 'mac-denied')).toBe(
      'AppArmor: no denial naming nginx in the kernel log (SELinux disabled)',
    );
    ev.unavailable['kernel-log'] = 'neither dmesg nor journalctl -k could be read';
    expect(lineOf(ev, 'mac-denied')).toBeUndefined();
  });
});

describe('a probe that could not check rules nothing out', () => {
  for (const x of EXCLUSIONS) {
    for (const probe of x.probes) {
      it(`${x.cause} is not ruled out when ${probe} could not check`, () => {
        const ev = healthy();
        expect(causesOf(ev)).toContain(x.cause);
        ev.unavailable[probe] = 'timed out after 3 s';
        expect(ruledOut(ev, diagnose(ev)).map((r) => r.cause)).not.toContain(x.cause);
      });
    }
  }

  it('a kernel log no reader could read is not "no OOM kills" (its events are empty, the probe said why)', () => {
    const ev = healthy();
    ev.kernel = { oomKills: [], segfaults: [], other: [] };
    ev.unavailable['kernel-log'] = 'neither dmesg nor journalctl -k could be read';
    expect(causesOf(ev)).not.toContain('upstream-oom-killed');
  });

  it('a firewall ruleset nft could not list (no root) is not an empty one', () => {
    const sec = parseSecurity(
      '__APPARMOR N\n__NFT\nnetlink: Error: cache initialization failed: Operation not permitted\n__END\n',
    );
    expect(sec.blockingRules).toEqual([]);
    expect(sec.firewallError).toBe('netlink: Error: cache initialization failed: Operation not permitted');
    const ipt = parseSecurity(
      '__IPT\niptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)\n__END\n',
    );
    expect(ipt.firewallError).toMatch(/Permission denied/);
    const ev = healthy();
    ev.security = {
      ...ev.security,
      denials: [],
      blockingRules: [],
      firewallTool: 'nftables',
      firewallError: sec.firewallError,
    };
    expect(causesOf(ev)).not.toContain('network-blocked');
  });

  it('parts that are absent (the probe never ran) say nothing', () => {
    const ev = healthy();
    delete ev.kernel;
    delete ev.resources;
    delete ev.security;
    ev.nginx = { ...ev.nginx, running: undefined, configTestOk: undefined, workerOpenFds: undefined };
    expect(causesOf(ev)).toEqual([
      'upstream-down',
      'socket-missing',
      'socket-stale',
      'socket-permission',
      'dns-failure',
    ]);
  });
});

describe('a check that found the cause (or could not see all of it) does not rule it out', () => {
  const cases: Array<{ name: string; cause: string; make: (ev: Evidence) => void }> = [
    {
      name: 'an upstream refuses',
      cause: 'upstream-down',
      make: (ev) => setTarget(ev, '127.0.0.1:8081', 'refused', 'nothing listens on 127.0.0.1:8081'),
    },
    {
      name: 'an upstream was not checked',
      cause: 'upstream-down',
      make: (ev) => setTarget(ev, '127.0.0.1:8081', 'unknown', '127.0.0.1:8081: not checked'),
    },
    {
      name: 'a target is a variable nobody could check',
      cause: 'upstream-down',
      make: (ev) =>
        withSite(
          ev,
          'server {\n    listen 80;\n    location / {\n        proxy_pass http://$backend;\n    }\n}\n',
        ),
    },
    {
      name: 'the socket is missing',
      cause: 'socket-missing',
      make: (ev) => setTarget(ev, 'unix:/run/php/php8.2-fpm.sock', 'missing', 'does not exist'),
    },
    {
      name: 'nobody listens on the socket',
      cause: 'socket-stale',
      make: (ev) =>
        setTarget(ev, 'unix:/run/php/php8.2-fpm.sock', 'stale', 'nothing listens', {
          socket: {
            owner: 'www-data',
            group: 'www-data',
            mode: '660',
            workerMayConnect: true,
            listening: false,
          },
        }),
    },
    {
      name: 'the worker may not connect',
      cause: 'socket-permission',
      make: (ev) =>
        setTarget(ev, 'unix:/run/php/php8.2-fpm.sock', 'denied', 'may not connect', {
          socket: { owner: 'root', group: 'root', mode: '600', workerMayConnect: false, listening: true },
        }),
    },
    {
      name: 'a name did not resolve',
      cause: 'dns-failure',
      make: (ev) => void withErrors(ev, L.CATALOG_DNS),
    },
    {
      name: 'a drop rule',
      cause: 'network-blocked',
      make: (ev) => {
        ev.security = { ...ev.security, denials: [], blockingRules: ['ip daddr 10.0.0.5 drop'] };
      },
    },
    {
      name: 'an upstream times out',
      cause: 'network-blocked',
      make: (ev) => setTarget(ev, '127.0.0.1:8081', 'timeout', 'connect timed out'),
    },
    {
      name: 'SELinux enforcing (its audit log may be unreadable)',
      cause: 'mac-denied',
      make: (ev) => {
        ev.security = { ...ev.security, selinux: 'enforcing', denials: [], blockingRules: [] };
      },
    },
    {
      name: 'an OOM kill in the window',
      cause: 'upstream-oom-killed',
      make: (ev) => {
        ev.kernel = kernelLog(
          '2026-11-21T10:10:00,000000+00:00 Out of memory: Killed process 4100 (gunicorn) total-vm:812345kB, anon-rss:512000kB, file-rss:0kB, shmem-rss:0kB, UID:33 pgtables:1200kB oom_score_adj:0',
        );
        expect(ev.kernel.oomKills).toHaveLength(1);
      },
    },
    {
      name: 'a disk at 98%',
      cause: 'disk-full',
      make: (ev) => {
        if (ev.resources?.disks[0]) ev.resources.disks[0].usedPct = 98;
      },
    },
    {
      name: 'the host is saturated',
      cause: 'host-overload',
      make: (ev) => {
        if (ev.resources) ev.resources.load1 = 12;
      },
    },
    {
      name: 'a worker near its fd limit',
      cause: 'fd-exhausted',
      make: (ev) => {
        ev.nginx.workerOpenFds = 65_000;
      },
    },
    {
      name: 'TIME_WAIT fills half the port range',
      cause: 'ephemeral-ports-exhausted',
      make: (ev) => {
        if (ev.resources) ev.resources.timeWait = 20_000;
      },
    },
    {
      name: 'nginx -t fails',
      cause: 'nginx-config-invalid',
      make: (ev) => {
        ev.nginx.configTestOk = false;
      },
    },
    {
      name: 'nginx is not running',
      cause: 'nginx-down',
      make: (ev) => {
        ev.nginx = { ...ev.nginx, running: false, listening: [] };
      },
    },
  ];
  for (const c of cases) {
    it(`${c.cause}: ${c.name}`, () => {
      const ev = healthy();
      c.make(ev);
      expect(ruledOut(ev, []).map((r) => r.cause)).not.toContain(c.cause);
    });
  }

  it('a cause any finding names is never ruled out, even when its own check looks clean', () => {
    const ev = healthy();
    const finding = {
      cause: 'disk-full' as const,
      confidence: 0.3,
      title: 't',
      evidence: [],
      remediation: [],
      actions: [],
    };
    expect(ruledOut(ev, [finding]).map((r) => r.cause)).not.toContain('disk-full');
  });

  it('the refused upstream of the app-down scenario: its verdict, and what else was excluded', () => {
    const ev = withErrors(healthy(), L.REFUSED_8081.join('\n'));
    setTarget(ev, '127.0.0.1:8081', 'refused', 'nothing listens on 127.0.0.1:8081 (connection refused)');
    const findings = diagnose(ev);
    expect(findings[0]?.cause).toBe('upstream-down');
    const out = ruledOut(ev, findings).map((r) => r.cause);
    expect(out).not.toContain('upstream-down');
    expect(out).toEqual(
      expect.arrayContaining(['network-blocked', 'upstream-oom-killed', 'disk-full', 'socket-stale']),
    );
  });
});
