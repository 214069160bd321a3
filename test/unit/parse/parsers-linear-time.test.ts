/**
 * Every parser and signature reads text that strangers control (request lines, headers, process
 * names, app logs, config files): fed random and adversarial text up to 1 MiB a line, none may throw
 * or take long (issue 15, "Parsers in linear time"). The bound is generous (a linear parser takes a
 * few ms per MiB here); a quadratic regex takes tens of seconds on such a line.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { APP_SIGNATURES } from '../../../src/parse/app-signatures.js';
import { classifyEntry, classifyText } from '../../../src/parse/classify-signature.js';
import { compileLogFormat, matchLogFormat } from '../../../src/parse/log-format.js';
import { parseConfigText } from '../../../src/parse/nginx-tokenize.js';
import { parseAccessLine, parseAccessLog } from '../../../src/parse/parse-access-log.js';
import { appLogTimeMs, parseAppLog } from '../../../src/parse/parse-app-log.js';
import { parseErrorLog, parseErrorLogLine } from '../../../src/parse/parse-error-log.js';
import { kernelLineTimeMs, parseKernelLog } from '../../../src/parse/parse-kernel-log.js';
import { parseNginxConfig, parseNginxTestOutput } from '../../../src/parse/parse-nginx-config.js';
import { redact } from '../../../src/parse/redact.js';
import { parseIsoTime, parseUtcOffset } from '../../../src/parse/time.js';

const MIB = 1 << 20;
/** Per call on up to 1 MiB: generous (CI under load), far below what a quadratic pattern costs. */
const BOUND_MS = 3000;

/**
 * Pieces of the formats the parsers look for: a run of one of them is what makes a backtracking
 * pattern retry at every position (`FATAL ERROR: FATAL ERROR: …`, `"` and `\` in quoted fields,
 * `${` in configs, `key=` in redaction).
 */
const FRAGMENTS = [
  'FATAL ERROR: ',
  'unable to bind listening socket for address ',
  'uWSGI listen queue of socket ',
  'AH00052: child pid 1 exit signal ',
  'AH00489: ',
  'Listening on ',
  'request 1 bytes ',
  'child 1 exited ',
  'DAMN ! worker 1 (pid: 1) ',
  ' [error] 1#1: *1 ',
  'upstream prematurely closed connection ',
  'connect() failed (111: Connection refused) while connecting to upstream, ',
  'client: 10.0.0.1, server: a, request: "GET / HTTP/1.1", upstream: "http://1.2.3.4:80/", host: "a"',
  ', ',
  '"',
  '\\',
  '\\"',
  "'",
  '[',
  ']',
  '{',
  '}',
  '${',
  ';',
  '#',
  'include ',
  '# configuration file /etc/nginx/a.conf:\n',
  'password=',
  'token: ',
  'Authorization: Bearer ',
  'Cookie: a=',
  'https://u:',
  '@',
  '"password":"',
  'eyJhbGciOi.',
  'xoxb-',
  '=',
  ':',
  ' ',
  '\t',
  '0',
  '1',
  'a',
  '.',
  '-',
  '2026-11-21T10:52:04',
  '[21-Nov-2026 10:52:04] ',
  'Sat Nov 21 10:52:04 2026 ',
  'Killed process 1 (',
  'task=',
  ',pid=1',
  'segfault at ',
  '\x1b[',
  '\u0000',
  '\u202e',
  '🔥',
];

/** One line (no LF) of 1 KiB to 1 MiB: a few fragments repeated, or random characters. */
const hostileLine = fc.oneof(
  fc
    .record({
      parts: fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 4 }),
      size: fc.integer({ min: 1024, max: MIB }),
    })
    .map(({ parts, size }) => {
      const unit = parts.join('').replace(/\n/g, ' ');
      return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
    }),
  fc.string({ unit: 'binary', minLength: 0, maxLength: 4096 }).map((s) => s.replace(/\n/g, ' ')),
);

/** Many lines of the same kind. */
const hostileText = fc.array(hostileLine, { minLength: 1, maxLength: 3 }).map((lines) => lines.join('\n'));

function timed(name: string, fn: () => unknown): void {
  const t = performance.now();
  fn();
  const ms = performance.now() - t;
  expect(ms, `${name} took ${Math.round(ms)} ms`).toBeLessThan(BOUND_MS);
}

