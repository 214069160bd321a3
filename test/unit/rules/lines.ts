/**
 * Error-log lines. `CATALOG_*` are verbatim from reference/nginx-502-catalog.md (public reports, section
 * 10); the ones the catalog only shows abbreviated (`...`) are completed in the same nginx format
 * (ngx_http_log_error) with this test host's names, and marked so.
 */

// Catalog 1.2 / C01.
export const CATALOG_REFUSED =
  '2020/05/07 03:15:12 [error] 6#6: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 172.21.0.1, server: , request: "GET / HTTP/1.1", upstream: "http://172.21.0.19:9000/", host: "0.0.0.0:9000"';
// Catalog 1.2 / C06 (nexus-cookbook#115).
export const CATALOG_TCP_EACCES =
  '2015/01/14 22:32:42 [crit] 5642#0: *1 connect() to 127.0.0.1:8081 failed (13: Permission denied) while connecting to upstream, client: 10.0.2.2, server: nexus-berkshelf, request: "GET /nexus HTTP/1.1", upstream: "http://127.0.0.1:8081/nexus", host: "localhost:8443"';
export const CATALOG_AVC =
  'avc:  denied  { name_connect } for  pid=5642 comm="nginx" dest=8081 scontext=unconfined_u:system_r:httpd_t:s0 tcontext=system_u:object_r:transproxy_port_t:s0 tclass=tcp_socket';
export const CATALOG_AVC_SOCKET =
  'avc:  denied  { connectto } for  pid=911 comm="nginx" path="/run/fcgiwrap/fcgiwrap-nginx.sock" scontext=system_u:system_r:httpd_t:s0 tcontext=system_u:system_r:unconfined_service_t:s0 tclass=unix_stream_socket';
// Catalog 1.2 / C03 (jackcast#4).
export const CATALOG_SOCKET_MISSING_TMP =
  '2020/06/18 14:22:17 [crit] 1333#1333: *1 connect() to unix:/tmp/jackcast.sock failed (2: No such file or directory) while connecting to upstream, client: 192.168.0.3, server: _, request: "GET / HTTP/1.1", upstream: "http://unix:/tmp/jackcast.sock:/", host: "jackcast.hopto.org"';
// Catalog 1.2 / C24 (medic#2076).
export const CATALOG_WORKER_CONNS =
  '2016/03/14 00:35:26 [alert] 25909#0: *164106 1024 worker_connections are not enough while connecting to upstream, client: 41.210.155.91, server: _, request: "GET /medic/ HTTP/1.1", upstream: "http://127.0.0.1:280/medic/", host: "lg.app.medicmobile.org", referrer: "https://lg.app.medicmobile.org/medic/_design/medic/_rewrite/"';
// Catalog 1.2 / C18 (bunkerweb#39) and C18 example.
export const CATALOG_DNS =
  '2020/11/28 18:57:38 [error] 987273#987273: *221 decidim could not be resolved (3: Host not found), client: 95.232.164.161, server: lombardia.amicidiazione.it, request: "GET / HTTP/2.0", host: "staging.amicidiazione.it"';
export const CATALOG_NO_RESOLVER =
  '2020/12/30 11:13:35 [error] 71#71: *3 no resolver defined to resolve xxx.xxx.aliyuncs.com, client: 10.42.5.0, server: nginx.fs.imagedz.com, request: "GET /sit-imagedt-shelf/01/... HTTP/1.1", host: "xxx.xxx.xxx.com"';
// Catalog 1.2 / C07 (ingress-nginx#9443, musl text).
export const CATALOG_CONNECT_TIMEOUT =
  '2023/03/08 16:02:45 [error] 31#31: *569 upstream timed out (110: Operation timed out) while connecting to upstream, client: 108.162.227.25, server: dev-aws.example.com, request: "GET / HTTP/1.1", upstream: "http://192.168.215.1:80/", host: "dev-aws.example.com"';
// Catalog C07 (outline-docker-compose#53).
export const CATALOG_NO_ROUTE =
  '2023/03/28 12:22:50 [error] 28#28: *1 connect() failed (113: No route to host) while connecting to upstream, client: 39.189.44.242, server: , request: "GET / HTTP/1.1", upstream: "http://172.27.0.7:3000/", host: "152.136.132.109:4488"';
