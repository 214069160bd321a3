import { describe, expect, it } from 'vitest';
import {
  errorLogTimeToEpochMs,
  parseErrorLog,
  parseErrorLogLine,
} from '../../../src/parse/parse-error-log.js';
import type { ErrorLogEntry } from '../../../src/parse/types.js';

/** Verbatim lines of catalog 1.2 and C01–C28 (public reports, catalog section 10) and the fields an engineer reads. */
const VERBATIM: { name: string; line: string; want: Partial<ErrorLogEntry> }[] = [
  {
    name: '1.2 / C01 async connect refused',
    line: '2020/05/07 03:15:12 [error] 6#6: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 172.21.0.1, server: , request: "GET / HTTP/1.1", upstream: "http://172.21.0.19:9000/", host: "0.0.0.0:9000"',
    want: {
      timestamp: '2020/05/07 03:15:12',
      level: 'error',
      pid: 6,
      tid: 6,
      connection: 1,
      message: 'connect() failed',
      errno: 111,
      errtext: 'Connection refused',
      action: 'connecting to upstream',
      client: '172.21.0.1',
      server: '',
      request: 'GET / HTTP/1.1',
      upstream: 'http://172.21.0.19:9000/',
      upstreamPeer: 'http://172.21.0.19:9000',
      host: '0.0.0.0:9000',
      signature: 'connect_refused',
      status: 502,
    },
  },
  {
    name: '1.2 / C06 EACCES on a TCP connect (SELinux)',
    line: '2015/01/14 22:32:42 [crit] 5642#0: *1 connect() to 127.0.0.1:8081 failed (13: Permission denied) while connecting to upstream, client: 10.0.2.2, server: nexus-berkshelf, request: "GET /nexus HTTP/1.1", upstream: "http://127.0.0.1:8081/nexus", host: "localhost:8443"',
    want: {
      level: 'crit',
      tid: 0,
      message: 'connect() to 127.0.0.1:8081 failed',
      errno: 13,
      server: 'nexus-berkshelf',
      upstreamPeer: 'http://127.0.0.1:8081',
      host: 'localhost:8443',
      signature: 'tcp_eacces',
      status: 502,
    },
  },
  {
    name: '1.2 / C03 unix socket missing, proxy_pass http://unix:',
    line: '2020/06/18 14:22:17 [crit] 1333#1333: *1 connect() to unix:/tmp/jackcast.sock failed (2: No such file or directory) while connecting to upstream, client: 192.168.0.3, server: _, request: "GET / HTTP/1.1", upstream: "http://unix:/tmp/jackcast.sock:/", host: "jackcast.hopto.org"',
    want: {
      message: 'connect() to unix:/tmp/jackcast.sock failed',
      errno: 2,
      errtext: 'No such file or directory',
      upstream: 'http://unix:/tmp/jackcast.sock:/',
      upstreamPeer: 'http://unix:/tmp/jackcast.sock',
      signature: 'socket_missing',
    },
  },
  {
    name: '1.2 / C24 worker_connections (500, with referrer)',
    line: '2016/03/14 00:35:26 [alert] 25909#0: *164106 1024 worker_connections are not enough while connecting to upstream, client: 41.210.155.91, server: _, request: "GET /medic/ HTTP/1.1", upstream: "http://127.0.0.1:280/medic/", host: "lg.app.medicmobile.org", referrer: "https://lg.app.medicmobile.org/medic/_design/medic/_rewrite/"',
    want: {
      level: 'alert',
      connection: 164106,
      message: '1024 worker_connections are not enough',
      action: 'connecting to upstream',
      referrer: 'https://lg.app.medicmobile.org/medic/_design/medic/_rewrite/',
      host: 'lg.app.medicmobile.org',
      signature: 'worker_conns',
      status: 500,
    },
  },
  {
    name: '1.2 / C18 runtime DNS failure: no upstream field',
    line: '2020/11/28 18:57:38 [error] 987273#987273: *221 decidim could not be resolved (3: Host not found), client: 95.232.164.161, server: lombardia.amicidiazione.it, request: "GET / HTTP/2.0", host: "staging.amicidiazione.it"',
    want: {
      message: 'decidim could not be resolved',
      errno: 3,
      errtext: 'Host not found',
      request: 'GET / HTTP/2.0',
      host: 'staging.amicidiazione.it',
      upstream: undefined,
      upstreamPeer: undefined,
      signature: 'dns_runtime',
      status: 502,
    },
  },
  {
    name: '1.2 / C07 musl text "Operation timed out" keyed on 110',
    line: '2023/03/08 16:02:45 [error] 31#31: *569 upstream timed out (110: Operation timed out) while connecting to upstream, client: 108.162.227.25, server: dev-aws.example.com, request: "GET / HTTP/1.1", upstream: "http://192.168.215.1:80/", host: "dev-aws.example.com"',
    want: { errno: 110, errtext: 'Operation timed out', signature: 'timeout_connect', status: 504 },
  },
  {
    name: 'C07 no route to host',
    line: '2023/03/28 12:22:50 [error] 28#28: *1 connect() failed (113: No route to host) while connecting to upstream, client: 39.189.44.242, server: , request: "GET / HTTP/1.1", upstream: "http://172.27.0.7:3000/", host: "152.136.132.109:4488"',
    want: { errno: 113, upstreamPeer: 'http://172.27.0.7:3000', signature: 'unreachable', status: 502 },
  },
  {
    name: 'C12 premature close on a POST',
    line: '2022/04/15 17:45:45 [error] 363993#0: *6641416 upstream prematurely closed connection while reading response header from upstream, client: 10.xxx.xx.xxxx, server: _, request: "POST /atip/tc HTTP/1.1", upstream: "http://10.xxx.xx.xxx:8080/atip/tc", host: "xxxxx.com.cn:9080"',
    want: {
      message: 'upstream prematurely closed connection',
      errno: undefined,
      action: 'reading response header from upstream',
      request: 'POST /atip/tc HTTP/1.1',
      upstreamPeer: 'http://10.xxx.xx.xxx:8080',
      signature: 'premature_header',
      status: 502,
    },
  },
  {
    name: 'C15 too big header from an https upstream',
    line: '2020/01/23 10:02:50 [error] 8496#8496: *274 upstream sent too big header while reading response header from upstream, client: 127.0.0.1, server: <REDACTED>, request: "GET /api/322/config/wifi/ HTTP/1.1", upstream: "https://104.26.5.98:443/api/322/config/wifi/", host: "127.0.0.1"',
    want: { upstreamPeer: 'https://104.26.5.98:443', signature: 'too_big_header', status: 502 },
  },
  {
    name: 'C18 no resolver defined (no upstream field)',
    line: '2020/12/30 11:13:35 [error] 71#71: *3 no resolver defined to resolve xxx.xxx.aliyuncs.com, client: 10.42.5.0, server: nginx.fs.imagedz.com, request: "GET /sit-imagedt-shelf/01/... HTTP/1.1", host: "xxx.xxx.xxx.com"',
    want: {
      message: 'no resolver defined to resolve xxx.xxx.aliyuncs.com',
      request: 'GET /sit-imagedt-shelf/01/... HTTP/1.1',
      signature: 'dns_no_resolver',
      status: 502,
    },
  },
  {
    name: 'C21 no live upstreams: the peer is the group name',
    line: '2019/09/26 01:32:42 [error] 56#56: *63 no live upstreams while connecting to upstream, client: 113.185.40.45, server: mywilldomain.tk, request: "GET /favicon.ico HTTP/1.1", upstream: "http://mywilldomain.tk/favicon.ico", host: "mywilldomain.tk", referrer: "http://mywilldomain.tk/wp-admin/setup-config.php"',
    want: { upstreamPeer: 'http://mywilldomain.tk', signature: 'no_live_upstreams', status: 502 },
  },
  {
    name: 'C23 socket() EMFILE is a 500',
    line: '2018/10/19 16:05:32 [alert] 42#42: *2602 socket() failed (24: Too many open files) while connecting to upstream, client: 54.87.141.190, server: origin.rxivist.org, request: "GET / HTTP/1.1", upstream: "http://172.19.0.5:80/", host: "origin.rxivist.org"',
    want: { level: 'alert', errno: 24, signature: 'fd_socket', status: 500 },
  },
  {
    name: 'C13 read timeout to php-fpm over TCP (catalog elides the date)',
    line: '2020/02/03 11:42:18 [error] 1046#1046: *2094 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 192.168.17.1, server: localhost, request: "GET /update HTTP/1.1", upstream: "fastcgi://127.0.0.1:9000", host: "192.168.17.128"',
    want: { upstreamPeer: 'fastcgi://127.0.0.1:9000', signature: 'timeout_read_header', status: 504 },
  },
  {
    name: 'C02 localhost resolved to [::1] (catalog elides the date)',
    line: '2021/02/11 09:12:01 [error] 2195#0: *2645 connect() failed (111: Connection refused) while connecting to upstream, client: ipaddress, server: domain, request: "GET /path HTTP/1.1", upstream: "http://[::1]:5000/path", host: "domain", referrer: "domain"',
    want: { upstreamPeer: 'http://[::1]:5000', referrer: 'domain', signature: 'connect_refused' },
  },
];

