/**
 * Lines the lab hosts really wrote (nginx 1.22.1, Node.js 20, Linux 6.x) during the end-to-end
 * scenario runs (test/e2e/scenarios.test.ts), verbatim. Each one drove a product fix; the unit tests
 * that use them keep the fix in place without a lab.
 */

const NGINX_SUFFIX = 'client: 10.88.4.1, server: web-1';

/** app-crash-mid-request: the Node app throws outside any handler and exits. */
export const CRASH_NGINX = `2026/11/21 11:16:16 [error] 283#283: *3 upstream prematurely closed connection while reading response header from upstream, ${NGINX_SUFFIX}, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8081/", host: "10.88.4.11"`;
/** Node's own output for an uncaught exception (stderr goes to the app log), blank lines included. */
export const CRASH_APP_LOG = [
  '2026-11-21T11:16:16.170Z [info] GET / handled in mode crash',
  '2026-11-21T11:16:16.171Z [error] process exiting with code 1',
  'file:///work/main/lab/apps/lab-app.mjs:47',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the JS source line Node quotes, verbatim
  '      throw new Error(`lab-app: simulated crash while handling ${req.method} ${req.url}`);',
  '      ^',
  '',
  'Error: lab-app: simulated crash while handling GET /',
  '    at Immediate.<anonymous> (file:///work/main/lab/apps/lab-app.mjs:47:13)',
  '    at process.processImmediate (node:internal/timers:483:21)',
  '',
  'Node.js v20.20.2',
].join('\n');
export const CRASH_ERROR_LINE = 'Error: lab-app: simulated crash while handling GET /';

/** keepalive-race: four POSTs; the two sent on a reused upstream connection fail. */
const premature = (conn: number) =>
  `2026/11/21 11:20:16 [error] 5585#5585: *${conn} upstream prematurely closed connection while reading response header from upstream, ${NGINX_SUFFIX}, request: "POST /api/orders HTTP/1.1", upstream: "http://127.0.0.1:8081/api/orders", host: "10.88.4.11"`;
export const KEEPALIVE_NGINX = [premature(5), premature(8)];
export const KEEPALIVE_ACCESS = [
  '10.88.4.1 - - [21/Nov/2026:11:20:16 +0000] "POST /api/orders HTTP/1.1" 200 35 "-" "diagnose502-lab" rt=0.004 ua="127.0.0.1:8081" us="200" uct="0.000" uht="0.001" urt="0.001" ul="35" cs=- host="10.88.4.11"',
  '10.88.4.1 - - [21/Nov/2026:11:20:16 +0000] "POST /api/orders HTTP/1.1" 502 157 "-" "diagnose502-lab" rt=0.002 ua="127.0.0.1:8081" us="502" uct="0.000" uht="-" urt="0.000" ul="0" cs=- host="10.88.4.11"',
  '10.88.4.1 - - [21/Nov/2026:11:20:16 +0000] "POST /api/orders HTTP/1.1" 200 35 "-" "diagnose502-lab" rt=0.002 ua="127.0.0.1:8081" us="200" uct="0.000" uht="0.001" urt="0.001" ul="35" cs=- host="10.88.4.11"',
  '10.88.4.1 - - [21/Nov/2026:11:20:16 +0000] "POST /api/orders HTTP/1.1" 502 157 "-" "diagnose502-lab" rt=0.001 ua="127.0.0.1:8081" us="502" uct="0.000" uht="-" urt="0.001" ul="0" cs=- host="10.88.4.11"',
].join('\n');

/** request-too-large: the app resets connections whose body is over its limit. */
const reset = (conn: number) =>
  `2026/11/21 11:20:22 [error] 6046#6046: *${conn} recv() failed (104: Connection reset by peer) while reading response header from upstream, ${NGINX_SUFFIX}, request: "POST /upload HTTP/1.1", upstream: "http://127.0.0.1:8081/upload", host: "10.88.4.11"`;
export const TOO_LARGE_NGINX = [reset(3), reset(5)];
export const TOO_LARGE_APP_LINE =
  '2026-11-21T11:20:22.699Z [warn] request body of 262144 bytes is over the limit: closing the connection';
export const TOO_LARGE_ACCESS = [
  '10.88.4.1 - - [21/Nov/2026:11:20:22 +0000] "POST /upload HTTP/1.1" 502 157 "-" "diagnose502-lab" rt=0.005 ua="127.0.0.1:8081" us="502" uct="0.000" uht="-" urt="0.002" ul="0" cs=- host="10.88.4.11"',
  '10.88.4.1 - - [21/Nov/2026:11:20:22 +0000] "POST /upload HTTP/1.1" 502 157 "-" "diagnose502-lab" rt=0.002 ua="127.0.0.1:8081" us="502" uct="0.000" uht="-" urt="0.001" ul="0" cs=- host="10.88.4.11"',
].join('\n');

/** host-overload: the system probe's output on a web host with two runaway CPU burners. */
export const BURNER_ROW =
  '80.3     767       3 RN   lab-cpu-burner -c end=$((SECONDS+300)); while [ $SECONDS -lt $end ]; do :; done';
export const OVERLOADED_SYSTEM_PROBE = `__DATE 1795260427 +0000
__NPROC 2
__LOADAVG 2.43 2.64 1.92 3/234 898
__STAT cpu  98572 21803 35485 273392 471 0 290 76 0 0
__STAT cpu  98572 21906 35485 273392 471 0 290 76 0 0
__PCPU 102 768
__PCPU 102 767
__TOP ${BURNER_ROW}
__TOP 70.6     768       3 RN   lab-cpu-burner -c end=$((SECONDS+300)); while [ $SECONDS -lt $end ]; do :; done
__MEM MemTotal:       24684084 kB
__MEM MemAvailable:   23933908 kB
__MEM SwapTotal:             0 kB
__MEM SwapFree:              0 kB
__PSI cpu some avg10=37.08 avg60=22.90 avg300=21.74 total=381820549
__PSI memory some avg10=0.00 avg60=0.00 avg300=0.00 total=5719
__PSI io some avg10=0.00 avg60=0.00 avg300=0.02 total=4935854
__FILENR 1255	0	2466170
__PORTRANGE 32768	60999
__TIMEWAIT 38
__DF
/dev/vda         264212084 23532880  82858032      23% /
/dev/vda         264212084 23532880  82858032      23% /run
/dev/vda         264212084 23532880  82858032      23% /tmp
/dev/vda         264212084 23532880  82858032      23% /var/lib/nginx
/dev/vda         264212084 23532880  82858032      23% /var/log
Filesystem     1024-blocks     Used Available Capacity Mounted on
__DFI
/dev/vda       16777216 421330 16355886    3% /
/dev/vda       16777216 421330 16355886    3% /run
/dev/vda       16777216 421330 16355886    3% /tmp
/dev/vda       16777216 421330 16355886    3% /var/lib/nginx
/dev/vda       16777216 421330 16355886    3% /var/log
Filesystem       Inodes  IUsed    IFree IUse% Mounted on
__END
`;
