/**
 * Issue 18 item 6 for Apache httpd as the app server nginx proxies to (Debian's apache2 2.4,
 * mpm_prefork with mod_cgi, the lab's CGI script behind nginx `location /ap/`): a child killed
 * mid-request (SIGSEGV, as a crashing module), a CGI script Apache gives up on at `Timeout`, and a
 * pool at `MaxRequestWorkers`. Apache's own error log tells the three apart.
 */

import { APACHE_LOG } from '../apache-config.js';
import { writeHostEnv } from './host-actions.js';
import type { Scenario } from './types.js';

const APACHE_UPSTREAM = 'upstream: "http://127\\.0\\.0\\.1:8030/ap/lab\\.cgi';

export const APACHE_SCENARIOS: Scenario[] = [
  {
    name: 'apache-child-segfault',
    expectedCause: 'upstream-crash',
    summary:
      'the Apache child serving a request dies of SIGSEGV (a crashing module); the parent logs AH00052 (C10)',
    needs: ['nginx', 'apache'],
    drive: { path: '/ap/lab.cgi?die=segv', count: 1 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: new RegExp(
        `\\[error\\] .*upstream prematurely closed connection while reading response header from upstream, .*${APACHE_UPSTREAM}`,
      ),
      logs: [{ file: APACHE_LOG, pattern: /AH00052: child pid \d+ exit signal Segmentation fault \(11\)/ }],
    },
    apply: async () => {},
  },
  {
    name: 'apache-cgi-timeout',
    expectedCause: 'app-worker-timeout',
    summary: 'a CGI script silent for 6 s, Apache Timeout 3: Apache stops it and answers 504 itself (C09)',
    needs: ['nginx', 'apache'],
    drive: { path: '/ap/lab.cgi?sleep=6', count: 1, timeoutMs: 15_000 },
    expect: {
      status: 504,
      statusMatch: 'all',
      // nginx relays Apache's own 504: no error-log line of its own.
      errorLog: null,
      accessLog: /" 504 \d+ .* us="504" uct="[\d.]+" uht="3\.\d+"/,
      logs: [
        { file: APACHE_LOG, pattern: /AH01220: Timeout waiting for output from CGI script/ },
        { file: APACHE_LOG, pattern: /Script timed out before returning headers: lab\.cgi/ },
      ],
    },
    apply: async () => {},
  },
  {
    name: 'apache-max-request-workers',
    expectedCause: 'worker-pool-exhausted',
    summary:
      'MaxRequestWorkers 2 and 12 requests of 2 s at once: the rest wait in the listen queue past proxy_read_timeout (C08)',
    needs: ['nginx', 'apache'],
    drive: { path: '/ap/lab.cgi?sleep=2', count: 12, concurrency: 12, timeoutMs: 20_000 },
    expect: {
      status: 504,
      statusMatch: 'some',
      errorLog: new RegExp(
        `\\[error\\] .*upstream timed out \\(110: Connection timed out\\) while reading response header from upstream, .*${APACHE_UPSTREAM}`,
      ),
      logs: [{ file: APACHE_LOG, pattern: /AH00161: server reached MaxRequestWorkers setting/ }],
    },
    apply: async (ctx) => {
      await writeHostEnv(ctx.lab, ctx.host.name, { apacheMaxWorkers: 2 });
      await ctx.lab.service(ctx.host.name, 'restart', 'apache');
    },
  },
];
