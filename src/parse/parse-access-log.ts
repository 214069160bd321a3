import { type CompiledLogFormat, compileLogFormat, matchLogFormat, parseJsonObject } from './log-format.js';
import { monthIndex, parseIsoTime, parseUtcOffset, wallClockToEpochMs } from './time.js';
import type { AccessRecord } from './types.js';

export { computeAccessStats } from './access-stats.js';
export { compileLogFormat, KNOWN_FORMATS } from './log-format.js';

/**
 * Access-log lines, catalog section 5. `format` is a known name (`combined`, `main`,
 * `upstream_time`, `json`, `ingress`), a `log_format` string from `nginx -T`, or a compiled format.
 * When it is missing or the line does not fit it, the line is auto-detected: JSON, then the
 * combined prefix followed by `key=value` pairs (catalog 5.1 `upstream_time` and its kin), the
 * ingress-nginx tail, or plain combined/main.
 */
export function parseAccessLine(line: string, format?: string | CompiledLogFormat): AccessRecord | undefined {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (!NON_BLANK.test(text)) return undefined;
  if (format !== undefined) {
    const compiled = typeof format === 'string' ? compileLogFormat(format) : format;
    const vars = matchLogFormat(compiled, text);
    const rec = vars ? recordFromVars(text, vars) : undefined;
    if (rec) return rec;
  }
  return autoDetect(text);
}

/** Every line of an access log; `unparsed` counts the non-empty lines that fit no format. */
export function parseAccessLog(
  text: string,
  format?: string | CompiledLogFormat,
): { records: AccessRecord[]; unparsed: number } {
  const records: AccessRecord[] = [];
  let unparsed = 0;
  for (const line of text.split('\n')) {
    if (!NON_BLANK.test(line)) continue;
    const r = parseAccessLine(line, format);
    if (r) records.push(r);
    else unparsed++;
  }
  return { records, unparsed };
}

/** `a, b : c` -> [a, b, c] (`, ` between tries, ` : ` between internal redirects; catalog 5.2). */
export function splitUpstreamList(value: string | undefined): string[] {
  if (value === undefined || value === '') return [];
  // Fast path: one try, the common case (hot loop over millions of lines).
  if (!value.includes(',') && !value.includes(' : ')) {
    const v = value.trim();
    return v === '' ? [] : [v];
  }
  // One scan instead of nested split(): `,` separates tries, ` : ` (spaces around) redirects;
  // a bare `:` belongs to an address (`10.0.0.1:80`, `unix:/run/app.sock`).
  const out: string[] = [];
  let start = 0;
  const push = (end: number): void => {
    const t = value.slice(start, end).trim();
    if (t !== '') out.push(t);
  };
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 44 || (c === 58 && value.charCodeAt(i - 1) === 32 && value.charCodeAt(i + 1) === 32)) {
      push(i);
      start = i + 1;
    }
  }
  push(value.length);
  return out;
}

const NON_BLANK = /\S/;
const METHOD_RE = /^[A-Z][A-Z_-]*$/;

// `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent` + optional quoted pair.
const COMBINED_RE =
  /^(\S+) \S+ \S+ \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/;
const KV_RE = /(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"]*)"|(\S*))/g;
const INGRESS_TAIL_RE = /^ \d+ [\d.]+ \[[^\]]*\] \[[^\]]*\] /;

/** `key=value` names seen in the wild -> nginx variable. */
const KV_ALIASES: Record<string, string> = {
  rt: 'request_time',
  request_time: 'request_time',
  ua: 'upstream_addr',
  upstream_addr: 'upstream_addr',
  upstream: 'upstream_addr',
  us: 'upstream_status',
  upstream_status: 'upstream_status',
  uct: 'upstream_connect_time',
  upstream_connect_time: 'upstream_connect_time',
  uht: 'upstream_header_time',
  upstream_header_time: 'upstream_header_time',
  urt: 'upstream_response_time',
  upstream_response_time: 'upstream_response_time',
};

// A Map: lookups with keys sliced out of each line avoid string internalization.
const KV_ALIAS_MAP: ReadonlyMap<string, string> = new Map(Object.entries(KV_ALIASES));

/** JSON keys seen in the wild -> nginx variable. */
const JSON_ALIASES: Record<string, string> = {
  ...KV_ALIASES,
  time: 'time_iso8601',
  time_iso8601: 'time_iso8601',
  '@timestamp': 'time_iso8601',
  timestamp: 'time_iso8601',
  time_local: 'time_local',
  msec: 'msec',
  status: 'status',
  request: 'request',
  method: 'request_method',
  request_method: 'request_method',
  uri: 'request_uri',
  request_uri: 'request_uri',
  path: 'request_uri',
  remote_addr: 'remote_addr',
  body_bytes_sent: 'body_bytes_sent',
  bytes_sent: 'bytes_sent',
};

