import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAppLog } from '../../../src/parse/parse-app-log.js';

/**
 * App-server signatures against logs captured from the real servers (Debian 12 packages, run on this
 * machine; how each was made is in the fixture's header): a killed worker, a timed-out worker and an
 * overloaded pool must each give their own signal, so that the diagnosis can tell them apart.
 */
function captured(file: string): string {
  return readFileSync(new URL(`./fixtures/app-logs/${file}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('# '))
    .join('\n');
}

const signals = (kind: string, file: string): string[] =>
  parseAppLog(kind, captured(file)).map((l) => `${l.signal}: ${l.line}`);

describe('uWSGI 2.0.21 (uwsgi-core, python3 plugin)', () => {
  const got = signals('uwsgi', 'uwsgi-2.0.21.log.txt');

  it('a worker killed with SIGKILL: "killed by signal 9"', () => {
    expect(got).toContain(
      'worker-oom: DAMN ! worker 1 (pid: 23042) died, killed by signal 9 :( trying respawn ...',
    );
  });

  it('a worker that segfaults: uWSGI catches the signal, then the worker "died" without one', () => {
    expect(got).toContain('worker-killed-signal: !!! uWSGI process 23043 got Segmentation Fault !!!');
    expect(got).toContain('crash: DAMN ! worker 2 (pid: 23043) died :( trying respawn ...');
  });

  it('a timed-out worker: HARAKIRI, then the SIGKILL that carries it out', () => {
    const i = got.indexOf(
      'worker-timeout: Mon Dec  7 16:15:19 2026 - *** HARAKIRI ON WORKER 1 (pid: 23071, try: 1) ***',
    );
    expect(i).toBeGreaterThanOrEqual(0);
    expect(got[i + 1]).toBe(
      'worker-oom: DAMN ! worker 1 (pid: 23071) died, killed by signal 9 :( trying respawn ...',
    );
  });

  it('an overloaded pool: the listen queue is full', () => {
    expect(got.filter((l) => l.startsWith('listen-queue-full: '))).toEqual([
      'listen-queue-full: Mon Dec  7 16:15:22 2026 - *** uWSGI listen queue of socket "127.0.0.1:18932" (fd: 5) full !!! (5/4) ***',
      'listen-queue-full: Mon Dec  7 16:15:23 2026 - *** uWSGI listen queue of socket "127.0.0.1:18932" (fd: 5) full !!! (5/4) ***',
      'listen-queue-full: Mon Dec  7 16:15:26 2026 - *** uWSGI listen queue of socket "127.0.0.1:18932" (fd: 5) full !!! (5/4) ***',
    ]);
  });

  it('start and stop', () => {
    expect(got).toContain('started: spawned uWSGI worker 1 (pid: 23042, cores: 1)');
    expect(got).toContain('stopped: goodbye to uWSGI.');
  });

  it('the dated lines carry their time (local time without a zone)', () => {
    const harakiri = parseAppLog('uwsgi', captured('uwsgi-2.0.21.log.txt')).find(
      (l) => l.signal === 'worker-timeout',
    );
    expect(harakiri?.timeMs).toBe(Date.UTC(2026, 11, 7, 16, 15, 19));
  });
});

describe('puma 5.6.5 (cluster mode)', () => {
  const got = signals('puma', 'puma-5.6.5.log.txt');

  it('a timed-out worker: "Terminating timed out worker"', () => {
    expect(got).toContain(
      'worker-timeout: [25998] ! Terminating timed out worker (worker failed to check in within 6 seconds): 26010',
    );
  });

  it("a killed worker: puma logs no death, only the worker's re-boot under the same master and phase", () => {
    expect(got.filter((l) => !l.startsWith('started: ') && !l.startsWith('stopped: '))).toEqual([
      'crash: [25998] - Worker 0 (PID: 26071) booted in 0.0s, phase: 0',
      'worker-timeout: [25998] ! Terminating timed out worker (worker failed to check in within 6 seconds): 26010',
    ]);
    // The re-boot after the master's own kill of a timed-out worker is no death of its own.
    expect(got).toContain('started: [25998] - Worker 1 (PID: 26097) booted in 0.01s, phase: 0');
    expect(got).toContain('stopped: [25998] === puma shutdown: 2026-12-07 16:18:06 +0000 ===');
  });

  it('a full backlog leaves no line at all (nginx says EAGAIN on the unix socket)', () => {
    expect(got.filter((l) => /^(pool-max-children|listen-queue-full): /.test(l))).toEqual([]);
  });
});

describe("puma 5.6.5 with the lab's config (lab/apps/puma.rb), two runs", () => {
  const text = captured('puma-5.6.5-lab.log.txt');
  const got = parseAppLog('puma', text).map((l) => `${l.signal}: ${l.line}`);

  it('each run: the first boots are starts, a re-boot after SIGKILL a crash, the master restarting forgets its workers', () => {
    expect(got.filter((l) => !l.startsWith('started: ') && !l.startsWith('stopped: '))).toEqual([
      'crash: [30851] - Worker 0 (PID: 30941) booted in 0.1s, phase: 0',
      'worker-timeout: [30851] ! Terminating timed out worker (worker failed to check in within 6 seconds): 30860',
      'crash: [31173] - Worker 0 (PID: 31265) booted in 0.01s, phase: 0',
    ]);
  });

  it("the startup banner dates nothing after it: a worker's death long after the start is in a window that begins later", () => {
    // The second run started at 18:14:31; a window from 18:14:32 still holds its re-boot after a death.
    const since = Date.UTC(2026, 11, 7, 18, 14, 32);
    const inWindow = parseAppLog('puma', text, { sinceMs: since }).map((l) => `${l.signal}: ${l.line}`);
    expect(inWindow.filter((l) => l.startsWith('crash: ') || l.startsWith('worker-timeout: '))).toEqual([
      'crash: [31173] - Worker 0 (PID: 31265) booted in 0.01s, phase: 0',
    ]);
    // What the first run logged is above the second run's banner (18:14:31), older than the window.
    expect(inWindow.join('\n')).not.toContain('[30851]');
  });
});

describe('Apache 2.4.71 (mpm_event, mod_cgid)', () => {
  const got = signals('apache', 'apache-2.4.71.log.txt');

  it('a timed-out script: mod_cgid gives up at Timeout', () => {
    expect(got).toContain(
      'worker-timeout: [Mon Dec 07 16:20:52.548947 2026] [cgid:error] [pid 8655:tid 8657] [client 127.0.0.1:56172] Script timed out before returning headers: slow.sh',
    );
  });

  it('an overloaded pool: MaxRequestWorkers reached', () => {
    expect(got).toContain(
      'pool-max-children: [Mon Dec 07 16:20:54.544920 2026] [mpm_event:error] [pid 8653:tid 8653] AH00484: server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting',
    );
  });

  it('a killed worker child: AH00052 with the signal', () => {
    expect(got).toContain(
      'worker-killed-signal: [Mon Dec 07 16:21:07.557585 2026] [core:notice] [pid 8653:tid 8653] AH00052: child pid 8655 exit signal Segmentation fault (11)',
    );
  });

  it('start and stop (AH00489, AH00491)', () => {
    expect(got.filter((l) => /^(started|stopped): /.test(l)).map((l) => l.split(': ')[0])).toEqual([
      'started',
      'stopped',
    ]);
  });
});

describe("Apache 2.4.71 (mpm_prefork, mod_cgi) with the lab's config", () => {
  const got = signals('apache', 'apache-2.4.71-prefork.log.txt');

  it('each state its own signal: a child killed by SIGSEGV, a CGI script stopped at Timeout, MaxRequestWorkers', () => {
    expect(got).toEqual([
      'started: [Mon Dec 07 18:23:42.739470 2026] [mpm_prefork:notice] [pid 22263:tid 22263] AH00163: Apache/2.4.71 (Debian) configured -- resuming normal operations',
      'pool-max-children: [Mon Dec 07 18:23:44.741737 2026] [mpm_prefork:error] [pid 22263:tid 22263] AH00161: server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting',
      'worker-killed-signal: [Mon Dec 07 18:23:44.741826 2026] [core:notice] [pid 22263:tid 22263] AH00052: child pid 22266 exit signal Segmentation fault (11)',
      'worker-timeout: [Mon Dec 07 18:23:46.825804 2026] [cgi:warn] [pid 22265:tid 22265] [client 127.0.0.1:39788] AH01220: Timeout waiting for output from CGI script /usr/local/etc/lab/apps/cgi/lab.cgi',
      'worker-timeout: [Mon Dec 07 18:23:46.825856 2026] [cgi:error] [pid 22265:tid 22265] [client 127.0.0.1:39788] Script timed out before returning headers: lab.cgi',
      'stopped: [Mon Dec 07 18:23:56.016562 2026] [mpm_prefork:notice] [pid 22263:tid 22263] AH00169: caught SIGTERM, shutting down',
    ]);
  });
});
