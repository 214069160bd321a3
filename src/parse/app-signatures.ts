import type { AppSignal } from './types.js';

/**
 * App-server log signatures (catalog section 9, C08–C11, C27). Strings are the servers' own
 * format strings: php-fpm `fpm_process_ctl.c`/`fpm_request.c`/`fpm_children.c`, gunicorn
 * `arbiter.py`, uWSGI `core/master*.c`/`proto/uwsgi.c`, puma `cluster.rb`, Node.js, Apache httpd
 * AH codes, plus systemd's own lines seen in `journalctl -u <unit>`. First match wins per line.
 *
 * App logs are hostile text (a request path, a header, anything the app echoes). Every pattern runs
 * in linear time: no unbounded `.*` between two literals (a line of `FATAL ERROR: ` repeated made
 * `FATAL ERROR: .*(?:heap …)` retry the rest of the line at each repeat: 35 s on 1 MiB), only
 * bounded gaps (`.{0,200}?`), and parse-app-log.ts reads at most SIGNATURE_CHARS of a line.
 */
export interface AppSignature {
  signal: AppSignal;
  pattern: RegExp;
  /**
   * When the matching line only marks the end of a multi-line entry (Node's `Node.js v20.1.0`
   * after an uncaught exception), the line of the same entry to report instead: the one that says what
   * happened. Searched backwards, not past the entry's timestamped first line.
   */
  context?: RegExp;
}

/**
 * Dated lines that stamp a log rather than start an entry: puma's `=== puma startup: 2026-12-07
 * 16:16:34 +0000 ===` banner is the only time its log carries, and the undated lines after it
 * (a timed-out worker, a re-boot) happen at any time later, not at the start.
 */
export const LOG_STAMP = /=== puma (?:startup|shutdown): \d{4}-/;

/** Signal numbers of a crash (SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV); 9 is the OOM killer's. */
const CRASH_SIGNALS = '(?:4|5|6|7|8|11)';

