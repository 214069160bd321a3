/**
 * Issue 9, "lines real logs carry that the classifier does not know": for each class, the whole
 * diagnosis (real parser, real rules) ranks the right cause first, quotes the line and names the
 * fix. Lines are verbatim from public reports or nginx/Tengine/module format strings (see
 * test/unit/parse/classify-signature.test.ts for the sources); prefixed ones carry the wrapper's
 * real prefix.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnosis/diagnose.js';
import type { Evidence } from '../../../src/diagnosis/evidence.js';
import type { CauseCase } from './cases-connect.js';
import { healthy, withErrors, withSite } from './evidence-builder.js';

const REQ = 'client: 10.0.0.1, server: web-3, request: "GET /report HTTP/1.1"';
const PWRITE_PROXY = `2026/11/25 10:01:02 [crit] 2131#2131: *41 pwrite() "/var/lib/nginx/tmp/proxy/1/00/0000000001" failed (28: No space left on device) while reading upstream, ${REQ}, upstream: "http://127.0.0.1:8081/report", host: "web-3"`;
const PWRITEV_FCGI = `2026/11/25 10:01:03 [crit] 2131#2131: *42 pwritev() "/srv/nginx-tmp/fastcgi/2/00/0000000002" failed (28: No space left on device) while reading upstream, ${REQ}, upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "web-3"`;
const SOCKET_EMERG =
  '2026/11/25 10:01:02 [emerg] 4567#4567: socket() 0.0.0.0:80 failed (24: Too many open files)';
const SOCKET_ALERT = `2026/11/25 10:01:04 [alert] 2131#2131: *43 socket() failed (24: Too many open files) while connecting to upstream, ${REQ}, upstream: "http://127.0.0.1:8081/report", host: "web-3"`;
const V6_99 = `2026/11/25 10:01:02 [crit] 2131#2131: *44 connect() to [::1]:8081 failed (99: Cannot assign requested address) while connecting to upstream, ${REQ}, upstream: "http://[::1]:8081/report", host: "web-3"`;
// Captured from the lab (ipv6-lo-off-localhost): lo without IPv6, eth0 with an address.
const V6_101 =
  '2026/11/25 10:29:54 [error] 214#214: *8 connect() to [::1]:8081 failed (101: Network is unreachable) while connecting to upstream, client: 10.88.49.1, server: web-1, request: "GET / HTTP/1.1", upstream: "http://[::1]:8081/", host: "10.88.49.11"';
const V4_99 = `2026/11/25 10:01:02 [crit] 2131#2131: *45 connect() to 127.0.0.1:8081 failed (99: Cannot assign requested address) while connecting to upstream, ${REQ}, upstream: "http://127.0.0.1:8081/report", host: "web-3"`;
const RELOAD_EMERG =
  '2026/11/25 10:01:02 [emerg] 4567#4567: unknown directive "proxy_passs" in /etc/nginx/conf.d/deploy.conf:4';
const DYN_SERVERS =
  "2026/11/25 10:01:02 [error] 2439#2439: upstream-dynamic-servers: 'api.internal' could not be resolved (110: Operation timed out)";
const JDOMAIN = `2026/11/25 10:01:02 [error] 2131#2131: *46 upstream_jdomain: resolver failed ,"api.internal" (3: Host not found)), ${REQ}, host: "web-3"`;
const LUA_DNS = `2026/11/25 10:01:02 [error] 2131#2131: *47 [lua] access_by_lua(nginx.conf:40):12: failed to query the DNS server: timeout, ${REQ}, host: "web-3"`;
const RESOLVER_IO =
  '2026/11/25 10:01:02 [error] 2131#2131: recv() failed (111: Connection refused) while resolving, resolver: 127.0.0.11:53';
const TENGINE_DOWN = '2026/11/25 10:01:02 [error] 18107#0: disable check peer: 127.0.0.1:8081 ';
const TENGINE_ALL = `2026/11/25 10:01:05 [error] 18107#0: *48 all servers are down! while connecting to upstream, ${REQ}, host: "web-3"`;

const LOCALHOST_SITE =
  'server {\n    listen 80;\n    location / {\n        proxy_pass http://localhost:8081;\n    }\n}\n';

const CASES: CauseCase[] = [
  {
    name: 'pwrite() of a proxy temp file on a RHEL path, errno 28',
    cause: 'disk-full',
    evidence: () => withErrors(healthy(), PWRITE_PROXY),
    verbatim: PWRITE_PROXY,
    mentions: ['df -h'],
    actions: [['free-disk-space', 'guarded']],
    titleHas: '/var/lib/nginx/tmp/proxy',
  },
  {
    name: 'pwritev() of a fastcgi temp file on a custom path, behind a compose prefix',
    cause: 'disk-full',
    evidence: () => withErrors(healthy(), `web-1  | ${PWRITEV_FCGI}`),
    verbatim: `web-1  | ${PWRITEV_FCGI}`,
    mentions: ['df -h'],
    actions: [['free-disk-space', 'guarded']],
    titleHas: '/srv/nginx-tmp/fastcgi',
  },
  {
    name: 'socket() 24 at [emerg] (reload) and [alert] (request)',
    cause: 'fd-exhausted',
    evidence: () => withErrors(healthy(), [SOCKET_EMERG, SOCKET_ALERT].join('\n')),
    verbatim: SOCKET_ALERT,
    mentions: ['worker_rlimit_nofile'],
    actions: [['raise-fd-limit', 'guarded']],
  },
  {
    name: 'socket() 24 at [emerg] alone, in syslog',
    cause: 'fd-exhausted',
    evidence: () => withErrors(healthy(), `Nov 25 10:01:02 web-3 daemon.err nginx[4567]: ${SOCKET_EMERG}`),
    verbatim: `Nov 25 10:01:02 web-3 daemon.err nginx[4567]: ${SOCKET_EMERG}`,
    mentions: ['LimitNOFILE'],
    actions: [['raise-fd-limit', 'guarded']],
  },
  {
    name: 'errno 99 to [::1] with proxy_pass http://localhost:8081 is the address family',
    cause: 'upstream-wrong-address',
    evidence: () => withErrors(withSite(healthy(), LOCALHOST_SITE), V6_99),
    verbatim: V6_99,
    mentions: ['127.0.0.1:8081', 'disable_ipv6', '/etc/nginx/sites-enabled/default:4'],
    actions: [['use-ipv4-upstream', 'guarded']],
    titleHas: '[::1]:8081',
  },
  {
    name: 'errno 101 to [::1] (IPv6 off on lo only) is the address family, not a firewall',
    cause: 'upstream-wrong-address',
    evidence: () => withErrors(withSite(healthy(), LOCALHOST_SITE), V6_101),
    verbatim: V6_101,
    mentions: ['127.0.0.1:8081'],
    actions: [['use-ipv4-upstream', 'guarded']],
    titleHas: 'errno 101',
  },
  {
    name: 'errno 99 to an IPv4 peer with TIME_WAIT piling up stays port exhaustion',
    cause: 'ephemeral-ports-exhausted',
    evidence: () => {
      const ev = withErrors(healthy(), V4_99);
      if (ev.resources) ev.resources.timeWait = 27_000;
      return ev;
    },
    verbatim: V4_99,
    mentions: ['keepalive 64'],
    actions: [['enable-upstream-keepalive', 'guarded']],
  },
  {
    name: 'a reload that failed on a config error while nginx -t fails too',
    cause: 'nginx-config-invalid',
    evidence: () => {
      const ev = withErrors(healthy(), RELOAD_EMERG);
      ev.nginx.configTestOk = false;
      ev.nginx.configTestOutput = [
        'nginx: [emerg] unknown directive "proxy_passs" in /etc/nginx/conf.d/deploy.conf:4',
        'nginx: configuration file /etc/nginx/nginx.conf test failed',
      ];
      return ev;
    },
    verbatim: RELOAD_EMERG,
    mentions: ['/etc/nginx/conf.d/deploy.conf:4', 'nginx -t'],
    actions: [['fix-nginx-config', 'human']],
    titleHas: 'reload',
  },
  {
    name: 'a reload that failed, nginx -t passes now: the running config may be the old one',
    cause: 'nginx-config-invalid',
    evidence: () => withErrors(healthy(), `2026-11-25T10:01:02.123456789Z ${RELOAD_EMERG}`),
    verbatim: `2026-11-25T10:01:02.123456789Z ${RELOAD_EMERG}`,
    mentions: ['nginx -t && nginx -s reload'],
    actions: [['reload-nginx', 'safe']],
    confidence: [0.5, 0.6],
    titleHas: '2026/11/25 10:01:02',
  },
  {
    name: 'nginx-upstream-dynamic-servers resolver timeout',
    cause: 'dns-failure',
    evidence: () => withErrors(healthy(), DYN_SERVERS),
    verbatim: DYN_SERVERS,
    mentions: ['getent ahosts api.internal'],
    actions: [['add-resolver', 'guarded']],
    titleHas: 'api.internal',
  },
  {
    name: 'ngx_upstream_jdomain resolver failure',
    cause: 'dns-failure',
    evidence: () => withErrors(healthy(), JDOMAIN),
    verbatim: JDOMAIN,
    mentions: ['getent ahosts api.internal'],
    actions: [['add-resolver', 'guarded']],
    titleHas: 'api.internal',
  },
  {
    name: 'lua-resty-dns caller and the resolver refusing, under s6-log',
    cause: 'dns-failure',
    evidence: () =>
      withErrors(
        healthy(),
        [`@4000000069258a7a1c2d3e4f ${RESOLVER_IO}`, `@4000000069258a7a1c2d3e50 ${LUA_DNS}`].join('\n'),
      ),
    verbatim: `@4000000069258a7a1c2d3e4f ${RESOLVER_IO}`,
    mentions: ['/etc/resolv.conf'],
    actions: [['add-resolver', 'guarded']],
  },
  {
    name: 'Tengine: the check module took the peer out, then the group is exhausted',
    cause: 'no-live-upstreams',
    evidence: () => withErrors(healthy(), [TENGINE_DOWN, TENGINE_ALL].join('\n')),
    verbatim: TENGINE_ALL,
    mentions: ['nginx -t && nginx -s reload'],
    actions: [['reload-nginx', 'safe']],
  },
  {
    name: 'Tengine: the check module took the peer out, no request yet',
    cause: 'no-live-upstreams',
    evidence: () => withErrors(healthy(), TENGINE_DOWN),
    verbatim: TENGINE_DOWN,
    mentions: ['127.0.0.1:8081'],
    actions: [['investigate-peers', 'human']],
    titleHas: '127.0.0.1:8081',
  },
];

describe('diagnose: log-line classes from real logs rank their cause first', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const ev: Evidence = c.evidence();
    const findings = diagnose(ev);
    const first = findings[0];
    expect(first?.cause, JSON.stringify(findings.map((f) => [f.cause, f.confidence, f.title]))).toBe(c.cause);
    if (!first) return;
    expect(first.evidence).toContain(c.verbatim);
    const remediation = first.remediation.join('\n');
    for (const m of c.mentions) expect(remediation).toContain(m);
    for (const [id, kind] of c.actions)
      expect(first.actions).toContainEqual(expect.objectContaining({ id, kind }));
    const [lo, hi] = c.confidence ?? [0.5, 0.99];
    expect(first.confidence).toBeGreaterThanOrEqual(lo);
    expect(first.confidence).toBeLessThanOrEqual(hi);
    if (c.titleHas) expect(first.title).toContain(c.titleHas);
  });

  it('errno 99 to [::1] is not reported as port exhaustion', () => {
    const causes = diagnose(withErrors(withSite(healthy(), LOCALHOST_SITE), V6_99)).map((f) => f.cause);
    expect(causes).not.toContain('ephemeral-ports-exhausted');
  });
});