/** Catalog lines abbreviated with `...`: the signature must still be found. */
const ELIDED: { line: string; signature: string; status?: number }[] = [
  {
    line: '2017/09/22 18:05:27 [error] 6536#0: *56880 connect() to unix:///var/sockets/harri.sock failed (11: Resource temporarily unavailable) while connecting to upstream, ..., upstream: "uwsgi://unix:///var/sockets/harri.sock:", ...',
    signature: 'backlog_full_unix',
    status: 502,
  },
  {
    line: '2014/09/12 11:57:19 [error] 26060#0: *82 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: ..., request: "POST <request> HTTP/1.1", upstream: "fastcgi://127.0.0.1:9000", ...',
    signature: 'reset_header',
    status: 502,
  },
];

describe('parseErrorLogLine: verbatim catalog lines', () => {
  it.each(VERBATIM)('$name', ({ line, want }) => {
    const e = parseErrorLogLine(line);
    expect(e).toBeDefined();
    expect(e).toMatchObject({ raw: line });
    for (const [k, v] of Object.entries(want)) expect(e?.[k as keyof ErrorLogEntry], k).toEqual(v);
  });

  it.each(ELIDED)('elided catalog line still classifies as $signature', ({ line, signature, status }) => {
    const e = parseErrorLogLine(line);
    expect(e?.signature).toBe(signature);
    expect(e?.status).toBe(status);
  });
});

