import type { Evidence, ListenerEvidence } from '../../../src/diagnosis/evidence.js';
import { computeAccessStats, parseAccessLine } from '../../../src/parse/parse-access-log.js';
import type { CauseCase } from './cases-connect.js';
import { healthy, service, setTarget, svc, withErrors, withSite } from './evidence-builder.js';
import * as L from './lines.js';
import { kernelLog } from './log-builders.js';

/**
 * Issue 9 section 3: the evidence was in the probe output and the rule read it wrong, mostly on hosts
 * whose inventory names no service (a newcomer's first inventory is addresses only). ss lines are
 * `ss -lnpH -t -x` as iproute2 6.1 prints them (the probe drops the Netid column).
 */

/** One listening socket as the sockets probe and build-evidence report it. */
export function listener(address: string, proc: string, pids: number[], ageS: number): ListenerEvidence {
  const users = pids.map((p, i) => `("${proc}",pid=${p},fd=${i + 5})`).join(',');
  const line = address.startsWith('/')
    ? `LISTEN 0 511 ${address} 88312 * 0 users:(${users})`
    : `LISTEN 0 2048 ${address} ${address.startsWith('[') ? '[::]:*' : '0.0.0.0:*'} users:(${users})`;
  return { address, processes: [proc], pids, ageS, line };
}

/** What else a Debian web host listens on: nginx, sshd, redis. None of them is the app. */
const BACKGROUND: ListenerEvidence[] = [
  listener('0.0.0.0:80', 'nginx', [2120, 2131, 2132], 864_000),
  listener('0.0.0.0:22', 'sshd', [611], 864_000),
  listener('127.0.0.1:6379', 'redis-server', [702], 864_000),
];

/** No inventory services: what a first inventory (addresses only) gives the rules. */
function bare(ev: Evidence): Evidence {
  ev.services = [];
  return ev;
}

const REFUSED = 'connect() failed (111: Connection refused) while connecting to upstream';
const REFUSED_ROOT = L.at('10:14:02', 9101, REFUSED, '/');

