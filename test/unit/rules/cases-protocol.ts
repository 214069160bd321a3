import { FPM_9000_SITE } from './cases-app.js';
import type { CauseCase } from './cases-connect.js';
import { healthy, service, withErrors, withSite } from './evidence-builder.js';
import * as L from './lines.js';
import { appLog } from './log-builders.js';

/** C13, C16, C17, C27: slow answers and answers nginx cannot use. */
export const PROTOCOL_CASES: CauseCase[] = [
  {
    name: 'C13 fastcgi read timeout, no pool saturation',
    cause: 'upstream-slow',
    evidence: () => {
      const ev = withErrors(withSite(healthy(), FPM_9000_SITE), L.CATALOG_READ_TIMEOUT);
      ev.services = [service('php8.2-fpm', 'php-fpm', ['127.0.0.1:9000'])];
      return ev;
    },
    verbatim: L.CATALOG_READ_TIMEOUT,
    mentions: ['fastcgi_read_timeout 300s', '/update'],
    actions: [['raise-read-timeout', 'human']],
    titleHas: 'fastcgi_read_timeout 60s',
  },
  {
    name: 'C16 fastcgi_pass to an HTTP server (protocol version 72)',
    cause: 'protocol-mismatch',
    evidence: () => {
      const l =
        '2021/08/02 09:14:03 [error] 1201#1201: *77 upstream sent unsupported FastCGI protocol version: 72 while reading response header from upstream, client: 10.0.0.5, server: otp.example.com, request: "GET / HTTP/1.1", upstream: "fastcgi://127.0.0.1:8080", host: "otp.example.com"';
      const ev = withErrors(
        withSite(
          healthy(),
          'server {\n    listen 80;\n    location / {\n        fastcgi_pass 127.0.0.1:8080;\n    }\n}\n',
        ),
        l,
      );
      ev.services = [service('otp', 'node', ['127.0.0.1:8080'])];
      return ev;
    },
    verbatim:
      '2021/08/02 09:14:03 [error] 1201#1201: *77 upstream sent unsupported FastCGI protocol version: 72 while reading response header from upstream, client: 10.0.0.5, server: otp.example.com, request: "GET / HTTP/1.1", upstream: "fastcgi://127.0.0.1:8080", host: "otp.example.com"',
    mentions: ['proxy_pass http://', 'ss -ltnp | grep :8080'],
    actions: [['fix-protocol', 'human']],
  },
  {
    name: 'C17 https:// to a plain HTTP port (wrong version number)',
    cause: 'upstream-tls-error',
    evidence: () => {
      const l =
        '2022/05/17 07:30:11 [error] 44#44: *1 SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking to upstream, client: 172.18.0.1, server: portal.example.com, request: "GET / HTTP/1.1", upstream: "https://172.18.0.5:9000/", host: "portal.example.com"';
      return withErrors(
        withSite(
          healthy(),
          'server {\n    listen 443 ssl;\n    location / {\n        proxy_pass https://172.18.0.5:9000;\n    }\n}\n',
        ),
        l,
      );
    },
    verbatim:
      '2022/05/17 07:30:11 [error] 44#44: *1 SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking to upstream, client: 172.18.0.1, server: portal.example.com, request: "GET / HTTP/1.1", upstream: "https://172.18.0.5:9000/", host: "portal.example.com"',
    mentions: ['proxy_pass http://172.18.0.5:9000', '/etc/nginx/sites-enabled/default:4'],
    actions: [['fix-upstream-scheme', 'human']],
  },
  {
    name: 'C27 uwsgi rejects a request larger than buffer-size',
    cause: 'request-too-large',
    evidence: () => {
      const l =
        '2021/04/20 13:02:26 [error] 30#30: *95 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 10.244.0.1, server: gpm.example.com, request: "GET /oidc/callback?code=4/0AX4XfWh HTTP/1.1", upstream: "uwsgi://unix:///tmp/uwsgi.sock:", host: "gpm.example.com"';
      const ev = withErrors(
        withSite(
          healthy(),
          'server {\n    listen 80;\n    location / {\n        uwsgi_pass unix:///tmp/uwsgi.sock;\n    }\n}\n',
        ),
        l,
      );
      ev.services = [
        service('gpm', 'uwsgi', ['/tmp/uwsgi.sock'], {
          logLines: appLog('uwsgi', 'invalid request block size: 5292 (max 4096)...skip'),
        }),
      ];
      return ev;
    },
    verbatim: 'invalid request block size: 5292 (max 4096)...skip',
    mentions: ['buffer-size = 32768', 'client_max_body_size'],
    actions: [['raise-uwsgi-buffer-size', 'guarded']],
  },
];