describe('parseErrorLogLine: shapes', () => {
  it('accepts lines without *conn (cycle-level and resolver lines)', () => {
    const e = parseErrorLogLine('2024/01/02 03:04:05 [alert] 12#12: 1024 worker_connections are not enough');
    expect(e?.connection).toBeUndefined();
    expect(e?.message).toBe('1024 worker_connections are not enough');
    expect(e?.signature).toBe('worker_conns');
  });

  it('reads the resolver suffix of resolver-internal lines', () => {
    const e = parseErrorLogLine(
      '2024/01/02 03:04:05 [error] 29#29: connect() to 127.0.0.11:53 failed (111: Connection refused), resolver: 127.0.0.11:53',
    );
    expect(e).toMatchObject({
      resolver: '127.0.0.11:53',
      errno: 111,
      message: 'connect() to 127.0.0.11:53 failed',
    });
  });

  it('keys on the errno number: "104: Unknown error" (nginx/nginx#340) is still a reset', () => {
    const e = parseErrorLogLine(
      '2019/12/05 10:11:12 [error] 7#7: *1510 recv() failed (104: Unknown error) while reading response header from upstream, client: 10.1.2.3, server: api, request: "GET /v1 HTTP/1.1", upstream: "http://10.1.2.4:8080/v1", host: "api"',
    );
    expect(e).toMatchObject({ errno: 104, errtext: 'Unknown error', signature: 'reset_header', status: 502 });
  });

  it.each([
    ['24: No file descriptors available', 'accept4() failed', 'fd_accept'],
    ['99: Address not available', 'connect() to 127.0.0.1:80 failed', 'eaddrnotavail'],
    ['113: Host is unreachable', 'connect() failed', 'unreachable'],
  ])('musl wording "%s"', (errPart, message, signature) => {
    const e = parseErrorLogLine(
      `2023/05/01 00:00:01 [crit] 30#30: *7 ${message} (${errPart}) while connecting to upstream, client: 10.0.0.1, server: _`,
    );
    expect(e?.signature).toBe(signature);
    expect(e?.errno).toBe(Number(errPart.split(':')[0]));
  });

  it('keeps commas, quotes and "while" inside the message and the request line', () => {
    const e = parseErrorLogLine(
      '2023/06/01 12:00:00 [error] 5#5: *3 upstream sent invalid header: "X-Bad, while \\x0D..." while reading response header from upstream, client: 10.0.0.9, server: app, request: "GET /a,b?while=1, host: \\"x\\" HTTP/1.1", upstream: "http://10.0.0.5:8080/a,b?while=1", host: "app"',
    );
    expect(e?.message).toBe('upstream sent invalid header: "X-Bad, while \\x0D..."');
    expect(e?.action).toBe('reading response header from upstream');
    expect(e?.request).toBe('GET /a,b?while=1, host: \\"x\\" HTTP/1.1');
    expect(e?.host).toBe('app');
    expect(e?.signature).toBe('invalid_header');
  });

  it('reads subrequest (auth_request) lines', () => {
    const e = parseErrorLogLine(
      '2024/03/03 10:00:00 [error] 8#8: *12 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.2, server: app, request: "GET /private HTTP/1.1", subrequest: "/auth", upstream: "http://127.0.0.1:9091/auth", host: "app"',
    );
    expect(e?.subrequest).toBe('/auth');
    expect(e?.upstreamPeer).toBe('http://127.0.0.1:9091');
  });

  it('derives the peer of uwsgi and fastcgi unix sockets', () => {
    const uw = parseErrorLogLine(
      '2017/05/11 08:12:13 [error] 11#11: *4 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 1.2.3.4, server: site, request: "GET /callback?state=x HTTP/1.1", upstream: "uwsgi://unix:///tmp/uwsgi.sock:", host: "site"',
    );
    expect(uw?.upstreamPeer).toBe('uwsgi://unix:///tmp/uwsgi.sock');
    const fcgi = parseErrorLogLine(
      '2024/01/01 00:00:00 [crit] 9#9: *1 connect() to unix:/run/php/php7.4-fpm.sock failed (2: No such file or directory) while connecting to upstream, client: 1.2.3.4, server: site, request: "GET / HTTP/1.1", upstream: "fastcgi://unix:/run/php/php7.4-fpm.sock:", host: "site"',
    );
    expect(fcgi?.upstreamPeer).toBe('fastcgi://unix:/run/php/php7.4-fpm.sock');
    expect(fcgi?.signature).toBe('socket_missing');
  });

  it("reads the socket of a unix upstream whose ':' before the URI nginx left out (a timeout, lab puma)", () => {
    // nginx 1.22 in the lab, proxy_pass http://unix:/run/puma/puma.sock, a request past proxy_read_timeout.
    const timedOut = parseErrorLogLine(
      '2026/12/07 18:10:55 [error] 1008#1008: *3 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.88.7.1, server: web-1, request: "GET /rb/?sleep=10 HTTP/1.1", upstream: "http://unix:/run/puma/puma.sock/rb/?sleep=10", host: "10.88.7.11"',
    );
    expect(timedOut?.upstreamPeer).toBe('http://unix:/run/puma/puma.sock');
    expect(timedOut?.signature).toBe('timeout_read_header');
    // The same socket on the other lines of that run, with the ':'.
    const eagain = parseErrorLogLine(
      '2026/12/07 18:11:21 [error] 1288#1288: *8 connect() to unix:/run/puma/puma.sock failed (11: Resource temporarily unavailable) while connecting to upstream, client: 10.88.7.1, server: web-1, request: "GET /rb/?sleep=3 HTTP/1.1", upstream: "http://unix:/run/puma/puma.sock:/rb/?sleep=3", host: "10.88.7.11"',
    );
    expect(eagain?.upstreamPeer).toBe('http://unix:/run/puma/puma.sock');
    // A URI nginx rewrote is no suffix of the request: the peer stops at the first ':' as before.
    const rewritten = parseErrorLogLine(
      '2026/12/07 18:10:55 [error] 1#1: *3 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.88.7.1, server: web-1, request: "GET /rb/x HTTP/1.1", upstream: "http://unix:/run/a.sock:/app/x", host: "h"',
    );
    expect(rewritten?.upstreamPeer).toBe('http://unix:/run/a.sock');
  });

  it('returns undefined for non-entries', () => {
    expect(parseErrorLogLine('Stack trace:')).toBeUndefined();
    expect(parseErrorLogLine('')).toBeUndefined();
    expect(
      parseErrorLogLine(
        'nginx: [emerg] host not found in upstream "app:8000" in /etc/nginx/conf.d/app.conf:12',
      ),
    ).toBeUndefined();
  });
});