export const MISREAD_CASES: CauseCase[] = [
  {
    name: 'C02 gunicorn moved to :8001, no inventory service: ss shows it',
    cause: 'upstream-wrong-address',
    evidence: () => {
      const ev = bare(withErrors(healthy(), REFUSED_ROOT));
      setTarget(ev, '127.0.0.1:8081', 'refused', 'nothing listens on 127.0.0.1:8081 (connection refused)');
      ev.listeners = [...BACKGROUND, listener('127.0.0.1:8001', 'gunicorn', [5011, 5012], 600)];
      return ev;
    },
    verbatim: REFUSED_ROOT,
    mentions: ['127.0.0.1:8001', '127.0.0.1:8081'],
    actions: [['fix-upstream-address', 'human']],
    confidence: [0.85, 0.95],
    titleHas: 'gunicorn listens on 127.0.0.1:8001',
  },
  {
    name: 'C02 fastcgi_pass 127.0.0.1:9000 while the php-fpm pool listens on its unix socket',
    cause: 'upstream-wrong-address',
    evidence: () => {
      const ev = withSite(
        healthy(),
        'server {\n    listen 80;\n    root /var/www/html;\n    location ~ \\.php$ {\n        include fastcgi_params;\n        fastcgi_pass 127.0.0.1:9000;\n    }\n}\n',
      );
      withErrors(
        ev,
        '2026/11/21 10:14:05 [error] 2131#2131: *9120 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.7, server: , request: "GET /index.php HTTP/1.1", upstream: "fastcgi://127.0.0.1:9000", host: "shop.example.com"',
      );
      setTarget(ev, '127.0.0.1:9000', 'refused', 'nothing listens on 127.0.0.1:9000 (connection refused)');
      ev.listeners = [
        ...BACKGROUND,
        listener('/run/php/php8.2-fpm.sock', 'php-fpm8.2', [3100, 3101], 86_400),
      ];
      return ev;
    },
    verbatim:
      '2026/11/21 10:14:05 [error] 2131#2131: *9120 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.7, server: , request: "GET /index.php HTTP/1.1", upstream: "fastcgi://127.0.0.1:9000", host: "shop.example.com"',
    mentions: ['unix:/run/php/php8.2-fpm.sock', '127.0.0.1:9000'],
    actions: [['fix-upstream-address', 'human']],
    titleHas: 'php8.2-fpm listens on unix:/run/php/php8.2-fpm.sock',
  },
  {
    name: 'C02 the app binds to the host address, nginx dials 127.0.0.1 (no inventory service)',
    cause: 'upstream-wrong-address',
    evidence: () => {
      const ev = bare(withErrors(healthy(), REFUSED_ROOT));
      setTarget(ev, '127.0.0.1:8081', 'refused', 'nothing listens on 127.0.0.1:8081 (connection refused)');
      ev.listeners = [...BACKGROUND, listener('10.0.3.15:8081', 'node', [7007], 3_600)];
      return ev;
    },
    verbatim: REFUSED_ROOT,
    mentions: ['10.0.3.15:8081'],
    actions: [['fix-upstream-address', 'human']],
    titleHas: 'node listens on 10.0.3.15:8081',
  },
  {
    name: 'C02 localhost -> [::1] refused, app on 127.0.0.1 only, no inventory service',
    cause: 'upstream-wrong-address',
    evidence: () => {
      const ev = bare(
        withSite(
          healthy(),
          'upstream app_backend {\n    server localhost:8081;\n}\nserver {\n    listen 80;\n    location / {\n        proxy_pass http://app_backend;\n    }\n}\n',
        ),
      );
      withErrors(
        ev,
        '2026/11/21 10:14:07 [error] 2131#2131: *9130 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.7, server: , request: "GET / HTTP/1.1", upstream: "http://[::1]:8081/", host: "shop.example.com"',
      );
      const tc = ev.targets[0];
      if (tc) tc.resolved = ['::1', '127.0.0.1'];
      ev.listeners = [...BACKGROUND, listener('127.0.0.1:8081', 'node', [7007], 86_400)];
      return ev;
    },
    verbatim:
      '2026/11/21 10:14:07 [error] 2131#2131: *9130 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.7, server: , request: "GET / HTTP/1.1", upstream: "http://[::1]:8081/", host: "shop.example.com"',
    mentions: ['127.0.0.1:8081'],
    actions: [['use-ipv4-loopback', 'guarded']],
  },
  {
    name: 'C01 stays C01: app down, only nginx/sshd/redis and the gunicorn of another location listen',
    cause: 'upstream-down',
    evidence: () => {
      const ev = withSite(
        healthy(),
        'upstream app_backend {\n    server 127.0.0.1:8081;\n}\nserver {\n    listen 80;\n    location / {\n        proxy_pass http://app_backend;\n    }\n    location /py/ {\n        proxy_pass http://127.0.0.1:8000;\n    }\n}\n',
      );
      bare(withErrors(ev, REFUSED_ROOT));
      setTarget(ev, '127.0.0.1:8081', 'refused', 'nothing listens on 127.0.0.1:8081 (connection refused)');
      ev.listeners = [...BACKGROUND, listener('127.0.0.1:8000', 'gunicorn', [5011, 5012], 86_400)];
      return ev;
    },
    verbatim: REFUSED_ROOT,
    mentions: ['ss -ltnp'],
    actions: [['start-upstream', 'human']],
  },
  {
    name: 'C01 stays C01: two unrelated app servers elsewhere are no answer (no guess)',
    cause: 'upstream-down',
    evidence: () => {
      const ev = bare(withErrors(healthy(), REFUSED_ROOT));
      setTarget(ev, '127.0.0.1:8081', 'refused', 'nothing listens on 127.0.0.1:8081 (connection refused)');
      ev.listeners = [
        ...BACKGROUND,
        listener('127.0.0.1:3000', 'node', [7007], 86_400),
        listener('127.0.0.1:9100', 'python3', [7100], 86_400),
      ];
      return ev;
    },
    verbatim: REFUSED_ROOT,
    mentions: ['ss -ltnp'],
    actions: [['start-upstream', 'human']],
  },
  {
    name: 'C01 stays C01: a remote peer refuses; a local program on the same port is not it',
    cause: 'upstream-down',
    evidence: () => {
      const ev = withSite(
        healthy(),
        'server {\n    listen 80;\n    location / {\n        proxy_pass http://10.0.3.12:8080;\n    }\n}\n',
      );
      bare(withErrors(ev, L.CATALOG_REFUSED.replace('172.21.0.19:9000', '10.0.3.12:8080')));
      setTarget(ev, '10.0.3.12:8080', 'refused', 'nothing listens on 10.0.3.12:8080 (connection refused)');
      ev.listeners = [...BACKGROUND, listener('127.0.0.1:8080', 'java', [8080], 86_400)];
      return ev;
    },
    verbatim: L.CATALOG_REFUSED.replace('172.21.0.19:9000', '10.0.3.12:8080'),
    mentions: ['ss -ltnp'],
    actions: [['start-upstream', 'human']],
  },
];

/** `log_format` strings as `nginx -T` gives them (pieces joined), and lines nginx 1.22 writes in them. */
export const MAIN_EXT =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" ua="$upstream_addr" us="$upstream_status" urt="$upstream_response_time"';
export const MAIN_EXT_502 =
  '203.0.113.7 - - [21/Nov/2026:10:14:11 +0000] "GET /api/orders HTTP/1.1" 502 38 "-" "curl/8.5.0" ua="10.0.4.20:8080" us="502" urt="0.012"';
