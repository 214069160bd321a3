import type { CauseCase } from './cases-connect.js';
import { healthy, service, withErrors, withSite } from './evidence-builder.js';
import { accessStats, appLog } from './log-builders.js';

/**
 * Apache httpd (mpm_prefork, mod_cgi) as the app server behind nginx, from the lines the lab's Apache
 * scenarios really wrote (lab/scenarios/table-apache.ts, nginx 1.22, Debian's apache2 2.4.71). A
 * CGI script stopped at Apache's `Timeout` is a 504 Apache answers itself: nginx relays it and logs
 * nothing, and Apache's own log says it was its timeout, not a hop further.
 */
const APACHE_SITE =
  'server {\n    listen 80;\n    server_name web-1;\n    location /ap/ {\n        proxy_pass http://127.0.0.1:8030;\n        proxy_read_timeout 8s;\n    }\n}\n';

const SEGV_NGINX =
  '2026/12/07 18:27:00 [error] 1950#1950: *3 upstream prematurely closed connection while reading response header from upstream, client: 10.88.7.1, server: web-1, request: "GET /ap/lab.cgi?die=segv HTTP/1.1", upstream: "http://127.0.0.1:8030/ap/lab.cgi?die=segv", host: "10.88.7.11"';
const SEGV =
  '[Mon Dec 07 18:27:00.502782 2026] [core:notice] [pid 1969:tid 1969] AH00052: child pid 1971 exit signal Segmentation fault (11)';
const RELAYED_504 =
  '10.88.7.1 - - [07/Dec/2026:18:27:13 +0000] "GET /ap/lab.cgi?sleep=6 HTTP/1.1" 504 287 "-" "diagnose502-lab" rt=3.004 ua="127.0.0.1:8030" us="504" uct="0.000" uht="3.003" urt="3.003" ul="287" cs=- host="10.88.7.11"';
const CGI_TIMEOUT = [
  '[Mon Dec 07 18:27:13.337813 2026] [cgi:warn] [pid 2347:tid 2347] [client 127.0.0.1:47306] AH01220: Timeout waiting for output from CGI script /usr/local/etc/lab/apps/cgi/lab.cgi',
  '[Mon Dec 07 18:27:13.337878 2026] [cgi:error] [pid 2347:tid 2347] [client 127.0.0.1:47306] Script timed out before returning headers: lab.cgi',
];
const QUEUED_NGINX =
  '2026/12/07 18:27:31 [error] 2870#2870: *9 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.88.7.1, server: web-1, request: "GET /ap/lab.cgi?sleep=2 HTTP/1.1", upstream: "http://127.0.0.1:8030/ap/lab.cgi?sleep=2", host: "10.88.7.11"';
const MAX_WORKERS =
  '[Mon Dec 07 18:27:23.971971 2026] [mpm_prefork:error] [pid 2895:tid 2895] AH00161: server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting';

function apacheHost(errors: string, log: string[], access = '') {
  const ev = withErrors(withSite(healthy(), APACHE_SITE), errors);
  ev.accessLog = accessStats(access);
  ev.services = [
    service('apache', 'apache', ['127.0.0.1:8030'], { logLines: appLog('apache', log.join('\n')) }),
  ];
  return ev;
}

export const APACHE_CASES: CauseCase[] = [
  {
    name: 'C10 Apache child dies of SIGSEGV mid-request (AH00052)',
    cause: 'upstream-crash',
    evidence: () => apacheHost(SEGV_NGINX, [SEGV]),
    verbatim: SEGV,
    mentions: [],
    actions: [['investigate-crash', 'human']],
  },
  {
    name: 'C09 Apache stops a CGI script at its Timeout and answers 504 itself (nginx relays it, logs nothing)',
    cause: 'app-worker-timeout',
    evidence: () => apacheHost('', CGI_TIMEOUT, RELAYED_504),
    verbatim: CGI_TIMEOUT[1] ?? '',
    mentions: ['Apache Timeout'],
    actions: [['investigate-slow-endpoint', 'human']],
    confidence: [0.9, 0.99],
    titleHas: '1 requests cut off',
  },
  {
    name: 'C08 Apache at MaxRequestWorkers (AH00161), requests time out in its listen queue',
    cause: 'worker-pool-exhausted',
    evidence: () => apacheHost(QUEUED_NGINX, [MAX_WORKERS]),
    verbatim: MAX_WORKERS,
    mentions: [],
    actions: [['raise-pool-size', 'human']],
    confidence: [0.9, 0.99],
  },
];
