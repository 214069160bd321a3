import { describe, expect, it } from 'vitest';
import { CAUSES } from '../../../src/parse/causes.js';
import { classifyEntry, classifyText, SIGNATURES } from '../../../src/parse/classify-signature.js';
import { parseErrorLogLine } from '../../../src/parse/parse-error-log.js';
import type { SignatureId } from '../../../src/parse/types.js';

/**
 * Catalog 3.1 "unit-tested against 32 messages taken from the cited reports and nginx format
 * strings": each message is the part of a real line before `, client:`, run through the full
 * line parser so errno/action peeling is exercised too.
 */
const MESSAGES: { text: string; id: SignatureId; status: number | undefined; first: string }[] = [
  // C01 (getsentry/self-hosted#477) and C04 stale socket
  {
    text: 'connect() failed (111: Connection refused) while connecting to upstream',
    id: 'connect_refused',
    status: 502,
    first: 'upstream-down',
  },
  {
    text: 'connect() to unix:/tmp/app.sock failed (111: Connection refused) while connecting to upstream',
    id: 'connect_refused',
    status: 502,
    first: 'upstream-down',
  },
  // C03 (laravel/framework#11693, jackcast#4)
  {
    text: 'connect() to unix:/run/php/php7.4-fpm.sock failed (2: No such file or directory) while connecting to upstream',
    id: 'socket_missing',
    status: 502,
    first: 'socket-missing',
  },
  // C05 (dokku#912)
  {
    text: 'connect() to unix:/tmp/heroku.fcgi.5000.sock failed (13: Permission denied) while connecting to upstream',
    id: 'socket_eacces',
    status: 502,
    first: 'socket-permission',
  },
  // C06 (nexus-cookbook#115)
  {
    text: 'connect() to 127.0.0.1:8081 failed (13: Permission denied) while connecting to upstream',
    id: 'tcp_eacces',
    status: 502,
    first: 'mac-denied',
  },
  // C08 (unbit/uwsgi#1647)
  {
    text: 'connect() to unix:///var/sockets/harri.sock failed (11: Resource temporarily unavailable) while connecting to upstream',
    id: 'backlog_full_unix',
    status: 502,
    first: 'worker-pool-exhausted',
  },
  // C07 (outline-docker-compose#53, ingress-nginx#8079 musl)
  {
    text: 'connect() failed (113: No route to host) while connecting to upstream',
    id: 'unreachable',
    status: 502,
    first: 'network-blocked',
  },
  {
    text: 'connect() failed (113: Host is unreachable) while connecting to upstream',
    id: 'unreachable',
    status: 502,
    first: 'network-blocked',
  },
  {
    text: 'connect() to 10.0.3.7:8080 failed (101: Network is unreachable) while connecting to upstream',
    id: 'unreachable',
    status: 502,
    first: 'network-blocked',
  },
  // C22 (engintron#938; musl; proxy_bind)
  {
    text: 'connect() to 127.0.0.1:80 failed (99: Cannot assign requested address) while connecting to upstream',
    id: 'eaddrnotavail',
    status: 502,
    first: 'ephemeral-ports-exhausted',
  },
  {
    text: 'bind(10.0.0.2) failed (99: Address not available) while connecting to upstream',
    id: 'eaddrnotavail',
    status: 502,
    first: 'ephemeral-ports-exhausted',
  },
  // C07/C14 (ingress-nginx#9443 musl), C17, C14, C13 (selfoss#1427)
  {
    text: 'upstream timed out (110: Operation timed out) while connecting to upstream',
    id: 'timeout_connect',
    status: 504,
    first: 'network-blocked',
  },
  {
    text: 'upstream timed out (110: Connection timed out) while SSL handshaking to upstream',
    id: 'timeout_ssl',
    status: 504,
    first: 'upstream-tls-error',
  },
  {
    text: 'upstream timed out (110: Connection timed out) while sending request to upstream',
    id: 'timeout_send',
    status: 504,
    first: 'upstream-not-accepting',
  },
  {
    text: 'upstream timed out (110: Connection timed out) while reading response header from upstream',
    id: 'timeout_read_header',
    status: 504,
    first: 'upstream-slow',
  },
  {
    text: 'upstream timed out (110: Connection timed out) while reading upstream',
    id: 'timeout_read_body',
    status: undefined,
    first: 'upstream-slow',
  },
  // C09/C12 (meinheld-gunicorn#24), C10 FastCGI
  {
    text: 'upstream prematurely closed connection while reading response header from upstream',
    id: 'premature_header',
    status: 502,
    first: 'app-worker-timeout',
  },
  {
    text: 'upstream prematurely closed FastCGI stdout while reading response header from upstream',
    id: 'premature_header',
    status: 502,
    first: 'app-worker-timeout',
  },
  // C10 (cphalcon#2809), C27 (gatekeeper-policy-manager#61)
  {
    text: 'recv() failed (104: Connection reset by peer) while reading response header from upstream',
    id: 'reset_header',
    status: 502,
    first: 'upstream-crash',
  },
  // C12/C27
  {
    text: 'writev() failed (32: Broken pipe) while sending request to upstream',
    id: 'send_failed',
    status: 502,
    first: 'keepalive-race',
  },
  // body phase: headers already sent
  {
    text: 'readv() failed (104: Connection reset by peer) while reading upstream',
    id: 'body_phase_failure',
    status: undefined,
    first: 'app-worker-timeout',
  },
  {
    text: 'upstream prematurely closed connection while reading upstream',
    id: 'body_phase_failure',
    status: undefined,
    first: 'app-worker-timeout',
  },
  // C21 (rokerkony/dockerize-vps#3, nginx/nginx#340)
  {
    text: 'no live upstreams while connecting to upstream',
    id: 'no_live_upstreams',
    status: 502,
    first: 'no-live-upstreams',
  },
  {
    text: 'upstream server temporarily disabled while reading response header from upstream',
    id: 'peer_disabled',
    status: undefined,
    first: 'no-live-upstreams',
  },
  // C15 (docker-notion-proxy#1)
  {
    text: 'upstream sent too big header while reading response header from upstream',
    id: 'too_big_header',
    status: 502,
    first: 'header-too-big',
  },
  // C16 (openresty#833, FreshRSS#4766, nginx format strings)
  {
    text: 'upstream sent invalid header: "\\x09..." while reading response header from upstream',
    id: 'invalid_header',
    status: 502,
    first: 'protocol-mismatch',
  },
  {
    text: 'upstream sent duplicate header line: "Content-Length: 12", previous value: "Content-Length: 10" while reading response header from upstream',
    id: 'invalid_header',
    status: 502,
    first: 'protocol-mismatch',
  },
  {
    text: 'upstream sent "Content-Length" and "Transfer-Encoding" headers at the same time while reading response header from upstream',
    id: 'invalid_header',
    status: 502,
    first: 'protocol-mismatch',
  },
  // C16 (multiOTP#229, ingress-nginx#4323, rancher#14603)
  {
    text: 'upstream sent unsupported FastCGI protocol version: 72 while reading response header from upstream',
    id: 'fastcgi_proto',
    status: 502,
    first: 'protocol-mismatch',
  },
  {
    text: 'upstream sent too large http2 frame: 4740180 while reading response header from upstream',
    id: 'grpc_to_http1',
    status: 502,
    first: 'protocol-mismatch',
  },
  {
    text: 'upstream sent no valid HTTP/1.0 header while reading response header from upstream',
    id: 'http09_reply',
    status: 9,
    first: 'protocol-mismatch',
  },
  // C17 (nginx-proxy-automation#10, apisix#10325, ansible-collection-general#281, apisix#5524, funes#32)
  {
    text: 'SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking to upstream',
    id: 'tls_wrong_version',
    status: 502,
    first: 'upstream-tls-error',
  },
  {
    text: 'SSL_do_handshake() failed (SSL: error:1408F10B:SSL routines:ssl3_get_record:wrong version number) while SSL handshaking to upstream',
    id: 'tls_wrong_version',
    status: 502,
    first: 'upstream-tls-error',
  },
  {
    text: 'SSL_do_handshake() failed (SSL: error:14094410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream',
    id: 'tls_sni',
    status: 502,
    first: 'upstream-tls-error',
  },
  {
    text: 'SSL_do_handshake() failed (SSL: error:0A000458:SSL routines::tlsv1 unrecognized name:SSL alert number 112) while SSL handshaking to upstream',
    id: 'tls_sni',
    status: 502,
    first: 'upstream-tls-error',
  },
  {
    text: 'peer closed connection in SSL handshake (104: Connection reset by peer) while SSL handshaking to upstream',
    id: 'tls_other',
    status: 502,
    first: 'upstream-tls-error',
  },
  {
    text: 'SSL_do_handshake() failed (SSL: error:0A000102:SSL routines::unsupported protocol) while SSL handshaking to upstream',
    id: 'tls_other',
    status: 502,
    first: 'upstream-tls-error',
  },
  {
    text: 'upstream SSL certificate verify error: (20:unable to get local issuer certificate) while SSL handshaking to upstream',
    id: 'tls_verify',
    status: 502,
    first: 'upstream-tls-error',
  },
  {
    text: 'upstream SSL certificate does not match "backend" while SSL handshaking to upstream',
    id: 'tls_verify',
    status: 502,
    first: 'upstream-tls-error',
  },
  // C18 (bunkerweb#39, engintron#124, bitnami-docker-nginx#151, raspberrypi-homeserver#44)
  {
    text: 'decidim could not be resolved (3: Host not found)',
    id: 'dns_runtime',
    status: 502,
    first: 'dns-failure',
  },
  {
    text: 'api.internal could not be resolved (110: Operation timed out)',
    id: 'dns_runtime',
    status: 502,
    first: 'dns-failure',
  },
  {
    text: 'no resolver defined to resolve varnish',
    id: 'dns_no_resolver',
    status: 502,
    first: 'dns-failure',
  },
  {
    text: 'host not found in upstream "pihole" in /etc/nginx/conf.d/default.conf:5',
    id: 'dns_config_load',
    status: undefined,
    first: 'dns-failure',
  },
  // C23 (rxivist#210, hypothesis/h#6770 musl)
  {
    text: 'socket() failed (24: Too many open files) while connecting to upstream',
    id: 'fd_socket',
    status: 500,
    first: 'fd-exhausted',
  },
  {
    text: 'accept4() failed (24: No file descriptors available)',
    id: 'fd_accept',
    status: undefined,
    first: 'fd-exhausted',
  },
  {
    text: '4096 worker_connections exceed open file resource limit: 1024',
    id: 'fd_rlimit_warn',
    status: undefined,
    first: 'fd-exhausted',
  },
  // C24 (cht-core#2076)
  {
    text: '1024 worker_connections are not enough while connecting to upstream',
    id: 'worker_conns',
    status: 500,
    first: 'worker-connections-exhausted',
  },
  {
    text: '1024 worker_connections are not enough, reusing connections',
    id: 'worker_conns',
    status: 500,
    first: 'worker-connections-exhausted',
  },
  // C25 (nginx-proxy#1208, nginx-proxy#2618, orbiters#34) and a Debian temp path
  {
    text: 'pwritev() "/var/cache/nginx/client_temp/0000000014" failed (28: No space left on device)',
    id: 'temp_file',
    status: undefined,
    first: 'disk-full',
  },
  {
    text: 'mkdir() "/var/cache/nginx/proxy_temp/9/58" failed (28: No space left on device) while reading upstream',
    id: 'temp_file',
    status: undefined,
    first: 'disk-full',
  },
  {
    text: 'open() "/var/lib/nginx/proxy/3/07/0000000073" failed (13: Permission denied) while reading upstream',
    id: 'temp_file',
    status: undefined,
    first: 'disk-full',
  },
  // Issue 9, "lines real logs carry": ENOSPC on any path (RHEL's /var/lib/nginx/tmp, a custom
  // proxy_temp_path, the lab's tmpfs), pwrite() and pwritev() (ngx_write_chain_to_file(), src/os/unix/ngx_files.c)
  {
    text: 'pwrite() "/var/lib/nginx/tmp/proxy/1/00/0000000001" failed (28: No space left on device) while reading upstream',
    id: 'temp_file',
    status: undefined,
    first: 'disk-full',
  },
  {
    text: 'pwritev() "/mnt/cache/nginx-tmp/0000000014" failed (28: No space left on device)',
    id: 'temp_file',
    status: undefined,
    first: 'disk-full',
  },
  {
    text: 'pwrite() "/var/cache/nginx/fastcgi_temp/2/00/0000000002" failed (122: Disk quota exceeded) while reading upstream',
    id: 'temp_file',
    status: undefined,
    first: 'disk-full',
  },
  // ngx_http_log_module's buffered access log (`write() to "%s" failed`) on a full log partition
  {
    text: 'write() to "/var/log/nginx/access.log" failed (28: No space left on device) while logging request',
    id: 'no_space',
    status: undefined,
    first: 'disk-full',
  },
  // C23 at reload: ngx_open_listening_sockets() `socket() %V failed` at [emerg]; ENFILE; open() EMFILE
  {
    text: 'socket() 0.0.0.0:80 failed (24: Too many open files)',
    id: 'fd_socket',
    status: 500,
    first: 'fd-exhausted',
  },
  {
    text: 'socket() [::]:443 failed (23: Too many open files in system)',
    id: 'fd_socket',
    status: 500,
    first: 'fd-exhausted',
  },
  {
    text: 'open() "/var/lib/nginx/proxy/1/00/0000000001" failed (24: Too many open files) while reading upstream',
    id: 'fd_other',
    status: undefined,
    first: 'fd-exhausted',
  },
  {
    text: 'open() "/usr/share/nginx/html/index.html" failed (24: Too many open files)',
    id: 'fd_other',
    status: undefined,
    first: 'fd-exhausted',
  },
  // C02, not C22: errno 99 to an IPv6 peer on a host without IPv6 (`localhost` resolved to ::1)
  {
    text: 'connect() to [::1]:8080 failed (99: Cannot assign requested address) while connecting to upstream',
    id: 'ipv6_unavailable',
    status: 502,
    first: 'upstream-wrong-address',
  },
  {
    text: 'connect() to [::1]:3000 failed (99: Address not available) while connecting to upstream',
    id: 'ipv6_unavailable',
    status: 502,
    first: 'upstream-wrong-address',
  },
  // lo without IPv6 while eth0 has an address: captured from the lab (ipv6-lo-off-localhost)
  {
    text: 'connect() to [::1]:8081 failed (101: Network is unreachable) while connecting to upstream',
    id: 'ipv6_unavailable',
    status: 502,
    first: 'upstream-wrong-address',
  },
  {
    text: 'connect() to [2001:db8::10]:9000 failed (99: Cannot assign requested address) while connecting to upstream',
    id: 'ipv6_unavailable',
    status: 502,
    first: 'upstream-wrong-address',
  },
  // Config errors a failed reload logs (ngx_conf_log_error(): ` in %s:%ui`), the old config keeps serving
  {
    text: 'unknown directive "proxy_passs" in /etc/nginx/conf.d/deploy.conf:4',
    id: 'config_error',
    status: undefined,
    first: 'nginx-config-invalid',
  },
  {
    text: 'open() "/etc/nginx/snippets/app.conf" failed (2: No such file or directory) in /etc/nginx/conf.d/deploy.conf:3',
    id: 'config_error',
    status: undefined,
    first: 'nginx-config-invalid',
  },
  {
    text: 'invalid number of arguments in "proxy_pass" directive in /etc/nginx/sites-enabled/default:42',
    id: 'config_error',
    status: undefined,
    first: 'nginx-config-invalid',
  },
  {
    text: 'unexpected end of file, expecting "}" in /etc/nginx/nginx.conf:98',
    id: 'config_error',
    status: undefined,
    first: 'nginx-config-invalid',
  },
  // Resolvers in third-party words: nginx-upstream-dynamic-servers (the `could not be resolved` one
  // is nginx's own wording, dns_runtime), ngx_upstream_jdomain, lua-resty-dns callers, Kong
  {
    text: "upstream-dynamic-servers: 'furry.top' could not be resolved (110: Operation timed out)",
    id: 'dns_runtime',
    status: 502,
    first: 'dns-failure',
  },
  {
    text: "upstream-dynamic-servers: 'api.internal' resolve timeout and use last ip",
    id: 'dns_module',
    status: undefined,
    first: 'dns-failure',
  },
  {
    text: 'upstream_jdomain: resolver failed ,"api.example.com" (3: Host not found))',
    id: 'dns_module',
    status: undefined,
    first: 'dns-failure',
  },
  {
    text: '[lua] access_by_lua(nginx.conf:40):12: failed to query the DNS server: timeout',
    id: 'dns_module',
    status: undefined,
    first: 'dns-failure',
  },
  {
    text: '[lua] balancer.lua:808: execute(): [dns] dns server error: 2 server failure. Tried: (short)api.internal:(na) - cache-miss',
    id: 'dns_module',
    status: undefined,
    first: 'dns-failure',
  },
  {
    text: '[lua] responses.lua:121: [postgres error] [toip() name lookup failed]: dns server error: 3 name error',
    id: 'dns_module',
    status: undefined,
    first: 'dns-failure',
  },
  {
    text: 'backend.svc could not be resolved (2: Server failure)',
    id: 'dns_runtime',
    status: 502,
    first: 'dns-failure',
  },
  {
    text: 'host not found in resolver "kube-dns.kube-system.svc" in /etc/nginx/nginx.conf:20',
    id: 'dns_config_load',
    status: undefined,
    first: 'dns-failure',
  },
  // nginx's resolver internals (ngx_resolver.c, catalog C18)
  {
    text: 'DNS error (3: Host not found), query id:37129, name:"api.internal"',
    id: 'dns_resolver_io',
    status: undefined,
    first: 'dns-failure',
  },
  {
    text: 'unexpected DNS response for api.internal',
    id: 'dns_resolver_io',
    status: undefined,
    first: 'dns-failure',
  },
  // Tengine: `all servers are down!` (alibaba/tengine#1143) and its check module's lines
  // (ngx_http_upstream_check_module.c: `disable check peer: %V `, `check time out with peer: %V `,
  // `check protocol %V error with peer: %V `), from alibaba/tengine#384 and public logs
  {
    text: 'all servers are down! while connecting to upstream',
    id: 'no_live_upstreams',
    status: 502,
    first: 'no-live-upstreams',
  },
  {
    text: 'disable check peer: 127.0.0.1:8081 ',
    id: 'check_peer_down',
    status: undefined,
    first: 'no-live-upstreams',
  },
  {
    text: 'check time out with peer: 10.32.105.18:8008 ',
    id: 'check_peer_down',
    status: undefined,
    first: 'no-live-upstreams',
  },
  {
    text: 'check protocol http error with peer: 127.0.0.1:8101 ',
    id: 'check_peer_down',
    status: undefined,
    first: 'no-live-upstreams',
  },
];