export const APP_SIGNATURES: Record<string, readonly AppSignature[]> = {
  'php-fpm': [
    { signal: 'pool-max-children', pattern: /server reached (?:pm\.)?max_children setting \(\d+\)/ },
    { signal: 'worker-timeout', pattern: /execution timed out \([\d.]+ sec\), terminating/ },
    { signal: 'worker-oom', pattern: /child \d+ exited on signal 9\b/ },
    {
      signal: 'worker-killed-signal',
      pattern: new RegExp(`child \\d+ exited on signal ${CRASH_SIGNALS}\\b`),
    },
    { signal: 'crash', pattern: /child \d+ exited with code [1-9]\d*/ },
    {
      signal: 'address-in-use',
      pattern: /unable to bind listening socket for address .{1,300}?Address already in use/,
    },
    { signal: 'started', pattern: /ready to handle connections|fpm is running, pid \d+/ },
    { signal: 'stopped', pattern: /NOTICE: (?:Terminating|exiting, bye-bye|Finishing)/ },
  ],
  gunicorn: [
    { signal: 'worker-timeout', pattern: /WORKER TIMEOUT \(pid:\d+\)/ },
    {
      signal: 'worker-oom',
      pattern: /was sent SIGKILL!|Worker with pid \d+ was terminated due to signal 9\b/,
    },
    {
      signal: 'worker-killed-signal',
      // SIGTERM/SIGINT/SIGQUIT/SIGHUP are graceful stops and reloads (gunicorn 21 logs them too).
      pattern:
        /Worker \(pid:\d+\) was sent SIG(?:SEGV|ABRT|BUS|ILL|FPE|TRAP)!|Worker with pid \d+ was terminated due to signal (?:4|5|6|7|8|11)\b/,
    },
    {
      signal: 'crash',
      pattern: /Worker \(pid:\d+\) exited with code [1-9]|Worker failed to boot|Reason: App failed to load/,
    },
    { signal: 'address-in-use', pattern: /Connection in use: / },
    { signal: 'started', pattern: /Booting worker with pid: \d+|Listening at: / },
    { signal: 'stopped', pattern: /Shutting down: Master|Handling signal: (?:term|int|quit)/ },
  ],
  uwsgi: [
    { signal: 'worker-timeout', pattern: /HARAKIRI ON WORKER \d+|HARAKIRI triggered by worker/ },
    { signal: 'listen-queue-full', pattern: /uWSGI listen queue of socket .{1,300}? full !!!/ },
    { signal: 'worker-oom', pattern: /DAMN ! worker \d+ \(pid: \d+\) died, killed by signal 9\b/ },
    { signal: 'worker-killed-signal', pattern: /DAMN ! worker \d+ \(pid: \d+\) died, killed by signal \d+/ },
    // uWSGI catches SIGSEGV itself (a backtrace, then the worker exits and the master says "died :(").
    { signal: 'worker-killed-signal', pattern: /!!! uWSGI process \d+ got Segmentation Fault !!!/ },
    { signal: 'crash', pattern: /DAMN ! worker \d+ \(pid: \d+\) died :\(/ },
    { signal: 'request-too-large', pattern: /invalid request block size: \d+ \(max \d+\)/ },
    { signal: 'address-in-use', pattern: /bind\(\): Address already in use/ },
    { signal: 'started', pattern: /spawned uWSGI worker \d+/ },
    { signal: 'stopped', pattern: /goodbye to uWSGI|SIGINT\/SIGQUIT received\.\.\.killing workers/ },
  ],
  puma: [
    { signal: 'worker-timeout', pattern: /Terminating timed out worker/ },
    { signal: 'crash', pattern: /Puma caught this error|Early termination of worker/ },
    { signal: 'address-in-use', pattern: /Address already in use/ },
    { signal: 'started', pattern: /Worker \d+ \(PID: \d+\) booted|Listening on |Use Ctrl-C to stop/ },
    { signal: 'stopped', pattern: /Gracefully stopping|=== puma shutdown/ },
  ],
  node: [
    { signal: 'crash', pattern: /FATAL ERROR: .{0,200}?(?:heap out of memory|Allocation failed)/ },
    {
      // Node >= 18 ends the trace of an uncaught exception, printed just before it exits, with its
      // version: the process died of it. The thrown error's own line is the one worth quoting.
      signal: 'crash',
      pattern: /^Node\.js v\d+\.\d+\.\d+\s*$/,
      context: /^(?:Uncaught )?(?:[A-Z]\w*)?(?:Error|Exception)(?: \[\w+\])?: /,
    },
    { signal: 'address-in-use', pattern: /EADDRINUSE/ },
    {
      signal: 'crash',
      pattern:
        /Uncaught(?:Exception| exception)|uncaughtException|UnhandledPromiseRejection|Unhandled promise rejection|throw er; \/\/ Unhandled 'error' event|exited with code \[[1-9]\d*\]/,
    },
    { signal: 'started', pattern: /App \[[^\]]+\] online|[Ll]istening on (?:port )?[\w.:[\]]*\d/ },
  ],
  apache: [
    { signal: 'pool-max-children', pattern: /AH0(?:0484|0161): server reached MaxRequestWorkers/ },
    // mod_cgid (2.4.71 prints no AH code here) and mod_cgi (AH01220): a script past `Timeout`.
    {
      signal: 'worker-timeout',
      pattern:
        /Script timed out before returning headers|AH01220: Timeout waiting for output from CGI script/,
    },
    { signal: 'worker-oom', pattern: /AH00052: child pid \d+ exit signal Killed \(9\)/ },
    { signal: 'worker-killed-signal', pattern: /AH00052: child pid \d+ exit signal [\w ]{1,40} \(\d+\)/ },
    { signal: 'address-in-use', pattern: /Address already in use|AH00072: make_sock: could not bind/ },
    // AH00489 from mpm_event and mpm_worker, AH00163 from mpm_prefork (both captured from 2.4.71).
    { signal: 'started', pattern: /AH00(?:489|163): .{1,200}? configured -- resuming normal operations/ },
    { signal: 'stopped', pattern: /AH00(?:169|491): caught SIGTERM, shutting down|AH00492: caught SIGWINCH/ },
  ],
  /**
   * Request-size rejections in every server's own words, checked for every kind (catalog C27):
   * body-parser `PayloadTooLargeError: request entity too large`, Go `http: request body too large`,
   * PHP `POST Content-Length of 262144 bytes exceeds the limit of 65536 bytes`, gunicorn
   * `Request Line is too large (8192 > 4094)`, and the same sentence shape in an app's own log.
   */
  any: [
    {
      signal: 'request-too-large',
      // No `i` flag: the parser joins every pattern into one pre-filter, which would drop it.
      pattern:
        /PayloadTooLargeError|[Rr]equest [Ee]ntity [Tt]oo [Ll]arge|[Rr]equest body too large|Request Line is too large|(?:[Rr]equest|[Bb]ody|[Pp]ayload|[Uu]pload|[Cc]ontent-[Ll]ength)\b.{0,40}?\b\d+ bytes\b.{0,20}?\b(?:exceeds|is over|is above|is larger than) the (?:\w+ )?limit/,
    },
  ],
  /** systemd's lines about the unit, present in `journalctl -u` output for every kind. */
  systemd: [
    { signal: 'worker-oom', pattern: /Failed with result 'oom-kill'|code=killed, status=9\/KILL/ },
    { signal: 'worker-killed-signal', pattern: /code=(?:killed|dumped), status=(?:4|5|6|7|8|11)\/[A-Z]+/ },
    { signal: 'crash', pattern: /code=exited, status=[1-9]\d*\/|Failed with result 'exit-code'/ },
    { signal: 'started', pattern: /systemd\[1\]: Started / },
    { signal: 'stopped', pattern: /systemd\[1\]: (?:Stopping|Stopped) / },
  ],
};
