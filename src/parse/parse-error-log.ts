import { classifyEntry } from './classify-signature.js';
import { wallClockToEpochMs } from './time.js';
import type { ErrorLogEntry, LogLevel } from './types.js';

/**
 * nginx error-log parser, catalog section 1. A line is built by `ngx_log_error_core()`
 * (src/core/ngx_log.c) and `ngx_http_log_error()` (src/http/ngx_http_request.c):
 *
 *   <ts> [<level>] <pid>#<tid>: [*<conn> ]<message>[ (<errno>: <text>)][ while <action>]
 *     [, client: ..][, server: ..][, request: ".."][, subrequest: ".."][, upstream: ".."]
 *     [, host: ".."][, referrer: ".."]
 *
 * The message and the request line can hold commas, quotes and "while", so the suffix fields are
 * peeled right-to-left, then the action, then the trailing errno (the catalog's reference parser).
 */

const HEAD_RE =
  /^(\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d) \[(emerg|alert|crit|error|warn|notice|info|debug)\] (\d+)#(\d+): (?:\*(\d+) )?/;
const TIMESTAMP_RE = /\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[/;
/** Docker/journald/Kubernetes prefixes are short; never look deeper (PHP output can quote a date). */
const MAX_PREFIX = 256;
/**
 * One nginx entry is at most NGX_MAX_ERROR_STR (2048) bytes, even with embedded newlines; anything
 * longer that keeps "continuing" is not nginx output. Cap the joined entry to stay linear.
 */
const MAX_ENTRY_CHARS = 16_384;

/** Quoted suffix fields in the reverse of the order nginx appends them. */
const QUOTED = ['referrer', 'host', 'upstream', 'subrequest', 'request'] as const;
/** Unquoted suffix fields (no commas inside), peeled after the quoted ones. */
const UNQUOTED = ['server', 'client', 'resolver'] as const;
type SuffixKey = (typeof QUOTED)[number] | (typeof UNQUOTED)[number];
const ALL_KEYS: readonly SuffixKey[] = [...UNQUOTED, ...QUOTED];

/** Every suffix marker, for recognising a tail cut in the middle of a key at 2048 bytes. */
const MARKERS: readonly string[] = [...QUOTED.map((k) => ` ${k}: "`), ...UNQUOTED.map((k) => ` ${k}: `)];

/** `log->action` strings from the nginx sources (catalog 1.1 item 7 and the reference parser). */
const ACTIONS = [
  'connecting to upstream',
  'SSL handshaking to upstream',
  'sending request to upstream',
  'reading response header from upstream',
  'reading upstream',
  'sending to client',
  'proxying upgraded connection',
  'sending early hints to client',
  'SSL handshaking',
  'reading client request headers',
  'reading client request line',
  'reading client request body',
  'reading client request',
  'waiting for request',
  'closing request',
  'sending response to client',
  'reading PROXY protocol',
  'resolving',
  'sending request body to upstream',
  'reading client pipelined request line',
] as const;
/** Third-party modules set other actions: accept a short lowercase phrase as a fallback. */
const FALLBACK_ACTION_RE = / while ([a-zA-Z][a-zA-Z0-9 ]{2,60})$/;
const ERRNO_TAIL_RE = /^ \((\d+): ([^()]*)\)$/;
/** `upstream` without its URI: `scheme://host:port`, `scheme://[v6]:port`, `scheme://unix:/path`.
 * nginx 1.22 writes a unix socket's `:` before the URI on most lines (`http://unix:/run/a.sock:/x`)
 * but not on a timeout's (`upstream timed out ... upstream: "http://unix:/run/a.sock/x"`, seen in
 * the lab's puma scenarios): there the request's own target, when the upstream ends with it, is the URI.
 */
const PEER_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/(?:unix:[^:]*|\[[^\]]*\](?::\d+)?|[^/]+))/;
const UNIX_UPSTREAM_RE = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/unix:\//;

function upstreamPeer(upstream: string, request: string | undefined): string {
  const target = request?.split(' ')[1];
  if (target?.startsWith('/') && UNIX_UPSTREAM_RE.test(upstream) && upstream.endsWith(target)) {
    const head = upstream.slice(0, upstream.length - target.length);
    if (!head.endsWith(':') && !head.endsWith('unix:')) return head;
  }
  return PEER_RE.exec(upstream)?.[1] ?? upstream;
}