describe('catalog 3.1 signatures', () => {
  it('the table keeps the catalog ids in the catalog order', () => {
    expect(SIGNATURES.map((s) => s.id)).toEqual([
      'connect_refused',
      'socket_missing',
      'socket_eacces',
      'tcp_eacces',
      'backlog_full_unix',
      'ipv6_unavailable',
      'unreachable',
      'eaddrnotavail',
      'timeout_connect',
      'timeout_ssl',
      'timeout_send',
      'timeout_read_header',
      'timeout_read_body',
      'premature_header',
      'reset_header',
      'send_failed',
      'body_phase_failure',
      'no_live_upstreams',
      'peer_disabled',
      'check_peer_down',
      'too_big_header',
      'invalid_header',
      'fastcgi_proto',
      'grpc_to_http1',
      'http09_reply',
      'tls_wrong_version',
      'tls_sni',
      'tls_other',
      'tls_verify',
      'dns_runtime',
      'dns_no_resolver',
      'dns_config_load',
      'dns_module',
      'dns_resolver_io',
      'fd_socket',
      'fd_accept',
      'fd_rlimit_warn',
      'worker_conns',
      'temp_file',
      'no_space',
      'fd_other',
      'config_error',
    ]);
  });

  it('every signature id has at least one real message below', () => {
    const covered = new Set(MESSAGES.map((m) => m.id));
    expect(SIGNATURES.filter((s) => !covered.has(s.id)).map((s) => s.id)).toEqual([]);
  });

  it.each(MESSAGES)('$id <- $text', ({ text, id, status, first }) => {
    const line = `2024/05/06 07:08:09 [error] 41#41: *1001 ${text}, client: 10.0.0.1, server: app.example.com, request: "GET / HTTP/1.1", host: "app.example.com"`;
    const entry = parseErrorLogLine(line);
    expect(entry?.signature).toBe(id);
    expect(entry?.status).toBe(status);
    const c = entry ? classifyEntry(entry) : undefined;
    expect(c?.causes[0]).toBe(first);
    expect(classifyText(text)?.id).toBe(id);
  });

  it('causes are ids of the causes.md contract, C19/C20 merged and C29 (Apache) dropped', () => {
    const refused = classifyText('connect() failed (111: Connection refused) while connecting to upstream');
    expect(refused?.causes).toEqual([
      'upstream-down',
      'upstream-wrong-address',
      'socket-stale',
      'network-blocked',
      'upstream-address-changed',
      'restart-window',
    ]);
    expect(refused?.catalog).toContain('C29');
    for (const s of SIGNATURES) {
      for (const c of classifyText(MESSAGES.find((m) => m.id === s.id)?.text ?? '')?.causes ?? []) {
        expect(CAUSES).toContain(c);
      }
    }
  });

  it('order matters: a unix EACCES is socket_eacces (perms or SELinux), not tcp_eacces', () => {
    const c = classifyText(
      'connect() to unix:/run/php/php8.2-fpm.sock failed (13: Permission denied) while connecting to upstream',
    );
    expect(c?.id).toBe('socket_eacces');
    expect(c?.causes).toEqual(['socket-permission', 'mac-denied']);
  });

  it.each([
    'client prematurely closed connection while reading response header from upstream',
    'open() "/usr/share/nginx/html/50x.html" failed (2: No such file or directory)',
    'a client request body is buffered to a temporary file /var/cache/nginx/client_temp/0000000001',
    'signal process started',
    '*1 upstream timed out',
  ])('no signature for look-alikes: %s', (text) => {
    expect(classifyText(text)).toBeUndefined();
  });

  it('app output relayed as FastCGI stderr is not an nginx signature even if it quotes one', () => {
    expect(
      classifyEntry({
        message: 'FastCGI sent in stderr: "PHP message: no live upstreams; connect() failed (111: x"',
      }),
    ).toBeUndefined();
  });
});

