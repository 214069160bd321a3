import type { CauseCase } from './cases-connect.js';
import { healthy, withErrors, withSite } from './evidence-builder.js';
import * as L from './lines.js';
import { accessStats } from './log-builders.js';

/** Causes on the nginx side (C15, C18, C21-C26, seed causes 3 and nginx-down). */
export const NGINX_CASES: CauseCase[] = [
  {
    name: 'C15 too big header from an https upstream',
    cause: 'header-too-big',
    evidence: () => {
      const site =
        'server {\n    listen 80;\n    location /api/ {\n        proxy_pass https://104.26.5.98:443;\n    }\n}\n';
      return withErrors(withSite(healthy(), site), L.CATALOG_TOO_BIG);
    },
    verbatim: L.CATALOG_TOO_BIG,
    mentions: [
      'Raise proxy_buffer_size to 16k',
      '/etc/nginx/sites-enabled/default:4',
      'nginx -t && nginx -s reload',
    ],
    actions: [['raise-buffer-size', 'guarded']],
    confidence: [0.9, 0.97],
  },
  {
    name: 'C18 runtime DNS failure (Host not found)',
    cause: 'dns-failure',
    evidence: () => withErrors(healthy(), L.CATALOG_DNS),
    verbatim: L.CATALOG_DNS,
    mentions: ['getent ahosts decidim'],
    actions: [
      ['add-resolver', 'guarded'],
      ['fix-dns-record', 'human'],
    ],
    titleHas: 'decidim',
  },
  {
    name: 'C18 variable proxy_pass without a resolver',
    cause: 'dns-failure',
    evidence: () => withErrors(healthy(), L.CATALOG_NO_RESOLVER),
    verbatim: L.CATALOG_NO_RESOLVER,
    mentions: ['resolver <address from /etc/resolv.conf> valid=30s'],
    actions: [['add-resolver', 'guarded']],
    titleHas: 'xxx.xxx.aliyuncs.com',
  },
  {
    name: 'C21 no live upstreams alone (nothing else found)',
    cause: 'no-live-upstreams',
    evidence: () => withErrors(healthy(), L.CATALOG_NO_LIVE),
    verbatim: L.CATALOG_NO_LIVE,
    mentions: ['max_fails=3 fail_timeout=10s', 'nginx -t && nginx -s reload'],
    actions: [
      ['reload-nginx', 'safe'],
      ['tune-max-fails', 'guarded'],
    ],
  },
  {
    name: 'C22 errno 99 with TIME_WAIT near the port range',
    cause: 'ephemeral-ports-exhausted',
    evidence: () => {
      const ev = withErrors(
        healthy(),
        '2026/11/21 10:10:10 [crit] 2131#2131: *90211 connect() to 127.0.0.1:8081 failed (99: Cannot assign requested address) while connecting to upstream, client: 203.0.113.7, server: shop.example.com, request: "GET /cart HTTP/1.1", upstream: "http://127.0.0.1:8081/cart", host: "shop.example.com"',
      );
      if (ev.resources) ev.resources.timeWait = 27_000;
      return ev;
    },
    verbatim: 'TIME_WAIT sockets: 27000',
    mentions: [
      'keepalive 64; in upstream app_backend (/etc/nginx/sites-enabled/default:1)',
      'ip_local_port_range',
    ],
    actions: [
      ['enable-upstream-keepalive', 'guarded'],
      ['widen-port-range', 'human'],
    ],
    confidence: [0.93, 0.99],
  },
  {
    name: 'C23 socket() failed (24) with the worker at its fd limit',
    cause: 'fd-exhausted',
    evidence: () => {
      const ev = withErrors(healthy(), L.CATALOG_FD);
      ev.nginx.workerOpenFds = 1024;
      ev.nginx.workerFdLimit = 1024;
      return ev;
    },
    verbatim: L.CATALOG_FD,
    mentions: ['worker_rlimit_nofile 65535', '/etc/nginx/nginx.conf', 'LimitNOFILE=65535'],
    actions: [['raise-fd-limit', 'guarded']],
    titleHas: '500',
  },
  {
    name: 'C24 worker_connections are not enough (status 500)',
    cause: 'worker-connections-exhausted',
    evidence: () => {
      const ev = withErrors(healthy(), L.CATALOG_WORKER_CONNS);
      ev.accessLog = accessStats(
        '41.210.155.91 - - [21/Nov/2026:10:11:00 +0000] "GET /medic/ HTTP/1.1" 500 579 "-" "Mozilla/5.0" rt=0.000 ua="-" us="-" uct="-" uht="-" urt="-" ul="-" cs=- host="lg.app.medicmobile.org"',
      );
      return ev;
    },
    verbatim: L.CATALOG_WORKER_CONNS,
    mentions: ['worker_connections to 4096', '/etc/nginx/nginx.conf'],
    actions: [['raise-worker-connections', 'guarded']],
    titleHas: '500',
  },
  {
    name: 'C25 client body temp ENOSPC with a full root disk',
    cause: 'disk-full',
    evidence: () => {
      const ev = withErrors(
        healthy(),
        '2026/11/21 10:06:47 [crit] 2131#2131: *2212 pwritev() "/var/lib/nginx/body/0000000014" failed (28: No space left on device), client: 203.0.113.7, server: shop.example.com, request: "POST /upload HTTP/1.1", host: "shop.example.com"\n' +
          '2026/11/21 10:07:02 [crit] 2131#2131: *2215 pwrite() "/var/cache/nginx/client_temp/0000000015" failed (28: No space left on device), client: 203.0.113.7, server: shop.example.com, request: "POST /upload HTTP/1.1", host: "shop.example.com"',
      );
      if (ev.resources)
        ev.resources.disks = [
          {
            mount: '/',
            usedPct: 100,
            inodesUsedPct: 14,
            availKb: 0,
            line: '/dev/vda1        50G   50G     0 100% /',
          },
        ];
      return ev;
    },
    verbatim: '/dev/vda1        50G   50G     0 100% /',
    mentions: ['journalctl --vacuum-size=500M', 'df -i'],
    actions: [
      ['free-disk-space', 'guarded'],
      ['clean-disk', 'human'],
    ],
    confidence: [0.9, 0.99],
  },
  {
    name: 'C26 the backend answered 502 itself (numeric upstream_header_time, no error line)',
    cause: 'upstream-returned-502',
    evidence: () => {
      const ev = healthy();
      const bad = `198.51.100.4 - - [21/Nov/2026:10:09:12 +0000] "GET /api/orders HTTP/1.1" 502 552 "-" "curl/8.5.0" rt=0.210 ua="127.0.0.1:8081" us="502" uct="0.000" uht="0.209" urt="0.209" ul="552" cs=- host="shop.example.com"`;
      ev.accessLog = accessStats([bad, bad, bad].join('\n'));
      return ev;
    },
    verbatim:
      '198.51.100.4 - - [21/Nov/2026:10:09:12 +0000] "GET /api/orders HTTP/1.1" 502 552 "-" "curl/8.5.0" rt=0.210 ua="127.0.0.1:8081" us="502" uct="0.000" uht="0.209" urt="0.209" ul="552" cs=- host="shop.example.com"',
    mentions: ['http://127.0.0.1:8081/<failing path>'],
    actions: [['investigate-next-hop', 'human']],
  },
  {
    name: 'seed 3: nginx -t fails on a typo',
    cause: 'nginx-config-invalid',
    evidence: () => {
      const ev = healthy();
      ev.nginx.configTestOk = false;
      ev.nginx.configTestOutput = [
        'nginx: [emerg] unknown directive "proxy_passs" in /etc/nginx/sites-enabled/default:8',
        'nginx: configuration file /etc/nginx/nginx.conf test failed',
      ];
      return ev;
    },
    verbatim: 'nginx: [emerg] unknown directive "proxy_passs" in /etc/nginx/sites-enabled/default:8',
    mentions: ['/etc/nginx/sites-enabled/default:8', 'nginx -t'],
    actions: [['fix-nginx-config', 'human']],
    titleHas: '/etc/nginx/sites-enabled/default:8',
  },
  {
    name: 'nginx not running',
    cause: 'nginx-down',
    evidence: () => {
      const ev = healthy();
      Object.assign(ev.nginx, { running: false, masterPid: undefined, workerPids: [], listening: [] });
      return ev;
    },
    verbatim: 'no nginx master process',
    mentions: ['nginx -t && systemctl start nginx'],
    actions: [['start-nginx', 'safe']],
    confidence: [0.9, 0.97],
  },
];