// Continuation-line prefixes, stripped only when the head line had a prefix too.
const SYSLOG_PREFIX_RE = /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ ([^\s:[]+)(?:\[\d+\])?: /;
const ISO_PREFIX_RE =
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)? (?:(?:stdout|stderr) [FP] |\S+ ([^\s:[]+)(?:\[\d+\])?: )?/;
const DOCKER_PREFIX_RE = /^[\w.-]+\s*\| /;

/** Index of the nginx timestamp in `line` (after a docker/journald/k8s prefix), or -1. */
function headStart(line: string): number {
  if (HEAD_RE.test(line)) return 0;
  const m = TIMESTAMP_RE.exec(line.length > MAX_PREFIX + 24 ? line.slice(0, MAX_PREFIX + 24) : line);
  if (!m) return -1;
  return HEAD_RE.test(line.slice(m.index)) ? m.index : -1;
}

/** Parses one entry (a single line, or an entry with its continuation lines already joined). */
export function parseErrorLogLine(line: string): ErrorLogEntry | undefined {
  const text = line.endsWith('\n') ? line.slice(0, line.endsWith('\r\n') ? -2 : -1) : line;
  const start = headStart(text);
  if (start < 0) return undefined;
  return parseEntry(start === 0 ? text : text.slice(start), text);
}

/**
 * Parses a whole error log. Lines that do not start with a timestamp continue the previous entry
 * (`FastCGI sent in stderr: "..."` carries PHP output verbatim, newlines included); lines before
 * the first entry are dropped.
 */
export function parseErrorLog(text: string): ErrorLogEntry[] {
  const entries: ErrorLogEntry[] = [];
  let raw: string[] = [];
  let body: string[] = [];
  let prefix = '';
  let chars = 0;
  const flush = (): void => {
    // A trailing blank line (end of file, or between entries) is not part of the entry.
    while (body.length > 1 && body[body.length - 1] === '') {
      body.pop();
      raw.pop();
    }
    if (body.length === 0) return;
    const entry = parseEntry(body.join('\n'), raw.join('\n'));
    if (entry) entries.push(entry);
    raw = [];
    body = [];
  };
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const start = headStart(line);
    if (start >= 0) {
      flush();
      prefix = line.slice(0, start);
      raw.push(line);
      body.push(start === 0 ? line : line.slice(start));
      chars = line.length;
      continue;
    }
    if (body.length === 0 || chars + line.length > MAX_ENTRY_CHARS) continue;
    const cont = continuation(line, prefix);
    if (cont === undefined) continue;
    raw.push(line);
    body.push(cont);
    chars += line.length + 1;
  }
  flush();
  return entries;
}

/**
 * The text of a continuation line, or `undefined` when it visibly belongs to another source
 * (another journald identifier or compose service interleaved with nginx's output).
 */
function continuation(line: string, headPrefix: string): string | undefined {
  if (headPrefix === '') return line;
  if (line.startsWith(headPrefix)) return line.slice(headPrefix.length);
  const sys = SYSLOG_PREFIX_RE.exec(line);
  if (sys) {
    const headIdent = SYSLOG_PREFIX_RE.exec(headPrefix)?.[1] ?? ISO_PREFIX_RE.exec(headPrefix)?.[1];
    return headIdent === sys[1] ? line.slice(sys[0].length) : undefined;
  }
  const iso = ISO_PREFIX_RE.exec(line);
  if (iso) {
    const headIdent = ISO_PREFIX_RE.exec(headPrefix)?.[1] ?? SYSLOG_PREFIX_RE.exec(headPrefix)?.[1];
    return iso[1] === undefined || headIdent === iso[1] ? line.slice(iso[0].length) : undefined;
  }
  if (DOCKER_PREFIX_RE.test(line)) return undefined;
  return line;
}