// Catalog C08 (uwsgi#1647).
export const CATALOG_EAGAIN =
  '2017/09/22 18:05:27 [error] 6536#0: *56880 connect() to unix:///var/sockets/harri.sock failed (11: Resource temporarily unavailable) while connecting to upstream, client: 10.0.0.9, server: harri.example.com, request: "GET /jobs HTTP/1.1", upstream: "uwsgi://unix:///var/sockets/harri.sock:", host: "harri.example.com"';
// Catalog C15 (docker-notion-proxy#1).
export const CATALOG_TOO_BIG =
  '2020/01/23 10:02:50 [error] 8496#8496: *274 upstream sent too big header while reading response header from upstream, client: 127.0.0.1, server: <REDACTED>, request: "GET /api/322/config/wifi/ HTTP/1.1", upstream: "https://104.26.5.98:443/api/322/config/wifi/", host: "127.0.0.1"';
// Catalog C23 (rxivist#210).
export const CATALOG_FD =
  '2018/10/19 16:05:32 [alert] 42#42: *2602 socket() failed (24: Too many open files) while connecting to upstream, client: 54.87.141.190, server: origin.rxivist.org, request: "GET / HTTP/1.1", upstream: "http://172.19.0.5:80/", host: "origin.rxivist.org"';
// Catalog C21 (dockerize-vps#3).
export const CATALOG_NO_LIVE =
  '2019/09/26 01:32:42 [error] 56#56: *63 no live upstreams while connecting to upstream, client: 113.185.40.45, server: mywilldomain.tk, request: "GET /favicon.ico HTTP/1.1", upstream: "http://mywilldomain.tk/favicon.ico", host: "mywilldomain.tk", referrer: "http://mywilldomain.tk/wp-admin/setup-config.php"';
// Catalog C13 example, completed with a timestamp (the catalog shows it from `[error]` on).
export const CATALOG_READ_TIMEOUT =
  '2021/06/02 09:41:07 [error] 1046#1046: *2094 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 192.168.17.1, server: localhost, request: "GET /update HTTP/1.1", upstream: "fastcgi://127.0.0.1:9000", host: "192.168.17.128"';
// Catalog C02 example, completed with a timestamp.
export const CATALOG_IPV6_REFUSED =
  '2021/02/10 12:00:01 [error] 2195#0: *2645 connect() failed (111: Connection refused) while connecting to upstream, client: ipaddress, server: domain, request: "GET /path HTTP/1.1", upstream: "http://[::1]:5000/path", host: "domain", referrer: "domain"';
// Catalog C10 pair, completed (the catalog elides client/server/host with `...`).
export const CATALOG_RESET_FASTCGI =
  '2014/09/12 11:57:19 [error] 26060#0: *82 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 10.1.1.1, server: example.com, request: "POST /index.php HTTP/1.1", upstream: "fastcgi://127.0.0.1:9000", host: "example.com"';
export const CATALOG_FPM_SEGV =
  '[12-Sep-2014 11:57:19] WARNING: [pool www] child 26045 exited on signal 11 (SIGSEGV) after 82.764425 seconds from start';

/** This host's own lines (127.0.0.1:8081, app_backend), in nginx 1.24's format. */
export const at = (time: string, conn: number, msg: string, path = '/cart', method = 'GET'): string =>
  `2026/11/21 ${time} [error] 2131#2131: *${conn} ${msg}, client: 203.0.113.7, server: shop.example.com, request: "${method} ${path} HTTP/1.1", upstream: "http://127.0.0.1:8081${path}", host: "shop.example.com"`;

export const REFUSED_8081 = [
  at('10:02:11', 8811, 'connect() failed (111: Connection refused) while connecting to upstream'),
  at('10:06:40', 8812, 'connect() failed (111: Connection refused) while connecting to upstream', '/'),
  at(
    '10:12:01',
    8813,
    'connect() failed (111: Connection refused) while connecting to upstream',
    '/checkout',
    'POST',
  ),
];
export const PREMATURE_8081 = (time: string, conn: number, path = '/export', method = 'GET'): string =>
  at(
    time,
    conn,
    'upstream prematurely closed connection while reading response header from upstream',
    path,
    method,
  );
export const RESET_8081 = (time: string, conn: number, path = '/report'): string =>
  at(
    time,
    conn,
    'recv() failed (104: Connection reset by peer) while reading response header from upstream',
    path,
  );