describe('prefixes: docker compose, journald, kubernetes', () => {
  const nginxLine =
    '2020/05/07 03:15:12 [error] 6#6: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 172.21.0.1, server: , request: "GET / HTTP/1.1", upstream: "http://172.21.0.19:9000/", host: "0.0.0.0:9000"';
  it.each([
    ['docker compose', 'nginx_1    | '],
    ['compose v2', 'web-nginx-1  | '],
    ['journald short', 'Jul 06 15:03:34 host nginx[2130]: '],
    ['journald short-iso', '2020-05-07T03:15:12+0000 host nginx[2130]: '],
    ['kubectl --timestamps', '2020-05-07T03:15:12.123456789Z '],
    ['CRI log file', '2020-05-07T03:15:12.123456789Z stderr F '],
  ])('%s prefix is stripped, raw kept verbatim', (_name, prefix) => {
    const e = parseErrorLogLine(prefix + nginxLine);
    expect(e?.timestamp).toBe('2020/05/07 03:15:12');
    expect(e?.host).toBe('0.0.0.0:9000');
    expect(e?.signature).toBe('connect_refused');
    expect(e?.raw).toBe(prefix + nginxLine);
  });
});

describe('parseErrorLog: multi-line FastCGI stderr', () => {
  const log = [
    '2026/11/21 10:52:03 [error] 1234#1234: *4 FastCGI sent in stderr: "PHP message: PHP Warning:  Undefined variable $user in /var/www/app/index.php on line 12" while reading response header from upstream, client: 10.0.0.1, server: example.com, request: "GET / HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "example.com"',
    '2026/11/21 10:52:04 [error] 1234#1234: *5 FastCGI sent in stderr: "PHP message: PHP Fatal error:  Uncaught Exception: no live upstreams in /var/www/app/index.php:3',
    'Stack trace:',
    '#0 {main}',
    '  thrown in /var/www/app/index.php on line 3" while reading response header from upstream, client: 10.0.0.1, server: example.com, request: "POST /checkout HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "example.com"',
    '2026/11/21 10:52:05 [error] 1234#1234: *6 upstream prematurely closed FastCGI stdout while reading response header from upstream, client: 10.0.0.1, server: example.com, request: "GET / HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "example.com"',
  ].join('\n');

  it('joins continuation lines into one entry and still reads the suffix', () => {
    const entries = parseErrorLog(log);
    expect(entries).toHaveLength(3);
    const fatal = entries[1];
    expect(fatal?.raw.split('\n')).toHaveLength(4);
    expect(fatal?.message).toContain('Stack trace:\n#0 {main}\n  thrown in');
    expect(fatal?.request).toBe('POST /checkout HTTP/1.1');
    expect(fatal?.upstreamPeer).toBe('fastcgi://unix:/run/php/php8.2-fpm.sock');
    expect(fatal?.action).toBe('reading response header from upstream');
  });

  it('never classifies the app output relayed in stderr as an nginx signature', () => {
    const entries = parseErrorLog(log);
    expect(entries[1]?.signature).toBeUndefined();
    expect(entries[2]?.signature).toBe('premature_header');
  });

  it('strips the compose prefix of continuation lines and drops other services interleaved', () => {
    const prefixed = [
      'web_1  | 2026/11/21 10:52:04 [error] 7#7: *5 FastCGI sent in stderr: "PHP message: first',
      'web_1  | second" while reading response header from upstream, client: 10.0.0.1, server: _, request: "GET / HTTP/1.1", upstream: "fastcgi://php:9000", host: "x"',
      'php_1  | [21-Nov-2026 10:52:04] NOTICE: fpm is running, pid 1',
    ].join('\n');
    const [e] = parseErrorLog(prefixed);
    expect(e?.message).toBe('FastCGI sent in stderr: "PHP message: first\nsecond"');
    expect(e?.upstreamPeer).toBe('fastcgi://php:9000');
    expect(e?.raw).not.toContain('php_1');
  });

  it('drops lines before the first entry and handles CRLF', () => {
    const entries = parseErrorLog(
      'garbage before\r\n2024/01/01 00:00:00 [warn] 5#5: *1 upstream server temporarily disabled while connecting to upstream, client: 1.1.1.1, server: a, request: "GET / HTTP/1.1", upstream: "http://10.0.0.1:80/", host: "a"\r\n',
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]?.host).toBe('a');
    expect(entries[0]?.signature).toBe('peer_disabled');
    expect(entries[0]?.status).toBeUndefined();
  });
});