const PARSERS: Record<string, (text: string) => unknown> = {
  'error log': (t) => parseErrorLog(t),
  'error log line': (t) => parseErrorLogLine(t),
  'access log (combined)': (t) => parseAccessLog(t),
  'access log line (upstream format)': (t) =>
    parseAccessLine(
      t,
      '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" ua="$upstream_addr" us="$upstream_status" rt=$request_time urt="$upstream_response_time"',
    ),
  'log_format compiled from the text': (t) => matchLogFormat(compileLogFormat(t.slice(0, 4096)), t),
  'kernel log': (t) => parseKernelLog(t, { referenceMs: Date.UTC(2026, 10, 21), bootTimeMs: 0 }),
  'kernel line time': (t) => kernelLineTimeMs(t, { referenceMs: Date.UTC(2026, 10, 21) }),
  'nginx config (nginx -T)': (t) => parseNginxConfig(t),
  'nginx config tokenizer': (t) => parseConfigText(t, '/etc/nginx/nginx.conf'),
  'nginx -t output': (t) => parseNginxTestOutput(t),
  'time (ISO, offset)': (t) => [parseIsoTime(t), parseUtcOffset(t)],
  redaction: (t) => redact(t),
  'classify signature': (t) => classifyText(t),
  'classify entry': (t) =>
    classifyEntry({ level: 'error', message: t, raw: t, timestamp: '2026/11/21 10:52:04' } as never),
  'app log time': (t) => appLogTimeMs(t, 0, Date.UTC(2026, 10, 21)),
  ...Object.fromEntries(
    ['php-fpm', 'gunicorn', 'uwsgi', 'puma', 'node', 'apache', 'unknown'].map((kind) => [
      `app log (${kind})`,
      (t: string) => parseAppLog(kind, t, { sinceMs: 0 }),
    ]),
  ),
};

describe('every parser reads hostile text in linear time, without throwing', () => {
  for (const [name, parse] of Object.entries(PARSERS)) {
    it(name, { timeout: 120_000 }, () => {
      fc.assert(
        fc.property(hostileText, (text) => {
          timed(name, () => parse(text));
        }),
        { numRuns: 12 },
      );
    });
  }

  it('every parser, on a 1 MiB line of each fragment repeated', { timeout: 300_000 }, () => {
    for (const fragment of FRAGMENTS) {
      const unit = fragment.replace(/\n/g, ' ');
      const line = unit.repeat(Math.ceil(MIB / unit.length)).slice(0, MIB);
      for (const [name, parse] of Object.entries(PARSERS))
        timed(`${name} on ${JSON.stringify(unit)}…`, () => parse(line));
    }
  });

  it('each app signature alone, on a line of its own fragments repeated to 1 MiB', {
    timeout: 120_000,
  }, () => {
    for (const [kind, list] of Object.entries(APP_SIGNATURES)) {
      for (const sig of list) {
        // The literal text before the first quantifier, repeated: the worst case of an unanchored `.*`.
        const head = sig.pattern.source.replace(/\\(.)/g, '$1').split(/[.([|?*+{\\]/)[0] ?? 'x';
        const line = `${head} `.repeat(Math.ceil(MIB / (head.length + 1))).slice(0, MIB);
        timed(`${kind} ${sig.signal} /${sig.pattern.source.slice(0, 40)}/`, () => parseAppLog(kind, line));
      }
    }
  });
});

describe('a hostile app-log line costs a diagnosis little', () => {
  const crash = '[2026-11-21 10:14:58 +0000] [811] [CRITICAL] WORKER TIMEOUT (pid:812)';
  const hostile =
    `[2026-11-21 10:14:59 +0000] [811] [ERROR] FATAL ERROR: ${'FATAL ERROR: unable to bind listening socket for address '.repeat(8000)}`.slice(
      0,
      400_000,
    );

  it('a 400 KB line adds under a second, and the signature line after it is still found', () => {
    const started = performance.now();
    const lines = parseAppLog('unknown', `${hostile}\n${crash}\n`, { sinceMs: 0 });
    const evidence = lines.map((l) => redact(l.line));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(lines.map((l) => l.signal)).toEqual(['worker-timeout']);
    expect(evidence[0]).toBe(crash);
  });

  it('a long signature line is quoted up to what was read, and says what was not', () => {
    const line = `[21-Nov-2026 10:52:04] WARNING: [pool www] server reached pm.max_children setting (5) ${'x'.repeat(MIB)}`;
    const [found] = parseAppLog('php-fpm', line, { sinceMs: 0 });
    expect(found?.signal).toBe('pool-max-children');
    expect(found?.line.length).toBeLessThan(4200);
    expect(found?.line).toMatch(/… \[\d+ more characters not read\]$/);
  });
});