const KV =
  'time=$time_iso8601 client=$remote_addr method=$request_method uri=$request_uri status=$status upstream_addr=$upstream_addr upstream_status=$upstream_status upstream_response_time=$upstream_response_time request_time=$request_time';
const KV_503 =
  'time=2026-11-21T10:14:12+00:00 client=203.0.113.7 method=GET uri=/api/orders status=503 upstream_addr=127.0.0.1:8081 upstream_status=503 upstream_response_time=0.003 request_time=0.003';
const JSON_FMT =
  '{"ts":"$time_iso8601","client":"$remote_addr","req":"$request","status":$status,"backend":"$upstream_addr","backend_status":"$upstream_status","backend_time":"$upstream_response_time","rt":$request_time}';
const JSON_502 =
  '{"ts":"2026-11-21T10:14:13+00:00","client":"203.0.113.7","req":"GET /api/orders HTTP/1.1","status":502,"backend":"127.0.0.1:8081","backend_status":"502","backend_time":"0.002","rt":0.002}';
const RETRIES =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" upstream_status=$upstream_status upstream_addr=$upstream_addr upstream_response_time=$upstream_response_time rt=$request_time';
const RETRIED_502 =
  '203.0.113.7 - - [21/Nov/2026:10:14:14 +0000] "GET /api/orders HTTP/1.1" 502 38 "-" "curl/8.5.0" upstream_status=502, 502 upstream_addr=10.0.4.20:8080, 10.0.4.21:8080 upstream_response_time=0.002, 0.001 rt=0.004';

export function withAccess(ev: Evidence, format: string, line: string, n = 3): Evidence {
  const ok = line.replace(/\b(502|503)\b/g, '200');
  const records = [ok, ...Array.from({ length: n }, () => line)].map((l) => parseAccessLine(l, format));
  ev.accessLog = computeAccessStats(records, { sinceMs: ev.windowStartMs });
  return ev;
}

export const RELAYED_CASES: CauseCase[] = [
  {
    name: 'C26 us="502" without $upstream_header_time, error log silent',
    cause: 'upstream-returned-502',
    evidence: () => withAccess(healthy(), MAIN_EXT, MAIN_EXT_502),
    verbatim: MAIN_EXT_502,
    mentions: ['curl -s -D - -o /tmp/b http://10.0.4.20:8080/<failing path>', 'diagnose its upstream next'],
    actions: [['investigate-next-hop', 'human']],
    confidence: [0.75, 0.85],
    titleHas: 'The backend 10.0.4.20:8080 itself answered 3 × 502',
  },
  {
    name: "C26 a relayed 503 in an unquoted key=value format (the peer's own status)",
    cause: 'upstream-returned-502',
    evidence: () => withAccess(healthy(), KV, KV_503),
    verbatim: KV_503,
    mentions: ["Read app's own log"],
    actions: [['investigate-next-hop', 'human']],
    confidence: [0.85, 0.95],
    titleHas: '3 × 503',
  },
  {
    name: 'C26 escape=json with keys of its own',
    cause: 'upstream-returned-502',
    evidence: () => withAccess(healthy(), JSON_FMT, JSON_502),
    verbatim: JSON_502,
    mentions: ['http://127.0.0.1:8081/<failing path>'],
    actions: [['investigate-next-hop', 'human']],
  },
  {
    name: 'C26 retried "502, 502" across two peers: the last peer is named',
    cause: 'upstream-returned-502',
    evidence: () => withAccess(healthy(), RETRIES, RETRIED_502),
    verbatim: RETRIED_502,
    mentions: ['http://10.0.4.21:8080/<failing path>'],
    actions: [['investigate-next-hop', 'human']],
    titleHas: '10.0.4.21:8080',
  },
];

/** Refused connections for 3 s, then the app came back (NOW is 10:15:00, the process is 40 s old). */
const BURST = [
  L.at('10:14:10', 9201, REFUSED, '/'),
  L.at('10:14:11', 9202, REFUSED, '/'),
  L.at('10:14:12', 9203, REFUSED, '/checkout', 'POST'),
];