/**
 * Builds a line the way ngx_log_error_core() (src/core/ngx_log.c) does: a 2048-byte buffer
 * (NGX_MAX_ERROR_STR), `...` before the errno when the message left under 50 bytes, each suffix
 * written with ngx_snprintf bounded by the buffer, and the linefeed in the last byte.
 */
function nginxLine(head: string, message: string, errPart: string | undefined, handler: string): string {
  const max = 2048 - 1;
  let s = head + message;
  if (errPart !== undefined) {
    if (s.length > 2048 - 50) s = `${s.slice(0, 2048 - 50)}...`;
    s += ` (${errPart})`;
  }
  return (s + handler).slice(0, max);
}

describe('2048-byte truncated lines', () => {
  const head = '2026/11/21 10:52:04 [error] 812#812: *77 ';
  const longPath = `/search?q=${'a'.repeat(2100)}`;

  it('cut inside the request line: client/server kept, request marked truncated, upstream/host missing', () => {
    const line = nginxLine(
      head,
      'upstream prematurely closed connection',
      undefined,
      ` while reading response header from upstream, client: 10.0.0.7, server: shop.example.com, request: "GET ${longPath} HTTP/1.1", upstream: "http://10.0.0.5:8080${longPath}", host: "shop.example.com"`,
    );
    expect(line.length).toBe(2047);
    const e = parseErrorLogLine(line);
    expect(e?.truncated).toBe(true);
    expect(e?.client).toBe('10.0.0.7');
    expect(e?.server).toBe('shop.example.com');
    expect(e?.request?.startsWith('GET /search?q=aaaa')).toBe(true);
    expect(e?.upstream).toBeUndefined();
    expect(e?.host).toBeUndefined();
    expect(e?.signature).toBe('premature_header');
  });

  it('cut inside the upstream value: the partial upstream still gives the peer', () => {
    const req = `GET /r?${'b'.repeat(1700)} HTTP/1.1`;
    const line = nginxLine(
      head,
      'connect() failed',
      '111: Connection refused',
      ` while connecting to upstream, client: 10.0.0.7, server: a, request: "${req}", upstream: "http://10.0.0.5:8080/r?${'b'.repeat(1700)}", host: "a"`,
    );
    const e = parseErrorLogLine(line);
    expect(e?.truncated).toBe(true);
    expect(e?.request).toBe(req);
    expect(e?.upstreamPeer).toBe('http://10.0.0.5:8080');
    expect(e?.signature).toBe('connect_refused');
  });

  it('cut inside a key (", upstr"): the fragment is dropped', () => {
    const before = `${head}connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.7, server: a, request: "GET / HTTP/1.1", upstr`;
    const req = `GET /${'c'.repeat(2047 - before.length)} HTTP/1.1`;
    const line = nginxLine(
      head,
      'connect() failed',
      '111: Connection refused',
      ` while connecting to upstream, client: 10.0.0.7, server: a, request: "${req}", upstream: "http://10.0.0.5:8080/", host: "a"`,
    );
    expect(line.endsWith(', upstr')).toBe(true);
    const e = parseErrorLogLine(line);
    expect(e?.request).toBe(req);
    expect(e?.upstream).toBeUndefined();
    expect(e?.truncated).toBe(true);
    expect(e?.errno).toBe(111);
  });

  it('message too long: "..." before the errno, still classified', () => {
    const line = nginxLine(
      head,
      `open() "/var/cache/nginx/proxy_temp/${'d/'.repeat(1100)}0000000042" failed`,
      '28: No space left on device',
      ' while reading upstream, client: 10.0.0.7, server: a, request: "GET / HTTP/1.1", upstream: "http://10.0.0.5:8080/", host: "a"',
    );
    const e = parseErrorLogLine(line);
    expect(e?.message.endsWith('...')).toBe(true);
    expect(e?.errno).toBe(28);
    expect(e?.truncated).toBe(true);
  });

  // Speed on these lines is measured in bench/parse.bench.ts; here: they parse to entries.
  it('parses hostile 2 KB lines (the shapes that backtrack in naive regexes)', () => {
    const hostile = [
      `${head}${'connect() to '.repeat(160)}`,
      `${head}${'upstream timed out (110: '.repeat(80)}`,
      `${head}pwrite() "${'_temp'.repeat(400)}`,
      `${head}SSL_do_handshake() failed ${'alert number 4'.repeat(140)}`,
      `${head}x${', request: "'.repeat(150)}`,
    ];
    for (const l of hostile) expect(parseErrorLogLine(l)?.level).toBe('error');
  });
});

