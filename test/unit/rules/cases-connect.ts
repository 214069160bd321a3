import type { Evidence } from '../../../src/diagnosis/evidence.js';
import type { ActionKind } from '../../../src/diagnosis/finding.js';
import type { Cause } from '../../../src/parse/causes.js';
import { healthy, service, setTarget, svc, withErrors, withSite } from './evidence-builder.js';
import * as L from './lines.js';

export interface CauseCase {
  name: string;
  cause: Cause;
  evidence: () => Evidence;
  /** A verbatim line the first finding's evidence must contain. */
  verbatim: string;
  /** Concrete names/paths/ports the remediation must mention. */
  mentions: string[];
  /** Action ids and their kinds the first finding must carry. */
  actions: [string, ActionKind][];
  /** Bounds on the first finding's confidence. */
  confidence?: [number, number];
  titleHas?: string;
}

/** Connect-phase causes: C01-C07, C19/C20, C28 (catalog section 7, first half of the sketch). */
export const CONNECT_CASES: CauseCase[] = [
  {
    name: 'C01 refused + probe refused + unit stopped',
    cause: 'upstream-down',
    evidence: () => {
      const ev = withErrors(healthy(), L.REFUSED_8081.join('\n'));
      setTarget(ev, '127.0.0.1:8081', 'refused', 'nothing listens on 127.0.0.1:8081 (connection refused)');
      Object.assign(svc(ev, 'app'), { running: false, pids: [], listening: [], ageS: undefined });
      return ev;
    },
    verbatim: L.REFUSED_8081[2] ?? '',
    mentions: ['systemctl restart app.service'],
    actions: [['restart-service:app', 'safe']],
    confidence: [0.9, 0.97],
    titleHas: '127.0.0.1:8081 (upstream app_backend)',
  },
  {
    name: 'C01 catalog line, docker peer, probe refused',
    cause: 'upstream-down',
    evidence: () => {
      const ev = withSite(
        healthy(),
        'server {\n    listen 80;\n    location / {\n        proxy_pass http://172.21.0.19:9000;\n    }\n}\n',
      );
      withErrors(ev, L.CATALOG_REFUSED);
      setTarget(
        ev,
        '172.21.0.19:9000',
        'refused',
        'nothing listens on 172.21.0.19:9000 (connection refused)',
      );
      ev.services = [service('api', 'node', [], { running: false, pids: [] })];
      return ev;
    },
    verbatim: L.CATALOG_REFUSED,
    mentions: ['systemctl restart api.service'],
    actions: [['restart-service:api', 'safe']],
    confidence: [0.9, 0.97],
  },
  {
    name: 'C02 localhost -> [::1] refused while the app listens on 127.0.0.1 only',
    cause: 'upstream-wrong-address',
    evidence: () => {
      const ev = withSite(
        healthy(),
        'server {\n    listen 80;\n    server_name domain;\n    location / {\n        proxy_pass http://localhost:5000;\n    }\n}\n',
      );
      withErrors(ev, L.CATALOG_IPV6_REFUSED);
      setTarget(ev, 'localhost:5000', 'open', 'localhost:5000 accepts connections', {
        resolved: ['127.0.0.1', '::1'],
      });
      ev.services = [service('app', 'gunicorn', ['127.0.0.1:5000'])];
      return ev;
    },
    verbatim: L.CATALOG_IPV6_REFUSED,
    mentions: ['proxy_pass http://127.0.0.1:5000', '/etc/nginx/sites-enabled/default'],
    actions: [['use-ipv4-loopback', 'guarded']],
  },
  {
    name: 'C02 nginx dials :8081 while the app listens on :8080',
    cause: 'upstream-wrong-address',
    evidence: () => {
      const ev = withErrors(healthy(), L.REFUSED_8081.join('\n'));
      setTarget(ev, '127.0.0.1:8081', 'refused', 'nothing listens on 127.0.0.1:8081 (connection refused)');
      svc(ev, 'app').listening = ['127.0.0.1:8080'];
      return ev;
    },
    verbatim: L.REFUSED_8081[0] ?? '',
    mentions: ['127.0.0.1:8080', '/etc/nginx/sites-enabled/default'],
    actions: [['fix-upstream-address', 'human']],
    titleHas: '127.0.0.1:8081',
  },
  {
    name: 'C03 php version mismatch (fastcgi_pass php7.4, php8.2-fpm listens)',
    cause: 'socket-missing',
    evidence: () => {
      const line =
        '2024/02/03 08:10:44 [crit] 901#901: *12 connect() to unix:/run/php/php7.4-fpm.sock failed (2: No such file or directory) while connecting to upstream, client: 10.0.0.8, server: shop.example.com, request: "GET /index.php HTTP/1.1", upstream: "fastcgi://unix:/run/php/php7.4-fpm.sock:", host: "shop.example.com"';
      const ev = withSite(
        healthy(),
        'server {\n    listen 80;\n    location ~ \\.php$ {\n        fastcgi_pass unix:/run/php/php7.4-fpm.sock;\n    }\n}\n',
      );
      withErrors(ev, line);
      setTarget(ev, 'unix:/run/php/php7.4-fpm.sock', 'missing', '/run/php/php7.4-fpm.sock does not exist');
      ev.services = [service('php8.2-fpm', 'php-fpm', ['/run/php/php8.2-fpm.sock'])];
      return ev;
    },
    verbatim: '/run/php/php7.4-fpm.sock does not exist',
    mentions: ['fastcgi_pass unix:/run/php/php8.2-fpm.sock', '/etc/nginx/sites-enabled/default:4'],
    actions: [['point-pass-at-socket', 'guarded']],
    confidence: [0.9, 0.97],
  },
  {
    name: 'C03 socket in a PrivateTmp /tmp (catalog jackcast line)',
    cause: 'socket-missing',
    evidence: () => {
      const ev = withSite(
        healthy(),
        'server {\n    listen 80;\n    location / {\n        proxy_pass http://unix:/tmp/jackcast.sock:/;\n    }\n}\n',
      );
      withErrors(ev, L.CATALOG_SOCKET_MISSING_TMP);
      setTarget(ev, 'unix:/tmp/jackcast.sock', 'missing', '/tmp/jackcast.sock does not exist');
      ev.services = [
        service('jackcast', 'gunicorn', ['/tmp/jackcast.sock'], { settings: { PrivateTmp: 'yes' } }),
      ];
      return ev;
    },
    verbatim: L.CATALOG_SOCKET_MISSING_TMP,
    mentions: ['RuntimeDirectory=jackcast', '/run/jackcast/jackcast.sock'],
    actions: [['move-socket-out-of-tmp', 'human']],
  },
  {
    name: 'C04 stale unix socket, gunicorn dead',
    cause: 'socket-stale',
    evidence: () => {
      const line =
        '2026/11/21 10:09:30 [error] 2131#2131: *7781 connect() to unix:/run/app/app.sock failed (111: Connection refused) while connecting to upstream, client: 203.0.113.9, server: shop.example.com, request: "GET / HTTP/1.1", upstream: "http://unix:/run/app/app.sock:/", host: "shop.example.com"';
      const ev = withSite(
        healthy(),
        'server {\n    listen 80;\n    location / {\n        proxy_pass http://unix:/run/app/app.sock;\n    }\n}\n',
      );
      withErrors(ev, line);
      setTarget(ev, 'unix:/run/app/app.sock', 'stale', '/run/app/app.sock exists but nothing listens on it', {
        lines: ['srw 770 app:www-data /run/app/app.sock'],
      });
      ev.services = [
        service('app', 'gunicorn', [], {
          running: false,
          pids: [],
          settings: { bind: 'unix:/run/app/app.sock' },
        }),
      ];
      return ev;
    },
    verbatim: 'srw 770 app:www-data /run/app/app.sock',
    mentions: ['systemctl restart app.service', 'fuser /run/app/app.sock'],
    actions: [
      ['restart-service:app', 'safe'],
      ['remove-stale-socket', 'guarded'],
    ],
  },
  {
    name: 'C05 php-fpm socket owned by root, mode 660',
    cause: 'socket-permission',
    evidence: () => {
      const line =
        '2021/03/04 10:11:12 [crit] 1187#1187: *31 connect() to unix:/run/php/php8.2-fpm.sock failed (13: Permission denied) while connecting to upstream, client: 10.0.0.8, server: shop.example.com, request: "GET /index.php HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "shop.example.com"';
      const ev = withErrors(healthy(), line);
      setTarget(
        ev,
        'unix:/run/php/php8.2-fpm.sock',
        'denied',
        'the nginx worker user may not connect to /run/php/php8.2-fpm.sock (root:root mode 660)',
        {
          socket: { owner: 'root', group: 'root', mode: '660', workerMayConnect: false, listening: true },
        },
      );
      return ev;
    },
    verbatim: 'the nginx worker user may not connect to /run/php/php8.2-fpm.sock (root:root mode 660)',
    mentions: [
      'listen.owner = www-data, listen.group = www-data, listen.mode = 0660',
      'systemctl restart php8.2-fpm',
      'namei -l /run/php/php8.2-fpm.sock',
    ],
    actions: [['fix-socket-permissions', 'guarded']],
  },
];
