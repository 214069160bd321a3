/**
 * Issue 18 item 6, "app servers the inventory names": uWSGI (Debian's uwsgi-core with the python3
 * plugin, the lab's WSGI app on 127.0.0.1:8010 behind nginx `location /uw/`) with a worker that
 * times out (HARAKIRI), a worker that dies of SIGSEGV mid-request, and a pool whose listen queue
 * overflows. nginx logs the first two alike (the upstream closed the connection); only uWSGI's own
 * log tells them apart, and the diagnosis must.
 */

import { UWSGI_LOG } from '../uwsgi-config.js';
import { writeHostEnv } from './host-actions.js';
import type { Scenario, ScenarioContext } from './types.js';

const service = (ctx: ScenarioContext, action: 'start' | 'stop' | 'restart', name: string) =>
  ctx.lab.service(ctx.host.name, action, name);

const PREMATURE = 'upstream prematurely closed connection while reading response header from upstream';
const UWSGI_UPSTREAM = 'upstream: "uwsgi://127\\.0\\.0\\.1:8010"';

export const APP_SERVER_SCENARIOS: Scenario[] = [
  {
    name: 'uwsgi-harakiri',
    expectedCause: 'app-worker-timeout',
    summary: 'a 6 s request on uWSGI --harakiri 3: the master kills the worker (C09)',
    needs: ['nginx', 'uwsgi'],
    drive: { path: '/uw/?sleep=6', count: 1 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: new RegExp(`\\[error\\] .*${PREMATURE}, .*${UWSGI_UPSTREAM}`),
      logs: [
        { file: UWSGI_LOG, pattern: /\*\*\* HARAKIRI ON WORKER \d+ \(pid: \d+, try: 1\) \*\*\*/ },
        { file: UWSGI_LOG, pattern: /DAMN ! worker \d+ \(pid: \d+\) died, killed by signal 9 :\(/ },
      ],
    },
    apply: async () => {},
  },
  {
    name: 'uwsgi-worker-segfault',
    expectedCause: 'upstream-crash',
    summary:
      'a uWSGI worker dies of SIGSEGV mid-request (a crashing C extension); the master respawns it (C10)',
    needs: ['nginx', 'uwsgi'],
    drive: { path: '/uw/?crash=segv', count: 1 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: new RegExp(`\\[error\\] .*${PREMATURE}, .*${UWSGI_UPSTREAM}`),
      logs: [
        { file: UWSGI_LOG, pattern: /!!! uWSGI process \d+ got Segmentation Fault !!!/ },
        { file: UWSGI_LOG, pattern: /DAMN ! worker \d+ \(pid: \d+\) died :\( trying respawn/ },
      ],
    },
    apply: async () => {},
  },
  {
    name: 'uwsgi-listen-queue-full',
    expectedCause: 'worker-pool-exhausted',
    summary:
      'uWSGI with 2 busy workers and --listen 2: its TCP listen queue overflows, nginx times out on it (C08)',
    needs: ['nginx', 'uwsgi'],
    drive: { path: '/uw/?sleep=4', count: 14, concurrency: 14, timeoutMs: 15_000 },
    expect: {
      status: 504,
      statusMatch: 'some',
      // A dropped SYN (full accept queue) times out the connect; a request accepted into the queue can
      // wait for a worker past uwsgi_read_timeout instead.
      errorLog: new RegExp(
        `\\[error\\] .*upstream timed out \\(110: Connection timed out\\) while (?:connecting to|reading response header from) upstream, .*${UWSGI_UPSTREAM}`,
      ),
      logs: [
        {
          file: UWSGI_LOG,
          pattern:
            /\*\*\* uWSGI listen queue of socket "127\.0\.0\.1:8010" \(fd: \d+\) full !!! \(\d+\/2\) \*\*\*/,
        },
      ],
    },
    apply: async (ctx) => {
      await writeHostEnv(ctx.lab, ctx.host.name, { uwsgiListen: 2, uwsgiHarakiri: 30 });
      await service(ctx, 'restart', 'uwsgi');
    },
  },
];