describe('parseErrorLog throughput', () => {
  it('parses 10 MB of mixed entries, every one of them', () => {
    const sample = [
      ...VERBATIM.map((v) => v.line),
      '2026/11/21 10:52:04 [error] 1234#1234: *5 FastCGI sent in stderr: "PHP message: PHP Warning:  x',
      'Stack trace:',
      '#0 {main}" while reading response header from upstream, client: 10.0.0.1, server: e, request: "GET / HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "e"',
    ].join('\n');
    const parts: string[] = [];
    let size = 0;
    while (size < 10 * 1024 * 1024) {
      parts.push(sample);
      size += sample.length + 1;
    }
    const text = parts.join('\n');
    const entries = parseErrorLog(text);
    expect(entries.length).toBe(parts.length * (VERBATIM.length + 1));
  });
});

describe('errorLogTimeToEpochMs', () => {
  it('applies the host offset: nginx logs local time', () => {
    expect(errorLogTimeToEpochMs('2020/05/07 03:15:12', 0)).toBe(Date.UTC(2020, 4, 7, 3, 15, 12));
    expect(errorLogTimeToEpochMs('2020/05/07 03:15:12', 120)).toBe(Date.UTC(2020, 4, 7, 1, 15, 12));
    expect(errorLogTimeToEpochMs('2020/05/07 03:15:12', -330)).toBe(Date.UTC(2020, 4, 7, 8, 45, 12));
  });
  it('rejects garbage', () => {
    expect(errorLogTimeToEpochMs('2020/13/07 03:15:12', 0)).toBeUndefined();
    expect(errorLogTimeToEpochMs('yesterday', 0)).toBeUndefined();
  });
});

