import { describe, expect, it } from 'vitest';
import type { AppSignal } from '../../../src/diagnosis/evidence.js';
import { appLogTimeMs, parseAppLog } from '../../../src/parse/parse-app-log.js';
import { CRASH_APP_LOG, CRASH_ERROR_LINE, TOO_LARGE_APP_LINE } from '../lab-captured.js';

/** Lines as the servers print them (catalog sections 9, C08–C11, C27 and the reports cited there). */
const CASES: { kind: string; line: string; signal: AppSignal; timeMs?: number }[] = [
  // php-fpm (mail-in-a-box#515, cphalcon#2809, omega8cc/boa#462)
  {
    kind: 'php-fpm',
    line: '[21-Nov-2026 10:52:04] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it',
    signal: 'pool-max-children',
    timeMs: Date.UTC(2026, 10, 21, 10, 52, 4),
  },
  {
    kind: 'php-fpm',
    line: '[12-Sep-2014 11:57:19] WARNING: [pool www] child 26045 exited on signal 11 (SIGSEGV) after 82.764425 seconds from start',
    signal: 'worker-killed-signal',
    timeMs: Date.UTC(2014, 8, 12, 11, 57, 19),
  },
  {
    kind: 'php-fpm',
    line: '[21-Nov-2026 10:52:05] WARNING: [pool www] child 27299, script \'/var/www/html/index.php\' (request: "GET /index.php") execution timed out (186.444499 sec), terminating',
    signal: 'worker-timeout',
  },
  {
    kind: 'php-fpm',
    line: '[21-Nov-2026 10:52:06] WARNING: [pool www] child 27300 exited on signal 9 (SIGKILL) after 12.001200 seconds from start',
    signal: 'worker-oom',
  },
  {
    kind: 'php-fpm',
    line: "[21-Nov-2026 10:52:07] ERROR: unable to bind listening socket for address '/run/php/php8.2-fpm.sock': Address already in use (98)",
    signal: 'address-in-use',
  },
  { kind: 'php-fpm', line: '[21-Nov-2026 10:52:08] NOTICE: ready to handle connections', signal: 'started' },
  { kind: 'php-fpm', line: '[21-Nov-2026 10:52:09] NOTICE: Terminating ...', signal: 'stopped' },
  // gunicorn arbiter.py (gunicorn#3136, dokku#4676, tubesync#454)
  {
    kind: 'gunicorn',
    line: '[2026-11-21 10:52:04 +0000] [123] [CRITICAL] WORKER TIMEOUT (pid:456)',
    signal: 'worker-timeout',
    timeMs: Date.UTC(2026, 10, 21, 10, 52, 4),
  },
  {
    kind: 'gunicorn',
    line: '[2026-11-21 11:52:05 +0100] [123] [ERROR] Worker (pid:456) was sent SIGKILL! Perhaps out of memory?',
    signal: 'worker-oom',
    timeMs: Date.UTC(2026, 10, 21, 10, 52, 5),
  },
  {
    kind: 'gunicorn',
    line: '[2023-01-30 08:14:02 +0000] [7] [WARNING] Worker with pid 7214 was terminated due to signal 6',
    signal: 'worker-killed-signal',
  },
  {
    kind: 'gunicorn',
    line: '[2026-11-21 10:52:06 +0000] [123] [ERROR] Worker (pid:457) was sent SIGSEGV!',
    signal: 'worker-killed-signal',
  },
  {
    kind: 'gunicorn',
    line: '[2026-11-21 10:52:07 +0000] [789] [INFO] Booting worker with pid: 789',
    signal: 'started',
  },
  {
    kind: 'gunicorn',
    line: "[2026-11-21 10:52:08 +0000] [12] [ERROR] Connection in use: ('0.0.0.0', 8000)",
    signal: 'address-in-use',
  },
  {
    kind: 'gunicorn',
    line: '[2026-11-21 10:52:09 +0000] [12] [INFO] Shutting down: Master',
    signal: 'stopped',
  },
  // uWSGI core/master*.c, proto/uwsgi.c (gatekeeper-policy-manager#61, alerta#636)
  {
    kind: 'uwsgi',
    line: 'Sat Nov 21 10:52:04 2026 - *** HARAKIRI ON WORKER 2 (pid: 1234, try: 1, graceful: no) ***',
    signal: 'worker-timeout',
    timeMs: Date.UTC(2026, 10, 21, 10, 52, 4),
  },
  {
    kind: 'uwsgi',
    line: 'Sat Nov 21 10:52:05 2026 - *** uWSGI listen queue of socket "127.0.0.1:8000" (fd: 3) full !!! (101/100) ***',
    signal: 'listen-queue-full',
  },
  {
    kind: 'uwsgi',
    line: 'DAMN ! worker 1 (pid: 4242) died, killed by signal 9 :( trying respawn ...',
    signal: 'worker-oom',
  },
  {
    kind: 'uwsgi',
    line: 'DAMN ! worker 3 (pid: 4243) died, killed by signal 11 :( trying respawn ...',
    signal: 'worker-killed-signal',
  },
  { kind: 'uwsgi', line: 'invalid request block size: 5292 (max 4096)...skip', signal: 'request-too-large' },
  { kind: 'uwsgi', line: 'spawned uWSGI worker 1 (pid: 31, cores: 1)', signal: 'started' },
  // puma cluster.rb (puma#2571)
  {
    kind: 'puma',
    line: '[123] ! Terminating timed out worker (Worker 0 failed to check in within 60 seconds): 456',
    signal: 'worker-timeout',
  },
  {
    kind: 'puma',
    line: 'Address already in use - bind(2) for "0.0.0.0" port 3000 (Errno::EADDRINUSE)',
    signal: 'address-in-use',
  },
  // node
  {
    kind: 'node',
    line: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
    signal: 'crash',
  },
  {
    kind: 'node',
    line: 'Error: listen EADDRINUSE: address already in use :::3000',
    signal: 'address-in-use',
  },
  {
    kind: 'node',
    line: "2026-11-21T10:52:04.123Z [api] uncaughtException: TypeError: Cannot read properties of undefined (reading 'id')",
    signal: 'crash',
    timeMs: Date.UTC(2026, 10, 21, 10, 52, 4, 123),
  },
  { kind: 'node', line: '2026-11-21T10:52:05.000Z [api] Server listening on port 3000', signal: 'started' },
  // apache (nextcloudpi#406, catalog C29)
  {
    kind: 'apache',
    line: '[Sat Nov 21 10:52:04.123456 2026] [mpm_event:error] [pid 1021:tid 140213] AH00484: server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting',
    signal: 'pool-max-children',
    timeMs: Date.UTC(2026, 10, 21, 10, 52, 4),
  },
  {
    kind: 'apache',
    line: '[Sat Nov 21 10:52:05.000001 2026] [core:notice] [pid 1021] AH00052: child pid 4567 exit signal Segmentation fault (11)',
    signal: 'worker-killed-signal',
  },
  // systemd's lines in journalctl -u
  {
    kind: 'php-fpm',
    line: 'Nov 21 10:52:04 web1 systemd[1]: php8.2-fpm.service: Main process exited, code=killed, status=9/KILL',
    signal: 'worker-oom',
  },
  {
    kind: 'node',
    line: "Nov 21 10:52:04 web1 systemd[1]: app.service: Failed with result 'exit-code'.",
    signal: 'crash',
  },
];