/**
 * Issue 9: whole lines as real logs carry them, at their real level and with the suffixes nginx adds
 * in that context (none for cycle-level lines, `, resolver:` for the resolver's own I/O).
 */
describe('lines real logs carry', () => {
  it.each([
    [
      '2026/11/25 10:01:02 [error] 41#41: recv() failed (111: Connection refused) while resolving, resolver: 127.0.0.11:53',
      'dns_resolver_io',
      'dns-failure',
    ],
    [
      '2026/11/25 10:01:02 [error] 41#41: send() failed (101: Network is unreachable) while resolving, resolver: 10.0.0.2:53',
      'dns_resolver_io',
      'dns-failure',
    ],
    [
      '2026/11/25 10:01:02 [error] 41#41: connect() to 10.0.0.2:53 failed (111: Connection refused), resolver: 10.0.0.2:53',
      'dns_resolver_io',
      'dns-failure',
    ],
    [
      '2026/11/25 10:01:02 [error] 41#41: *3 api.internal could not be resolved (110: Operation timed out), client: 10.0.0.1, server: x, request: "GET / HTTP/1.1", host: "x"',
      'dns_runtime',
      'dns-failure',
    ],
    [
      '2026/11/25 10:01:02 [emerg] 4567#4567: socket() 0.0.0.0:80 failed (24: Too many open files)',
      'fd_socket',
      'fd-exhausted',
    ],
    [
      '2026/11/25 10:01:02 [alert] 41#41: *9 socket() failed (24: Too many open files) while connecting to upstream, client: 10.0.0.1, server: x, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8081/", host: "x"',
      'fd_socket',
      'fd-exhausted',
    ],
    [
      '2026/11/25 10:01:02 [emerg] 4567#4567: unknown directive "proxy_passs" in /etc/nginx/conf.d/deploy.conf:4',
      'config_error',
      'nginx-config-invalid',
    ],
    [
      '2026/11/25 10:01:02 [emerg] 1#1: host not found in upstream "app:8000" in /etc/nginx/conf.d/default.conf:3',
      'dns_config_load',
      'dns-failure',
    ],
    [
      '2018/09/11 19:46:16 [error] 18107#0: disable check peer: 127.0.0.1:8081 ',
      'check_peer_down',
      'no-live-upstreams',
    ],
    [
      '2026/11/25 10:01:02 [crit] 41#41: *9 connect() to [::1]:8081 failed (99: Cannot assign requested address) while connecting to upstream, client: 10.0.0.1, server: x, request: "GET / HTTP/1.1", upstream: "http://[::1]:8081/", host: "x"',
      'ipv6_unavailable',
      'upstream-wrong-address',
    ],
    [
      '2026/11/25 10:01:02 [crit] 41#41: *9 connect() to 127.0.0.1:8081 failed (99: Cannot assign requested address) while connecting to upstream, client: 10.0.0.1, server: x, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8081/", host: "x"',
      'eaddrnotavail',
      'ephemeral-ports-exhausted',
    ],
    [
      '2026/11/25 10:01:02 [error] 2131#2131: *46 connect() to [2001:db8::10]:9000 failed (101: Network is unreachable) while connecting to upstream, client: 10.0.0.1, server: x, request: "GET / HTTP/1.1", upstream: "http://[2001:db8::10]:9000/", host: "x"',
      'unreachable',
      'network-blocked',
    ],
  ])('%s -> %s', (line, id, first) => {
    const e = parseErrorLogLine(line);
    expect(e?.signature).toBe(id);
    expect(e ? classifyEntry(e)?.causes[0] : undefined).toBe(first);
  });

  it.each([
    // ngx_conf_log_error() at NGX_LOG_WARN: the config loaded, a directive was ignored
    '2026/11/25 10:01:02 [warn] 4567#4567: the "http2_push_preload" directive is obsolete, ignored in /etc/nginx/conf.d/a.conf:3',
    '2026/11/25 10:01:02 [warn] 4567#4567: "ssl_stapling" ignored, no OCSP responder URL in the certificate "/etc/ssl/a.pem"',
    // the check module saying a peer is back is not a failure
    '2022/11/26 19:53:54 [error] 25218#0: enable check peer: 127.0.0.1:8001 ',
    // nginx's own stderr form has no time stamp: nothing to place in a window
    'nginx: [emerg] unknown directive "proxy_passs" in /etc/nginx/conf.d/deploy.conf:4',
  ])('not a failure signature: %s', (line) => {
    expect(parseErrorLogLine(line)?.signature).toBeUndefined();
  });
});
