import type { CauseCase } from './cases-connect.js';
import { healthy, service, withErrors, withSite } from './evidence-builder.js';
import { appLog } from './log-builders.js';

/**
 * puma 5 behind nginx on a unix socket, from the lines the lab's puma scenarios really wrote
 * (lab/scenarios/table-puma.ts, nginx 1.22, Debian's puma 5.6.5): a worker killed mid-request and
 * a worker the master kills at worker_timeout look alike to nginx (the upstream closed the
 * connection); puma's log tells them apart. A slow request and a full backlog are the other two.
 */
const PUMA_SITE =
  'server {\n    listen 80;\n    server_name web-1;\n    location /rb/ {\n        proxy_pass http://unix:/run/puma/puma.sock;\n        proxy_read_timeout 8s;\n    }\n}\n';

const KILLED =
  '2026/12/07 18:16:27 [error] 315#315: *3 upstream prematurely closed connection while reading response header from upstream, client: 10.88.7.1, server: web-1, request: "GET /rb/?die=kill HTTP/1.1", upstream: "http://unix:/run/puma/puma.sock:/rb/?die=kill", host: "10.88.7.11"';
const BLOCKED =
  '2026/12/07 18:16:38 [error] 658#658: *3 upstream prematurely closed connection while reading response header from upstream, client: 10.88.7.1, server: web-1, request: "GET /rb/?block=30 HTTP/1.1", upstream: "http://unix:/run/puma/puma.sock:/rb/?block=30", host: "10.88.7.11"';
const SLOW =
  '2026/12/07 18:16:55 [error] 1000#1000: *3 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.88.7.1, server: web-1, request: "GET /rb/?sleep=10 HTTP/1.1", upstream: "http://unix:/run/puma/puma.sock/rb/?sleep=10", host: "10.88.7.11"';
const EAGAIN =
  '2026/12/07 18:17:03 [error] 1331#1331: *6 connect() to unix:/run/puma/puma.sock failed (11: Resource temporarily unavailable) while connecting to upstream, client: 10.88.7.1, server: web-1, request: "GET /rb/?sleep=3 HTTP/1.1", upstream: "http://unix:/run/puma/puma.sock:/rb/?sleep=3", host: "10.88.7.11"';

const BOOTS =
  '[346] - Worker 0 (PID: 357) booted in 0.02s, phase: 0\n[346] - Worker 1 (PID: 359) booted in 0.02s, phase: 0';
const REBOOT = '[346] - Worker 1 (PID: 478) booted in 0.02s, phase: 0';
const TIMED_OUT = '[346] ! Terminating timed out worker (worker failed to check in within 6 seconds): 359';

function pumaHost(errors: string, log: string) {
  const ev = withErrors(withSite(healthy(), PUMA_SITE), errors);
  ev.services = [
    service('puma', 'puma', ['/run/puma/puma.sock'], {
      settings: { worker_timeout: '6', workers: '2' },
      logLines: log ? appLog('puma', log) : [],
    }),
  ];
  return ev;
}

export const PUMA_CASES: CauseCase[] = [
  {
    name: 'C10 puma worker killed mid-request: only its re-boot in puma 5',
    cause: 'upstream-crash',
    evidence: () => pumaHost(KILLED, `${BOOTS}\n${REBOOT}`),
    verbatim: REBOOT,
    mentions: ['dmesg -T'],
    actions: [['investigate-crash', 'human']],
    titleHas: 'puma crashes mid-request',
  },
  {
    name: 'C09 puma worker killed by its master at worker_timeout',
    cause: 'app-worker-timeout',
    evidence: () => pumaHost(BLOCKED, `${BOOTS}\n${TIMED_OUT}\n${REBOOT}`),
    verbatim: TIMED_OUT,
    mentions: ['/rb/'],
    actions: [['investigate-slow-endpoint', 'human']],
    confidence: [0.9, 0.99],
  },
  {
    name: 'C13 puma request slower than proxy_read_timeout (unix socket, no ":" before the URI)',
    cause: 'upstream-slow',
    evidence: () => pumaHost(SLOW, BOOTS),
    verbatim: SLOW,
    mentions: [],
    actions: [],
  },
  {
    name: 'C08 puma socket backlog full (EAGAIN)',
    cause: 'worker-pool-exhausted',
    evidence: () => pumaHost(EAGAIN, BOOTS),
    verbatim: EAGAIN,
    mentions: [],
    actions: [['raise-pool-size', 'human']],
  },
];