describe('parseAppLog: one signal per known line', () => {
  it.each(CASES)('$kind: $signal <- $line', ({ kind, line, signal, timeMs }) => {
    const out = parseAppLog(kind, line, {});
    expect(out).toHaveLength(1);
    expect(out[0]?.signal).toBe(signal);
    expect(out[0]?.line).toBe(line);
    if (timeMs !== undefined) expect(out[0]?.timeMs).toBe(timeMs);
  });

  it('unknown kind tries every server', () => {
    const text = CASES.map((c) => c.line).join('\n');
    const out = parseAppLog('unknown', text, {});
    expect(out.map((o) => o.signal)).toEqual(CASES.map((c) => c.signal));
  });
});

describe('parseAppLog: what is not returned', () => {
  it.each([
    [
      'php-fpm',
      '[21-Nov-2026 10:52:05] WARNING: [pool www] child 27299 exited on signal 15 (SIGTERM) after 186.5 seconds from start',
    ],
    ['php-fpm', '[21-Nov-2026 10:52:05] NOTICE: [pool www] child 300 started'],
    ['gunicorn', '[2026-11-21 10:52:06 +0000] [123] [ERROR] Worker (pid:458) was sent SIGTERM!'],
    ['gunicorn', '10.0.0.1 - - [21/Nov/2026:10:52:06 +0000] "GET / HTTP/1.0" 200 12 "-" "curl"'],
    ['node', 'GET /health 200 1.234 ms - 2'],
  ])('%s: %s', (kind, line) => {
    expect(parseAppLog(kind, line, {})).toEqual([]);
  });
});

