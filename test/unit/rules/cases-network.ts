import type { CauseCase } from './cases-connect.js';
import { healthy, setTarget, svc, withErrors, withSite } from './evidence-builder.js';
import * as L from './lines.js';
import { appLog, kernelLog } from './log-builders.js';

/** C06, C07, C14, C20, C28: security layers, the network path, stale addresses, restarts. */
export const NETWORK_CASES: CauseCase[] = [
  {
    name: 'C06 TCP errno 13 with SELinux enforcing and an AVC denial',
    cause: 'mac-denied',
    evidence: () => {
      const ev = withErrors(healthy(), L.CATALOG_TCP_EACCES);
      ev.security = { selinux: 'enforcing', denials: [L.CATALOG_AVC], blockingRules: [] };
      return ev;
    },
    verbatim: L.CATALOG_AVC,
    mentions: ['setsebool -P httpd_can_network_connect 1', 'semanage port -a -t http_port_t -p tcp 8081'],
    actions: [['set-selinux-boolean', 'human']],
    confidence: [0.93, 0.99],
  },
  {
    name: 'C07 113 to a remote peer behind a REJECT rule',
    cause: 'network-blocked',
    evidence: () => {
      const ev = withSite(
        healthy(),
        'server {\n    listen 4488;\n    location / {\n        proxy_pass http://172.27.0.7:3000;\n    }\n}\n',
      );
      withErrors(ev, L.CATALOG_NO_ROUTE);
      setTarget(ev, '172.27.0.7:3000', 'unreachable', '172.27.0.7:3000 is unreachable (No route to host)');
      ev.security = {
        denials: [],
        blockingRules: [
          '-A OUTPUT -d 172.27.0.7/32 -p tcp -m tcp --dport 3000 -j REJECT --reject-with icmp-host-prohibited',
        ],
      };
      ev.services = [];
      return ev;
    },
    verbatim:
      '-A OUTPUT -d 172.27.0.7/32 -p tcp -m tcp --dport 3000 -j REJECT --reject-with icmp-host-prohibited',
    mentions: ["</dev/tcp/172.27.0.7/3000'", 'proxy_connect_timeout 5s'],
    actions: [
      ['open-firewall', 'human'],
      ['lower-connect-timeout', 'guarded'],
    ],
  },
  {
    name: 'C07 connect timeouts to a remote peer that also times out from the nginx host',
    cause: 'network-blocked',
    evidence: () => {
      const ev = withSite(
        healthy(),
        'server {\n    listen 80;\n    location / {\n        proxy_pass http://192.168.215.1:80;\n    }\n}\n',
      );
      withErrors(ev, L.CATALOG_CONNECT_TIMEOUT);
      setTarget(ev, '192.168.215.1:80', 'timeout', '192.168.215.1:80: connect timed out after 3s');
      ev.services = [];
      return ev;
    },
    verbatim: L.CATALOG_CONNECT_TIMEOUT,
    mentions: ['192.168.215.1'],
    actions: [['open-firewall', 'human']],
  },
  {
    name: 'C14 loopback connect timeouts with kernel SYN flooding',
    cause: 'upstream-not-accepting',
    evidence: () => {
      const line = L.at(
        '10:11:09',
        9120,
        'upstream timed out (110: Connection timed out) while connecting to upstream',
      );
      const ev = withErrors(healthy(), line);
      setTarget(ev, '127.0.0.1:8081', 'timeout', '127.0.0.1:8081: connect timed out after 3s');
      ev.kernel = kernelLog(
        '[Sat Nov 21 10:11:02 2026] TCP: request_sock_TCP: Possible SYN flooding on port 8081. Sending cookies.  Check SNMP counters.',
      );
      return ev;
    },
    verbatim:
      '[Sat Nov 21 10:11:02 2026] TCP: request_sock_TCP: Possible SYN flooding on port 8081. Sending cookies.  Check SNMP counters.',
    mentions: ["ss -ltn 'sport = :8081'"],
    actions: [['lower-connect-timeout', 'guarded']],
  },
  {
    name: 'C20 container IP changed: nginx dials the old IP of api',
    cause: 'upstream-address-changed',
    evidence: () => {
      const line =
        '2026/11/21 10:04:52 [error] 29#29: *441 connect() failed (113: Host is unreachable) while connecting to upstream, client: 172.19.0.1, server: _, request: "GET /v1/apps HTTP/1.1", upstream: "http://172.19.0.4:5001/v1/apps", host: "dify.example.com"';
      const ev = withSite(
        healthy(),
        'server {\n    listen 80;\n    location /v1 {\n        proxy_pass http://api:5001;\n    }\n}\n',
      );
      withErrors(ev, line);
      setTarget(ev, 'api:5001', 'open', 'api:5001 accepts connections', {
        resolved: ['172.19.0.7'],
        lines: ['172.19.0.7      STREAM api'],
      });
      ev.services = [];
      return ev;
    },
    verbatim: '172.19.0.7      STREAM api',
    mentions: ['nginx -t && nginx -s reload', 'resolver 127.0.0.11 valid=30s'],
    actions: [
      ['reload-nginx', 'safe'],
      ['add-resolver', 'guarded'],
    ],
    titleHas: '172.19.0.4:5001',
  },
  {
    name: 'C28 refusals during a restart, app answers now',
    cause: 'restart-window',
    evidence: () => {
      const ev = withErrors(healthy(), L.REFUSED_8081.slice(0, 2).join('\n'));
      Object.assign(svc(ev, 'app'), {
        ageS: 480,
        logLines: appLog(
          'gunicorn',
          '[2026-11-21 10:07:01 +0000] [5120] [INFO] Booting worker with pid: 5120',
        ),
      });
      return ev;
    },
    verbatim: '[2026-11-21 10:07:01 +0000] [5120] [INFO] Booting worker with pid: 5120',
    mentions: ['journalctl -u app'],
    actions: [['review-deploy-process', 'human']],
    confidence: [0.8, 0.9],
  },
];