/**
 * Issue 9: wrappers that write nginx's stderr or log file with their own prefix. Each prefix is the
 * wrapper's real format: `docker logs --timestamps` (RFC 3339 with nanoseconds), docker compose v1
 * (`web_1  | `) and v2 (`web-1  | `), both together, s6-log's TAI64N label (`@4000...`), syslog with
 * the tag (`nginx[123]: `), busybox/OpenWrt `logread` with facility.level (`daemon.err`), journald
 * `short-iso` and `short-precise`. nginx's own time stamp and fields must still be read.
 */
describe('wrapper prefixes before the nginx line', () => {
  const PREFIXES: [string, string][] = [
    ['docker --timestamps', '2026-11-25T10:01:02.123456789Z '],
    ['compose v1', 'web_1  | '],
    ['compose v2', 'web-1  | '],
    ['compose with --timestamps', 'web-1  | 2026-11-25T10:01:02.123456789Z '],
    ['s6-log TAI64N', '@4000000069258a7a1c2d3e4f '],
    ['syslog', 'Nov 25 10:01:02 web-1 nginx[123]: '],
    ['syslog with facility.level', 'Nov 25 10:01:02 web-1 daemon.err nginx[123]: '],
    ['OpenWrt logread', 'Wed Nov 25 10:01:02 2026 daemon.err nginx[123]: '],
    ['journald short-iso', '2026-11-25T10:01:02+0000 web-1 nginx[123]: '],
    ['journald short-precise', 'Nov 25 10:01:02.123456 web-1 nginx[123]: '],
  ];
  const LINES: [string, string, string][] = [
    [
      'disk-full',
      '2026/11/25 10:01:02 [crit] 41#41: *7 pwrite() "/var/lib/nginx/proxy/1/00/0000000001" failed (28: No space left on device) while reading upstream, client: 10.0.0.1, server: web-1, request: "GET /big HTTP/1.1", upstream: "http://127.0.0.1:8081/big", host: "web-1"',
      'temp_file',
    ],
    [
      'ipv6',
      '2026/11/25 10:01:02 [crit] 41#41: *9 connect() to [::1]:8081 failed (99: Cannot assign requested address) while connecting to upstream, client: 10.0.0.1, server: web-1, request: "GET / HTTP/1.1", upstream: "http://[::1]:8081/", host: "web-1"',
      'ipv6_unavailable',
    ],
    [
      'reload',
      '2026/11/25 10:01:02 [emerg] 4567#4567: unknown directive "proxy_passs" in /etc/nginx/conf.d/deploy.conf:4',
      'config_error',
    ],
    [
      'refused',
      '2026/11/25 10:01:02 [error] 41#41: *3 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: web-1, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8081/", host: "web-1"',
      'connect_refused',
    ],
  ];
  const cases = PREFIXES.flatMap(([pname, prefix]) =>
    LINES.map(([lname, line, sig]) => [`${pname} / ${lname}`, prefix, line, sig] as const),
  );

  it.each(cases)('%s', (_name, prefix, line, sig) => {
    const e = parseErrorLogLine(prefix + line);
    expect(e?.timestamp).toBe('2026/11/25 10:01:02');
    expect(e?.signature).toBe(sig);
    expect(e?.raw).toBe(prefix + line);
    const [whole] = parseErrorLog(`${prefix}${line}\n`);
    expect(whole?.signature).toBe(sig);
  });

  it('keeps request fields after a prefix', () => {
    const e = parseErrorLogLine(`web-1  | 2026-11-25T10:01:02.123456789Z ${LINES[0]?.[1]}`);
    expect(e?.level).toBe('crit');
    expect(e?.pid).toBe(41);
    expect(e?.connection).toBe(7);
    expect(e?.errno).toBe(28);
    expect(e?.action).toBe('reading upstream');
    expect(e?.upstreamPeer).toBe('http://127.0.0.1:8081');
    expect(e?.request).toBe('GET /big HTTP/1.1');
  });

  it('reads a prefixed log of several entries, one per line', () => {
    const log = LINES.map(([, line]) => `web_1  | ${line}`).join('\n');
    expect(parseErrorLog(log).map((e) => e.signature)).toEqual(LINES.map(([, , sig]) => sig));
  });
});

describe('a failed reload as the journal keeps it', () => {
  // Debian builds nginx with --error-log-path=stderr: `nginx -s reload` (systemd's ExecReload on
  // Debian) writes its [emerg] to stderr in the full error-log format, and journald adds its prefix.
  // The nginx part was captured from the lab's nginx 1.22 (`nginx -s reload`, stderr).
  const captured =
    '2026/11/25 10:10:33 [emerg] 215#215: open() "/etc/nginx/snippets/x.conf" failed (2: No such file or directory) in /etc/nginx/conf.d/deploy.conf:3';
  it.each([
    ['journalctl (short)', 'Nov 25 10:10:33 web-1 nginx[215]: '],
    ['journalctl -o short-iso', '2026-11-25T10:10:33+0000 web-1 nginx[215]: '],
    ['unprefixed (stderr into a file)', ''],
  ])('%s', (_name, prefix) => {
    const e = parseErrorLogLine(prefix + captured);
    expect(e?.level).toBe('emerg');
    expect(e?.signature).toBe('config_error');
    expect(e?.message).toBe(
      'open() "/etc/nginx/snippets/x.conf" failed (2: No such file or directory) in /etc/nginx/conf.d/deploy.conf:3',
    );
  });
});