function autoDetect(line: string): AccessRecord | undefined {
  const obj = parseJsonObject(line);
  if (obj) {
    const vars = new Map<string, string>();
    for (const [key, value] of Object.entries(obj)) {
      const name = JSON_ALIASES[key];
      if (name !== undefined && value !== null && value !== undefined && !vars.has(name))
        vars.set(name, String(value));
    }
    return recordFromVars(line, vars);
  }
  const m = COMBINED_RE.exec(line);
  if (!m) return undefined;
  const tail = line.slice(m[0].length);
  if (INGRESS_TAIL_RE.test(tail)) {
    const vars = matchLogFormat(compileLogFormat('ingress'), line);
    if (vars) return recordFromVars(line, vars);
  }
  // A fixed-shape object, not a Map: this is the hot path of a 10 MB log.
  const vars: Vars = {
    remote_addr: m[1],
    time_local: m[2],
    request: m[3],
    status: m[4],
    body_bytes_sent: m[5],
    request_time: undefined,
    upstream_addr: undefined,
    upstream_status: undefined,
    upstream_connect_time: undefined,
    upstream_header_time: undefined,
    upstream_response_time: undefined,
  };
  KV_RE.lastIndex = 0;
  for (let kv = KV_RE.exec(tail); kv !== null; kv = KV_RE.exec(tail)) {
    const name = KV_ALIAS_MAP.get(kv[1] ?? '');
    if (name !== undefined && vars[name] === undefined) vars[name] = kv[2] ?? kv[3] ?? '';
  }
  return recordFromVars(line, vars);
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v === '' || v === '-') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

type Vars = Record<string, string | undefined>;

/** Builds the record from variable values; `undefined` without a numeric `$status`. */
function recordFromVars(raw: string, source: ReadonlyMap<string, string> | Vars): AccessRecord | undefined {
  const vars = source instanceof Map ? source : { get: (name: string) => (source as Vars)[name] };
  const statusText = vars.get('status');
  if (statusText === undefined || !/^\d{3}$/.test(statusText)) return undefined;
  const rec: AccessRecord = {
    raw,
    status: Number(statusText),
    upstreamAddr: splitUpstreamList(vars.get('upstream_addr')),
    upstreamStatus: splitUpstreamList(vars.get('upstream_status')),
    upstreamConnectTime: splitUpstreamList(vars.get('upstream_connect_time')),
    upstreamHeaderTime: splitUpstreamList(vars.get('upstream_header_time')),
    upstreamResponseTime: splitUpstreamList(vars.get('upstream_response_time')),
  };
  const remote = vars.get('remote_addr');
  if (remote !== undefined && remote !== '') rec.remoteAddr = remote;
  const timeLocal = vars.get('time_local');
  if (timeLocal !== undefined && timeLocal !== '') {
    rec.timeLocal = timeLocal;
    const t = timeLocalToEpochMs(timeLocal);
    if (t !== undefined) rec.timeMs = t;
  } else {
    const iso = vars.get('time_iso8601');
    const msec = num(vars.get('msec'));
    const t =
      iso !== undefined ? parseIsoTime(iso) : msec !== undefined ? Math.round(msec * 1000) : undefined;
    if (t !== undefined) rec.timeMs = t;
  }
  // `$request` is `METHOD URI PROTOCOL` (or garbage: a TLS hello, `-`).
  const request = vars.get('request') ?? '';
  const sp1 = request.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : request.indexOf(' ', sp1 + 1);
  const method = vars.get('request_method') ?? (sp1 > 0 ? request.slice(0, sp1) : undefined);
  if (method !== undefined && METHOD_RE.test(method)) rec.method = method;
  const path =
    vars.get('request_uri') ?? (sp1 > 0 ? request.slice(sp1 + 1, sp2 < 0 ? undefined : sp2) : undefined);
  if (path !== undefined && path !== '') rec.path = path;
  const body = num(vars.get('body_bytes_sent') ?? vars.get('bytes_sent'));
  if (body !== undefined) rec.bodyBytes = body;
  const rt = num(vars.get('request_time'));
  if (rt !== undefined) rec.requestTimeS = rt;
  return rec;
}

const TIME_LOCAL_RE = /^(\d\d)\/([A-Za-z]{3})\/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})$/;

// Consecutive lines share their second: remember the last conversion.
let lastTimeLocal = '';
let lastTimeMs: number | undefined;

/** `07/May/2020:03:15:12 +0000` -> epoch ms (`$time_local` carries its zone). */
export function timeLocalToEpochMs(timeLocal: string): number | undefined {
  if (timeLocal === lastTimeLocal) return lastTimeMs;
  lastTimeLocal = timeLocal;
  lastTimeMs = convertTimeLocal(timeLocal);
  return lastTimeMs;
}

function convertTimeLocal(timeLocal: string): number | undefined {
  const m = TIME_LOCAL_RE.exec(timeLocal);
  if (!m) return undefined;
  const month = monthIndex(m[2] ?? '');
  const offset = parseUtcOffset(m[7] ?? '');
  if (month === undefined || offset === undefined) return undefined;
  return wallClockToEpochMs(
    Number(m[3]),
    month,
    Number(m[1]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
    offset,
  );
}