export const RESTART_CASES: CauseCase[] = [
  {
    name: 'C28 no inventory service: the process listening now started after the burst',
    cause: 'restart-window',
    evidence: () => {
      const ev = bare(withErrors(healthy(), BURST.join('\n')));
      ev.listeners = [...BACKGROUND, listener('127.0.0.1:8081', 'gunicorn', [5311, 5312], 40)];
      return ev;
    },
    verbatim: BURST[0] ?? '',
    mentions: ['journalctl -u gunicorn'],
    actions: [['review-deploy-process', 'human']],
    confidence: [0.8, 0.9],
    titleHas: 'gunicorn (re)started at 10:14:20',
  },
  {
    name: 'C28 the inventory pattern also matches an old process: the listener dates the restart',
    cause: 'restart-window',
    evidence: () => {
      const ev = withErrors(healthy(), BURST.join('\n'));
      // `kind: node` without a process pattern: a week-old pm2 daemon is the oldest "node" process.
      Object.assign(svc(ev, 'app'), { kind: 'node', ageS: 604_800, pids: [900, 7400] });
      ev.listeners = [...BACKGROUND, listener('127.0.0.1:8081', 'node', [7400], 40)];
      return ev;
    },
    verbatim: BURST[0] ?? '',
    mentions: ['journalctl -u app'],
    actions: [['review-deploy-process', 'human']],
    titleHas: 'app (re)started at 10:14:20',
  },
];

/** An OOM kill line of `dmesg --time-format iso` (the kernel-log probe's reader). */
const oomLine = (time: string, pid: number, comm: string, memcg = '/lab/web-1-hog') => [
  `2026-11-21T${time},412233+00:00 oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=${memcg},task_memcg=${memcg},task=${comm},pid=${pid},uid=0`,
  `2026-11-21T${time},412301+00:00 Memory cgroup out of memory: Killed process ${pid} (${comm}) total-vm:1204388kB, anon-rss:97120kB, file-rss:41520kB, shmem-rss:0kB, UID:0 pgtables:1120kB oom_score_adj:0`,
];

const DOWN = [
  L.at('10:14:01', 9301, REFUSED, '/'),
  L.at('10:14:02', 9302, REFUSED, '/'),
  L.at('10:14:09', 9303, REFUSED, '/'),
];

/** The app (node) is stopped; a node batch job on the same host is OOM-killed at 10:14:05. */
function appDownUnrelatedKill(): Evidence {
  const ev = withErrors(healthy(), DOWN.join('\n'));
  ev.services = [service('app', 'node', [], { running: false, pids: [], ageS: undefined })];
  setTarget(ev, '127.0.0.1:8081', 'refused', 'nothing listens on 127.0.0.1:8081 (connection refused)');
  ev.kernel = kernelLog(oomLine('10:14:05', 88123, 'node').join('\n'));
  return ev;
}

export const OOM_CASES: CauseCase[] = [
  {
    name: 'C01 first: a node process OOM-killed after the app was already refusing',
    cause: 'upstream-down',
    evidence: appDownUnrelatedKill,
    verbatim: DOWN[0] ?? '',
    mentions: ['systemctl restart app.service'],
    actions: [['restart-service:app', 'safe']],
    confidence: [0.9, 0.97],
  },
  {
    name: 'C11 first when the kill came before the errors (resets, then refused)',
    cause: 'upstream-oom-killed',
    evidence: () => {
      const ev = withErrors(
        healthy(),
        [
          L.RESET_8081('10:14:05', 9401),
          L.at('10:14:06', 9402, REFUSED, '/'),
          L.at('10:14:09', 9403, REFUSED, '/'),
        ].join('\n'),
      );
      ev.services = [service('app', 'node', [], { running: false, pids: [], ageS: undefined })];
      setTarget(ev, '127.0.0.1:8081', 'refused', 'nothing listens on 127.0.0.1:8081 (connection refused)');
      ev.kernel = kernelLog(oomLine('10:14:05', 88123, 'node').join('\n'));
      return ev;
    },
    verbatim:
      '2026-11-21T10:14:05,412301+00:00 Memory cgroup out of memory: Killed process 88123 (node) total-vm:1204388kB, anon-rss:97120kB, file-rss:41520kB, shmem-rss:0kB, UID:0 pgtables:1120kB oom_score_adj:0',
    mentions: ['MemoryMax'],
    actions: [['investigate-oom', 'human']],
    confidence: [0.93, 0.99],
  },
  {
    name: "C11 first by cgroup: python3 killed in app.service's memory cgroup while the app was refusing",
    cause: 'upstream-oom-killed',
    evidence: () => {
      const ev = appDownUnrelatedKill();
      ev.services = [service('app', 'gunicorn', [], { running: false, pids: [], ageS: undefined })];
      ev.kernel = kernelLog(oomLine('10:14:05', 88200, 'python3', '/system.slice/app.service').join('\n'));
      return ev;
    },
    verbatim:
      '2026-11-21T10:14:05,412301+00:00 Memory cgroup out of memory: Killed process 88200 (python3) total-vm:1204388kB, anon-rss:97120kB, file-rss:41520kB, shmem-rss:0kB, UID:0 pgtables:1120kB oom_score_adj:0',
    mentions: ['systemctl show app.service -p MemoryMax'],
    actions: [['investigate-oom', 'human']],
  },
];
