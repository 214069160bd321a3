import type { CauseCase } from './cases-connect.js';
import { healthy, service, svc, withErrors, withSite } from './evidence-builder.js';
import * as L from './lines.js';
import { accessStats, appLog, kernelLog } from './log-builders.js';

export const FPM_9000_SITE =
  'server {\n    listen 80;\n    server_name example.com;\n    location ~ \\.php$ {\n        fastcgi_pass 127.0.0.1:9000;\n        fastcgi_read_timeout 60s;\n    }\n}\n';

/** Upstream-side causes once connected: C08-C13, C16, C17, C27, C11 (catalog section 7, second half). */
export const APP_CASES: CauseCase[] = [
  {
    name: 'C08 uwsgi listen queue full (EAGAIN on the unix socket)',
    cause: 'worker-pool-exhausted',
    evidence: () => {
      const ev = withSite(
        healthy(),
        'server {\n    listen 80;\n    location / {\n        uwsgi_pass unix:///var/sockets/harri.sock;\n    }\n}\n',
      );
      withErrors(ev, L.CATALOG_EAGAIN);
      ev.services = [
        service('harri', 'uwsgi', ['/var/sockets/harri.sock'], {
          settings: { processes: '4' },
          logLines: appLog(
            'uwsgi',
            '*** uWSGI listen queue of socket "/var/sockets/harri.sock" (fd: 3) full !!! (101/100) ***',
          ),
        }),
      ];
      return ev;
    },
    verbatim: L.CATALOG_EAGAIN,
    mentions: ['Raise processes from 4', '--listen 1024'],
    actions: [
      ['restart-service:harri', 'safe'],
      ['raise-pool-size', 'human'],
    ],
    confidence: [0.9, 0.97],
  },
  {
    name: 'C08 php-fpm max_children with read timeouts',
    cause: 'worker-pool-exhausted',
    evidence: () => {
      const ev = withErrors(withSite(healthy(), FPM_9000_SITE), L.CATALOG_READ_TIMEOUT);
      ev.services = [
        service('php8.2-fpm', 'php-fpm', ['127.0.0.1:9000'], {
          settings: { 'pm.max_children': '5' },
          logLines: appLog(
            'php-fpm',
            '[21-Nov-2026 10:11:02] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it',
          ),
        }),
      ];
      return ev;
    },
    verbatim:
      '[21-Nov-2026 10:11:02] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it',
    mentions: ['Raise pm.max_children from 5', 'systemctl reload php8.2-fpm'],
    actions: [['raise-pool-size', 'human']],
  },
  {
    name: 'C09 gunicorn WORKER TIMEOUT, failures clustered at 30 s',
    cause: 'app-worker-timeout',
    evidence: () => {
      const ev = withErrors(
        healthy(),
        [
          L.PREMATURE_8081('10:03:00', 1),
          L.PREMATURE_8081('10:08:30', 2),
          L.PREMATURE_8081('10:12:10', 3),
        ].join('\n'),
      );
      ev.accessLog = accessStats(
        ['10:03:00', '10:08:30', '10:12:10']
          .map(
            (t) =>
              `203.0.113.7 - - [21/Nov/2026:${t} +0000] "GET /export HTTP/1.1" 502 157 "-" "Mozilla/5.0" rt=30.002 ua="127.0.0.1:8081" us="502" uct="0.000" uht="-" urt="30.001" ul="0" cs=- host="shop.example.com"`,
          )
          .join('\n'),
      );
      svc(ev, 'app').logLines = appLog(
        'gunicorn',
        '[2026-11-21 10:12:10 +0000] [4100] [CRITICAL] WORKER TIMEOUT (pid:4188)',
      );
      return ev;
    },
    verbatim: '[2026-11-21 10:12:10 +0000] [4100] [CRITICAL] WORKER TIMEOUT (pid:4188)',
    mentions: ['/export', 'proxy_read_timeout', 'gthread'],
    actions: [['investigate-slow-endpoint', 'human']],
    confidence: [0.92, 0.97],
    titleHas: '30s',
  },
  {
    name: 'C10 php-fpm SIGSEGV paired with 104 resets',
    cause: 'upstream-crash',
    evidence: () => {
      const ev = withErrors(withSite(healthy(), FPM_9000_SITE), L.CATALOG_RESET_FASTCGI);
      ev.services = [
        service('php8.2-fpm', 'php-fpm', ['127.0.0.1:9000'], {
          logLines: appLog('php-fpm', L.CATALOG_FPM_SEGV),
        }),
      ];
      ev.kernel = kernelLog(
        '[Sat Nov 21 10:09:41 2026] php-fpm8.2[26045]: segfault at 18 ip 000055d5c1a5b2c4 sp 00007ffd0c3c1b40 error 4 in php-fpm8.2[55d5c1800000+3b2000]',
      );
      return ev;
    },
    verbatim: L.CATALOG_FPM_SEGV,
    mentions: ['coredumpctl list', 'opcache'],
    actions: [['investigate-crash', 'human']],
  },
  {
    name: 'C11 kernel OOM kill of gunicorn with 104 resets',
    cause: 'upstream-oom-killed',
    evidence: () => {
      const ev = withErrors(healthy(), [L.RESET_8081('10:09:58', 1), L.RESET_8081('10:10:02', 2)].join('\n'));
      ev.kernel = kernelLog(
        '[Sat Nov 21 10:10:01 2026] Out of memory: Killed process 4101 (gunicorn) total-vm:2466228kB, anon-rss:1893764kB, file-rss:0kB, shmem-rss:0kB, UID:33 pgtables:4012kB oom_score_adj:0',
      );
      svc(ev, 'app').logLines = appLog(
        'gunicorn',
        '[2026-11-21 10:10:01 +0000] [4100] [ERROR] Worker (pid:4101) was sent SIGKILL! Perhaps out of memory?',
      );
      return ev;
    },
    verbatim:
      '[Sat Nov 21 10:10:01 2026] Out of memory: Killed process 4101 (gunicorn) total-vm:2466228kB, anon-rss:1893764kB, file-rss:0kB, shmem-rss:0kB, UID:33 pgtables:4012kB oom_score_adj:0',
    mentions: ['systemctl show app.service -p MemoryMax', '--max-requests'],
    actions: [
      ['restart-service:app', 'human'],
      ['investigate-oom', 'human'],
    ],
    confidence: [0.93, 0.99],
  },
  {
    name: 'C12 sporadic POST premature closes to node, keepalive on by default (nginx 1.30)',
    cause: 'keepalive-race',
    evidence: () => {
      const ev = withSite(
        healthy(),
        'upstream node_backend {\n    server 10.0.3.12:8080;\n}\nserver {\n    listen 9080;\n    location / {\n        proxy_pass http://node_backend;\n    }\n}\n',
      );
      const l = (t: string, c: number, p: string) =>
        `2026/11/21 ${t} [error] 3639#3639: *${c} upstream prematurely closed connection while reading response header from upstream, client: 10.20.31.44, server: _, request: "POST ${p} HTTP/1.1", upstream: "http://10.0.3.12:8080${p}", host: "api.example.cn:9080"`;
      withErrors(ev, [l('10:04:12', 664141, '/atip/tc'), l('10:11:40', 664802, '/atip/tc')].join('\n'));
      ev.nginx.version = '1.30.0';
      ev.services = [service('atip', 'node', ['10.0.3.12:8080'], { settings: { keepAliveTimeout: '5000' } })];
      const ok = `10.20.31.44 - - [21/Nov/2026:10:05:00 +0000] "GET /atip/list HTTP/1.1" 200 88 "-" "okhttp" rt=0.010 ua="10.0.3.12:8080" us="200" uct="0.000" uht="0.010" urt="0.010" ul="88" cs=- host="api.example.cn"`;
      const bad = `10.20.31.44 - - [21/Nov/2026:10:11:40 +0000] "POST /atip/tc HTTP/1.1" 502 157 "-" "okhttp" rt=0.004 ua="10.0.3.12:8080" us="502" uct="0.000" uht="-" urt="0.004" ul="0" cs=- host="api.example.cn"`;
      ev.accessLog = accessStats([...Array.from({ length: 200 }, () => ok), bad].join('\n'));
      return ev;
    },
    verbatim:
      '2026/11/21 10:11:40 [error] 3639#3639: *664802 upstream prematurely closed connection while reading response header from upstream, client: 10.20.31.44, server: _, request: "POST /atip/tc HTTP/1.1", upstream: "http://10.0.3.12:8080/atip/tc", host: "api.example.cn:9080"',
    mentions: ['keepalive_timeout 4s', 'upstream node_backend', 'server.keepAliveTimeout = 65000'],
    actions: [['set-upstream-keepalive-timeout', 'guarded']],
  },
];