describe('parseAppLog: multi-line entries (lab app-crash-mid-request, captured)', () => {
  it("reports Node's uncaught-exception trace as a crash, quoting the thrown error", () => {
    expect(parseAppLog('node', CRASH_APP_LOG, {})).toEqual([
      { signal: 'crash', line: CRASH_ERROR_LINE, timeMs: Date.UTC(2026, 10, 21, 11, 16, 16, 171) },
    ]);
  });

  it('dates the undated trace by the entry above it, so a later window leaves it out', () => {
    const later = Date.UTC(2026, 10, 21, 11, 20, 0);
    expect(parseAppLog('node', CRASH_APP_LOG, { sinceMs: later })).toEqual([]);
    const restarted = `${CRASH_APP_LOG}\n2026-11-21T11:20:05.000Z [info] lab-app listening on 127.0.0.1:8081`;
    expect(parseAppLog('node', restarted, { sinceMs: later }).map((l) => l.signal)).toEqual(['started']);
  });

  it('keeps an undated line with no dated line above it', () => {
    expect(parseAppLog('node', 'Error: boom\n    at x (a.js:1:1)\n\nNode.js v18.19.0', {})).toEqual([
      { signal: 'crash', line: 'Error: boom' },
    ]);
  });
});

describe('parseAppLog: request-size rejections, any kind (catalog C27)', () => {
  it.each([
    ['node', TOO_LARGE_APP_LINE],
    ['node', 'PayloadTooLargeError: request entity too large'],
    [
      'php-fpm',
      '[21-Nov-2026 10:52:04] WARNING: [pool www] child 31 said into stderr: "PHP Warning:  PHP Request Startup: POST Content-Length of 262144 bytes exceeds the limit of 65536 bytes in Unknown on line 0"',
    ],
    [
      'gunicorn',
      '[2026-11-21 10:52:04 +0000] [12] [DEBUG] Invalid request from ip=10.0.0.1: Request Line is too large (8192 > 4094)',
    ],
  ])('%s: %s', (kind, line) => {
    expect(parseAppLog(kind, line, {}).map((l) => l.signal)).toEqual(['request-too-large']);
  });
});

describe('parseAppLog: windowing and time zones', () => {
  const fpm = [
    '[21-Nov-2026 09:00:00] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it',
    'PHP Warning:  something without a date',
    '[21-Nov-2026 10:52:04] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it',
  ].join('\n');

  it('drops lines before sinceMs, in the host zone (php-fpm logs local time)', () => {
    const since = Date.UTC(2026, 10, 21, 9, 30, 0);
    expect(parseAppLog('php-fpm', fpm, { sinceMs: since, utcOffsetMinutes: 0 })).toHaveLength(1);
    // At UTC+2, 10:52 local is 08:52 UTC: before the window too.
    expect(parseAppLog('php-fpm', fpm, { sinceMs: since, utcOffsetMinutes: 120 })).toHaveLength(0);
  });

  it('dates journald short lines (no year) from the window start', () => {
    const line =
      'Nov 21 10:52:04 web1 gunicorn[123]: [2026-11-21 10:52:04 +0000] [123] [CRITICAL] WORKER TIMEOUT (pid:456)';
    const [out] = parseAppLog('gunicorn', line, { sinceMs: Date.UTC(2026, 10, 21, 10, 0, 0) });
    expect(out).toEqual({ signal: 'worker-timeout', line, timeMs: Date.UTC(2026, 10, 21, 10, 52, 4) });
    // A December line read in early January belongs to the previous year.
    expect(appLogTimeMs('Dec 31 23:59:00 web1 app[1]: x', 0, Date.UTC(2027, 0, 1, 0, 30))).toBe(
      Date.UTC(2026, 11, 31, 23, 59, 0),
    );
  });

  it('returns nothing for 10 MB of unrelated lines', () => {
    const text = '[2026-11-21 10:52:04 +0000] [123] [INFO] GET /api/items 200 in 12ms\n'.repeat(150_000);
    expect(parseAppLog('unknown', text, {})).toEqual([]);
  });
});
