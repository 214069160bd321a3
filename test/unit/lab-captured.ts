/**
 * Lines the lab hosts really wrote (nginx 1.22.1, Node.js 20, Linux 6.x) during the end-to-end
 * scenario runs (test/e2e/scenarios.test.ts), verbatim but for the checkout's path, written as
 * /opt/diagnose502. Each one drove a product fix; the unit tests
 * that use them keep the fix in place without a lab.
 */

const NGINX_SUFFIX = 'client: 10.88.4.1, server: web-1';

/** app-crash-mid-request: the Node app throws outside any handler and exits. */
export const CRASH_NGINX = `2026/11/21 11:16:16 [error] 283#283: *3 upstream prematurely closed connection while reading response header from upstream, ${NGINX_SUFFIX}, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8081/", host: "10.88.4.11"`;
/** Node's own output for an uncaught exception (stderr goes to the app log), blank lines included. */
export const CRASH_APP_LOG = [
  '2026-11-21T11:16:16.170Z [info] GET / handled in mode crash',
  '2026-11-21T11:16:16.171Z [error] process exiting with code 1',
  'file:///opt/diagnose502/lab/apps/lab-app.mjs:47',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the JS source line Node quotes, verbatim
  '      throw new Error(`lab-app: simulated crash while handling ${req.method} ${req.url}`);',
  '      ^',
  '',
  'Error: lab-app: simulated crash while handling GET /',
  '    at Immediate.<anonymous> (file:///opt/diagnose502/lab/apps/lab-app.mjs:47:13)',
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

/**
 * host-overload: the processes and system probes of one batch on a web host with two runaway CPU
 * burners (the probe's own `sh -c` row left out of the ps list for length).
 */
export const BURNER_ROW =
  '21450       1 root           6 76.6 RN   lab-cpu-burner -c end=$((SECONDS+300)); while [ $SECONDS -lt $end ]; do :; done';
export const OVERLOADED_PROCESSES_PROBE = `      1       0 root         896  0.0 S    /usr/bin/tini -s -- sleep infinity
     20       1 root         896  0.0 S    sleep infinity
     26       1 root         896  0.1 Ss   sshd: /usr/sbin/sshd -f /etc/ssh/sshd_config -E /var/log/sshd.log [listener] 0 of 200-400 startups
     30       1 root         896  0.0 Ss   nginx: master process /usr/sbin/nginx
     32      30 www-data     896  0.0 S    nginx: worker process
     34       1 root         896  0.1 Ssl  /usr/bin/node --max-old-space-size=64 --max-semi-space-size=1 /opt/diagnose502/lab/apps/lab-app.mjs
  21450       1 root           6 76.6 RN   lab-cpu-burner -c end=$((SECONDS+300)); while [ $SECONDS -lt $end ]; do :; done
  21451       1 root           6 73.8 RN   lab-cpu-burner -c end=$((SECONDS+300)); while [ $SECONDS -lt $end ]; do :; done
  21462      26 root           0 11.1 Ss   sshd: root@notty
  21467   21464 root           0  0.0 R    ps -eo pid=,ppid=,user=,etimes=,pcpu=,stat=,args=
`;
export const OVERLOADED_SYSTEM_PROBE = `__DATE 1795270561 +0000
__STAT cpu  57926 1092 24160 213441 676 0 590 1617 0 0
__STAT cpu  57930 1135 24163 213441 676 0 590 1617 0 0
__LOADAVG 2.60 2.02 1.91 4/559 21470
__MEM MemTotal:       24684096 kB
__MEM MemAvailable:   23590112 kB
__MEM SwapTotal:             0 kB
__MEM SwapFree:              0 kB
__PSI cpu some avg10=16.99 avg60=24.19 avg300=14.64 total=197660089
__PSI memory some avg10=0.00 avg60=0.00 avg300=0.00 total=1291
__PSI io some avg10=0.00 avg60=0.00 avg300=0.00 total=5808241
__FILENR 3430	0	2466183
__PORTRANGE 32768	60999
__TIMEWAIT 45
__NPROC 2
__PCPU 92 21451
__PCPU 76 21450
__DFO
Filesystem     1K-blocks     Used    Avail Use% IUse% Mounted on
/dev/vda       264212084 23646560 82744352  23%    3% /
/dev/vda       264212084 23646560 82744352  23%    3% /
/dev/vda       264212084 23646560 82744352  23%    3% /var/log
/dev/vda       264212084 23646560 82744352  23%    3% /tmp
/dev/vda       264212084 23646560 82744352  23%    3% /run
/dev/vda       264212084 23646560 82744352  23%    3% /var/lib/nginx
/dev/vda       264212084 23646560 82744352  23%    3% /var/lib/nginx
/dev/vda       264212084 23646560 82744352  23%    3% /var/lib/nginx
/dev/vda       264212084 23646560 82744352  23%    3% /var/lib/nginx
/dev/vda       264212084 23646560 82744352  23%    3% /var/lib/nginx
/dev/vda       264212084 23646560 82744352  23%    3% /var/lib/nginx
__END
`;
