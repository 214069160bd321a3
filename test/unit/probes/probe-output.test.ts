import { describe, expect, it } from 'vitest';
import { parseUtcOffset } from '../../../src/parse/time.js';
import { LOG_TAIL_BYTES, parseLogTail } from '../../../src/probes/defs/log-tail.js';
import { parseNginxDump } from '../../../src/probes/defs/nginx-config.js';
import { parseNginxFds } from '../../../src/probes/defs/nginx-fds.js';
import { parseProcesses } from '../../../src/probes/defs/processes.js';
import { parseSecurity } from '../../../src/probes/defs/security.js';
import { parseServices } from '../../../src/probes/defs/services.js';
import { parseSockets } from '../../../src/probes/defs/sockets.js';
import { parseSystem, topCpu } from '../../../src/probes/defs/system.js';
import { parseUpstreams, probeableTargets } from '../../../src/probes/defs/upstreams.js';
import { targetState } from '../../../src/probes/target-state.js';
import { BURNER_ROW, OVERLOADED_PROCESSES_PROBE, OVERLOADED_SYSTEM_PROBE } from '../lab-captured.js';

// Outputs captured from Debian 12 hosts (ss from iproute2 6.1, procps ps, coreutils df).
describe('probe output readers', () => {
  it('reads ps rows with their age, %CPU, state and full command line', () => {
    const rows = parseProcesses(OVERLOADED_PROCESSES_PROBE);
    expect(rows.map((r) => r.pid)).toEqual([1, 20, 26, 30, 32, 34, 21450, 21451, 21462, 21467]);
    expect(rows[3]).toEqual({
      pid: 30,
      ppid: 1,
      user: 'root',
      ageS: 896,
      pcpu: 0,
      stat: 'Ss',
      args: 'nginx: master process /usr/sbin/nginx',
      line: '30       1 root         896  0.0 Ss   nginx: master process /usr/sbin/nginx',
    });
    expect(rows[4]?.user).toBe('www-data');
    expect(rows[6]).toMatchObject({ pid: 21450, pcpu: 76.6, stat: 'RN', line: BURNER_ROW });
  });

  it('reads the version, test result and config of one `nginx -v -T`', () => {
    const dump = parseNginxDump(
      'nginx version: nginx/1.22.1\nnginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n' +
        '# configuration file /etc/nginx/nginx.conf:\nworker_processes 1;\n__EXIT 0\n',
    );
    expect(dump).toMatchObject({ installed: true, version: 'nginx/1.22.1', exitCode: 0 });
    expect(dump.text).not.toContain('nginx version');
    expect(dump.text).toContain('worker_processes 1;');
  });

  it("takes the busiest nginx worker's open fds and its own limit", () => {
    const fds = parseNginxFds(
      '__W 33 9\n__W 34 1019\n/proc/33/limits:Max open files            20000                20000                files\n' +
        '/proc/34/limits:Max open files            1024                 524288               files\n__END\n',
    );
    expect(fds).toEqual({ maxOpen: 1019, limit: 1024 });
    expect(parseNginxFds('__END\n')).toBeUndefined();
  });

  it('reads TCP and unix listeners with their owners and queues', () => {
    const socks = parseSockets(
      '__SS\n' +
        'tcp   LISTEN 0      511          0.0.0.0:80        0.0.0.0:* users:(("nginx",pid=42,fd=6),("nginx",pid=41,fd=6))\n' +
        'tcp   LISTEN 0      4096   127.0.0.1:4369  0.0.0.0:* users:(("epmd",pid=2888,fd=3))\n' +
        'u_str LISTEN 3      4096   /run/php/php8.2-fpm.sock 4549 * 0 users:(("php-fpm8.2",pid=77,fd=8))\n',
    );
    expect(socks.map((s) => s.address)).toEqual(['0.0.0.0:80', '127.0.0.1:4369', '/run/php/php8.2-fpm.sock']);
    expect(socks[0]?.processes).toEqual(['nginx']);
    expect(socks[0]?.pids).toEqual([42, 41]);
    expect(socks[2]).toMatchObject({ kind: 'unix', recvQ: 3, sendQ: 4096, processes: ['php-fpm8.2'] });
  });

  it('reads the host clock, load, memory, PSI and disks', () => {
    const s = parseSystem(
      '__DATE 1795604400 +0100\n__NPROC 2\n__LOADAVG 5.10 3.00 1.00 3/200 1234\n' +
        '__MEM MemTotal:       24000000 kB\n__MEM MemAvailable:     800000 kB\n' +
        '__PSI cpu some avg10=42.50 avg60=10.00 avg300=2.00 total=1\n__FILENR 4096	0	9223372036854775807\n' +
        '__PORTRANGE 32768	60999\n__TIMEWAIT 12\n__DF\n/dev/vda 264212084 263000000 1212084 100% /\n' +
        'Filesystem     1024-blocks     Used Available Capacity Mounted on\n__DFI\n/dev/vda 100 50 50 50% /\n__END\n',
    );
    expect(s).toMatchObject({ nowS: 1795604400, utcOffsetMinutes: 60, cpus: 2, load1: 5.1, timeWait: 12 });
    expect(s.mem.MemAvailable).toBe(800000);
    expect(s.psi.cpu).toBe(42.5);
    expect(s.portRange).toEqual({ low: 32768, high: 60999 });
    expect(s.disks).toEqual([
      {
        mount: '/',
        usedPct: 100,
        inodesUsedPct: 50,
        availKb: 1212084,
        line: '/dev/vda 264212084 263000000 1212084 100% /',
      },
    ]);
    expect(parseUtcOffset('-0530')).toBe(-330);
  });

  it('reads CPU use and who used it over the two samples (lab host-overload)', () => {
    const s = parseSystem(OVERLOADED_SYSTEM_PROBE);
    // 50 jiffies between the samples (user, nice, system), none idle.
    expect(s.cpuBusyPct).toBe(100);
    expect(s.busiest).toEqual([
      { pid: 21451, cpuPct: 92 },
      { pid: 21450, cpuPct: 76 },
    ]);
    // Joined with the same batch's ps rows for verbatim evidence, busiest first.
    const procs = parseProcesses(OVERLOADED_PROCESSES_PROBE);
    expect(topCpu(s.busiest, procs)).toEqual([
      expect.objectContaining({ cpuPct: 92, pid: 21451, pcpu: 73.8, stat: 'RN' }),
      expect.objectContaining({ cpuPct: 76, pid: 21450, pcpu: 76.6, line: BURNER_ROW }),
    ]);
    expect(parseSystem('__STAT cpu 1 2 3\n').cpuBusyPct).toBeUndefined();
    // The diagnosis's own programs (`__OWNCPU`, ticks) are not the host's load: 20 busy of 40, 10 ours.
    const own = '__STAT cpu  100 0 50 1000 0 0 0 0\n__STAT cpu  115 0 55 1020 0 0 0 0\n__OWNCPU 10\n';
    expect(parseSystem(own).cpuBusyPct).toBe(25);
    expect(parseSystem(own.replace('__OWNCPU 10', '__OWNCPU 30')).cpuBusyPct).toBe(0);
    // A busy process without a ps row (it ended before ps ran) has no verbatim line and is left out.
    expect(
      topCpu(
        s.busiest,
        procs.filter((p) => p.pid !== 21451),
      ).map((p) => p.pid),
    ).toEqual([21450]);
    expect(topCpu(s.busiest, undefined)).toEqual([]);
  });

  it('keeps only the whole lines of a cut log tail and the host clock', () => {
    // The probe read LOG_TAIL_BYTES exactly: the file was longer, so its first line is a partial one.
    const last = '2026/11/21 10:00:00 [error] 1#1: x\n';
    const cut = parseLogTail(
      `__DATE 1795604400 +0000\n__TAIL\n${'r'.repeat(LOG_TAIL_BYTES - last.length - 1)}\n${last}`,
    );
    expect(cut).toMatchObject({ state: 'ok', cut: true, nowS: 1795604400, utcOffsetMinutes: 0 });
    expect(cut.text).toBe('2026/11/21 10:00:00 [error] 1#1: x\n');
    expect(parseLogTail('__DATE 1 +0000\n__MISSING\n').state).toBe('missing');
    expect(parseLogTail(`__DATE 1 +0000\n__TAIL\nwhole line\n${last}`)).toMatchObject({
      cut: false,
      text: `whole line\n${last}`,
    });
  });

  it('splits service logs per service and notes missing ones', () => {
    const out = parseServices(
      '__UNIT app active 3\n__LOG app /var/log/app/app.log\nline one\nline two\n__LOG php-fpm /var/log/php8.2-fpm.log\n__MISSINGLOG\n__END\n',
    );
    expect(out.unitState.get('app')).toEqual({ state: 'active', restarts: 3 });
    expect(out.logs.get('app')).toContain('line two');
    expect(out.missingLogs).toEqual(['/var/log/php8.2-fpm.log']);
  });

  it('finds drop and reject rules in an nft ruleset', () => {
    const sec = parseSecurity(
      '__NFT\ntable inet lab {\n\tchain output {\n\t\ttype filter hook output priority filter; policy accept;\n' +
        '\t\tip daddr 10.88.0.50 tcp dport 8080 drop\n\t}\n}\n__END\n',
    );
    expect(sec.firewallTool).toBe('nftables');
    expect(sec.blockingRules).toEqual(['ip daddr 10.88.0.50 tcp dport 8080 drop']);
  });
});