function parseEntry(body: string, raw: string): ErrorLogEntry | undefined {
  const h = HEAD_RE.exec(body);
  if (!h) return undefined;
  const entry: ErrorLogEntry = {
    raw,
    timestamp: h[1] ?? '',
    level: (h[2] ?? 'error') as LogLevel,
    pid: Number(h[3]),
    tid: Number(h[4]),
    message: '',
  };
  if (h[5] !== undefined) entry.connection = Number(h[5]);
  let rest = body.slice(h[0].length);

  const fields: Partial<Record<SuffixKey, string>> = {};
  const cut = cutTruncatedTail(rest, fields);
  rest = cut.rest;
  let truncated = cut.truncated;

  // Right-to-left: `, key: "value"` (rightmost marker) while the tail still ends with a quote.
  for (const key of QUOTED) {
    if (fields[key] !== undefined || !rest.endsWith('"')) continue;
    const marker = `, ${key}: "`;
    const i = rest.lastIndexOf(marker);
    if (i >= 0 && i + marker.length <= rest.length - 1) {
      fields[key] = rest.slice(i + marker.length, -1);
      rest = rest.slice(0, i);
    }
  }
  for (const key of UNQUOTED) {
    const marker = `, ${key}: `;
    const i = rest.lastIndexOf(marker);
    if (i >= 0 && rest.indexOf(',', i + 2) < 0) {
      fields[key] = rest.slice(i + marker.length);
      rest = rest.slice(0, i);
    }
  }

  const action = peelAction(rest);
  if (action) {
    entry.action = action.action;
    rest = action.rest;
  }
  if (rest.endsWith(')')) {
    const k = rest.lastIndexOf(' (');
    const m = k >= 0 ? ERRNO_TAIL_RE.exec(rest.slice(k)) : null;
    if (m) {
      entry.errno = Number(m[1]);
      entry.errtext = m[2] ?? '';
      rest = rest.slice(0, k);
      // ngx_log_errno() writes "..." before the errno when the message filled the buffer.
      if (rest.endsWith('...')) truncated = true;
    }
  }
  entry.message = rest;

  for (const key of ALL_KEYS) {
    const v = fields[key];
    if (v !== undefined) entry[key] = v;
  }
  if (entry.upstream !== undefined) entry.upstreamPeer = upstreamPeer(entry.upstream, entry.request);
  if (truncated) entry.truncated = true;

  const c = classifyEntry(entry);
  if (c) {
    entry.signature = c.id;
    if (c.status !== undefined) entry.status = c.status;
  }
  return entry;
}

/**
 * A 2048-byte cut (NGX_MAX_ERROR_STR) leaves either an open quoted value (`, request: "GET /very/lo`)
 * or part of a key (`, upstr`). Keeps the open value as a (truncated) field and drops a partial key.
 */
function cutTruncatedTail(
  rest: string,
  fields: Partial<Record<SuffixKey, string>>,
): { rest: string; truncated: boolean } {
  if (rest.endsWith('"')) return { rest, truncated: false };
  let best = -1;
  let bestKey: SuffixKey | undefined;
  for (const key of QUOTED) {
    const i = rest.lastIndexOf(`, ${key}: "`);
    if (i > best) {
      best = i;
      bestKey = key;
    }
  }
  if (bestKey !== undefined) {
    const value = rest.slice(best + bestKey.length + 5);
    if (!value.includes('"')) {
      fields[bestKey] = value;
      return { rest: rest.slice(0, best), truncated: true };
    }
  }
  const comma = rest.lastIndexOf(',');
  if (comma >= 0 && rest.length - comma <= 16) {
    const fragment = rest.slice(comma + 1);
    if (MARKERS.some((m) => m.length > fragment.length && m.startsWith(fragment))) {
      return { rest: rest.slice(0, comma), truncated: true };
    }
  }
  return { rest, truncated: false };
}

const ACTION_SUFFIXES = ACTIONS.map((a) => [a, ` while ${a}`] as const);

function peelAction(rest: string): { action: string; rest: string } | undefined {
  for (const [a, suffix] of ACTION_SUFFIXES) {
    if (rest.endsWith(suffix)) return { action: a, rest: rest.slice(0, -suffix.length) };
  }
  const tailStart = rest.lastIndexOf(' while ');
  if (tailStart < 0 || rest.length - tailStart > 70) return undefined;
  const m = FALLBACK_ACTION_RE.exec(rest.slice(tailStart));
  return m?.[1] === undefined ? undefined : { action: m[1], rest: rest.slice(0, tailStart) };
}

/**
 * Epoch ms of an error-log timestamp (`2020/05/07 03:15:12`). nginx writes server local time
 * without a zone (`ngx_cached_err_log_time`, src/core/ngx_times.c); the caller passes the host's
 * offset from `date +%z` in minutes (`+0200` -> 120).
 */
export function errorLogTimeToEpochMs(timestamp: string, utcOffsetMinutes: number): number | undefined {
  const m = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)/.exec(timestamp);
  if (!m) return undefined;
  return wallClockToEpochMs(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
    utcOffsetMinutes,
  );
}
