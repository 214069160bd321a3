/**
 * Issue 18 item 6 for puma (Debian's puma 5.6, the lab's Rack app in cluster mode, 2 workers of 1
 * thread, on the unix socket behind nginx `location /rb/`): a worker killed mid-request, a worker
 * puma's master kills at `worker_timeout`, a request slower than `proxy_read_timeout`, and a pool
 * whose socket backlog overflows. nginx logs the first two alike (the upstream closed the
 * connection); only puma's own log tells them apart, and the diagnosis must.
 */

import { PUMA_LOG } from '../puma-config.js';
import { writeHostEnv } from './host-actions.js';
import type { Scenario } from './types.js';

const PREMATURE = 'upstream prematurely closed connection while reading response header from upstream';
// nginx 1.22 leaves out the ':' between the socket and the URI on its timeout lines.
const PUMA_UPSTREAM = 'upstream: "http://unix:/run/puma/puma\\.sock:?/rb/';

export const PUMA_SCENARIOS: Scenario[] = [
  {
    name: 'puma-worker-killed',
    expectedCause: 'upstream-crash',
    summary:
      'a puma worker is killed with SIGKILL mid-request; puma 5 logs only its re-boot by the master (C10)',
    needs: ['nginx', 'puma'],
    drive: { path: '/rb/?die=kill', count: 1 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: new RegExp(`\\[error\\] .*${PREMATURE}, .*${PUMA_UPSTREAM}`),
      logs: [{ file: PUMA_LOG, pattern: /^\[\d+\] - Worker \d \(PID: \d+\) booted in [\d.]+s, phase: 0$/ }],
    },
    apply: async () => {},
  },
  {
    name: 'puma-worker-timeout',
    expectedCause: 'app-worker-timeout',
    summary:
      "a native call holds the worker's VM lock for 30 s; it stops checking in and the master kills it at worker_timeout 6 (C09)",
    needs: ['nginx', 'puma'],
    drive: { path: '/rb/?block=30', count: 1, timeoutMs: 20_000 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: new RegExp(`\\[error\\] .*${PREMATURE}, .*${PUMA_UPSTREAM}`),
      logs: [
        {
          file: PUMA_LOG,
          pattern:
            /^\[\d+\] ! Terminating timed out worker \(worker failed to check in within 6 seconds\): \d+$/,
        },
      ],
    },
    apply: async () => {},
  },
  {
    name: 'puma-slow-request',
    expectedCause: 'upstream-slow',
    summary: 'a puma request takes 10 s, proxy_read_timeout is 8 s; the worker stays healthy (C13)',
    needs: ['nginx', 'puma'],
    drive: { path: '/rb/?sleep=10', count: 1, timeoutMs: 20_000 },
    expect: {
      status: 504,
      statusMatch: 'all',
      errorLog: new RegExp(
        `\\[error\\] .*upstream timed out \\(110: Connection timed out\\) while reading response header from upstream, .*${PUMA_UPSTREAM}`,
      ),
      accessLog: /" 504 \d+ .* us="504" uct="[\d.]+" uht="-" urt="8\.\d+"/,
    },
    apply: async () => {},
  },
  {
    name: 'puma-backlog-full',
    expectedCause: 'worker-pool-exhausted',
    summary:
      "both puma workers busy and a socket backlog of 2: nginx's connect() to the unix socket fails with EAGAIN (C08)",
    needs: ['nginx', 'puma'],
    drive: { path: '/rb/?sleep=3', count: 12, concurrency: 12, timeoutMs: 15_000 },
    expect: {
      status: 502,
      statusMatch: 'some',
      errorLog:
        /\[error\] .*connect\(\) to unix:\/run\/puma\/puma\.sock failed \(11: Resource temporarily unavailable\) while connecting to upstream/,
    },
    apply: async (ctx) => {
      await writeHostEnv(ctx.lab, ctx.host.name, { pumaBacklog: 2 });
      await ctx.lab.service(ctx.host.name, 'restart', 'puma');
    },
  },
];