describe('upstream checks', () => {
  it('sends only plain hosts, ports and paths', () => {
    const { lines, skipped } = probeableTargets([
      { kind: 'tcp', host: '127.0.0.1', port: 8081, scheme: 'http', via: [] },
      { kind: 'unix', path: '/run/php/php8.2-fpm.sock', scheme: 'fastcgi', via: [] },
      { kind: 'tcp', host: 'x;rm -rf /', port: 80, scheme: 'http', via: [] },
      { kind: 'unix', path: '/tmp/$(reboot)', scheme: 'http', via: [] },
    ]);
    expect(lines).toEqual(['tcp 127.0.0.1 8081', 'unix /run/php/php8.2-fpm.sock']);
    expect(skipped).toHaveLength(2);
  });

  it('turns probe lines into target states', () => {
    const tcp = { kind: 'tcp' as const, host: '127.0.0.1', port: 8081, scheme: 'http', via: [] };
    const name = { kind: 'tcp' as const, host: 'api.internal', port: 80, scheme: 'http', via: [] };
    const sock = { kind: 'unix' as const, path: '/run/php/php8.2-fpm.sock', scheme: 'fastcgi', via: [] };
    const raw = parseUpstreams(
      '__0 C 1 bash: connect: Connection refused bash: line 1: /dev/tcp/127.0.0.1/8081: Connection refused\n' +
        '__1 R \n__1 C 1 api.internal: line 1: api.internal: Name or service not known\n' +
        '__2 S root root 600\n__2 L yes\n__2 W no\n__2 C 52 curl: (52) Empty reply from server\n',
      3,
    );
    expect(targetState(tcp, raw[0]).state).toBe('refused');
    expect(targetState(name, raw[1]).state).toBe('unresolved');
    const denied = targetState(sock, raw[2]);
    expect(denied.state).toBe('denied');
    expect(denied.socket).toMatchObject({ owner: 'root', mode: '600', workerMayConnect: false });
    expect(targetState(tcp, parseUpstreams('__0 C 124 \n', 1)[0]).state).toBe('timeout');
    expect(targetState(sock, parseUpstreams('__0 S missing\n__0 L no\n__0 C 7 x\n', 1)[0]).state).toBe(
      'missing',
    );
    expect(targetState(sock, parseUpstreams('__0 S root root 666\n__0 L no\n__0 C 7 x\n', 1)[0]).state).toBe(
      'stale',
    );
  });
});
