/**
 * Compiles an nginx `log_format` string into a line regex (catalog 5.1): each `$variable` becomes a
 * capture whose character class stops at the literal that follows it, so the regex stays linear on
 * long lines. `$upstream_*` lists outside quotes (ingress-nginx) match `a, b : c` item sequences.
 * JSON formats (`{"status":$status,...}`) are read with JSON.parse and a key -> variable map.
 */

export interface CompiledLogFormat {
  /** The format string as given. */
  source: string;
  kind: 'regex' | 'json';
  regex?: RegExp;
  /** Variable names in capture order of `regex` (for json: the fallback for lines that are not JSON). */
  vars: string[];
  jsonKeys?: Record<string, string>;
}

/** Built-in and well-known formats (catalog 5.1). */
export const KNOWN_FORMATS: Record<string, string> = {
  combined:
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"',
  main: '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"',
  upstream_time:
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time ua="$upstream_addr" us="$upstream_status" uct="$upstream_connect_time" uht="$upstream_header_time" urt="$upstream_response_time" ul="$upstream_response_length" cs=$upstream_cache_status host="$host"',
  json: '{"time":"$time_iso8601","status":$status,"request":"$request","rt":$request_time,"ua":"$upstream_addr","us":"$upstream_status","uct":"$upstream_connect_time","uht":"$upstream_header_time","urt":"$upstream_response_time","host":"$host"}',
  ingress:
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id',
};

/** `$upstream_*` variables that hold one item per try (catalog 5.2). */
const LIST_VARS = new Set([
  'upstream_addr',
  'upstream_status',
  'upstream_connect_time',
  'upstream_header_time',
  'upstream_response_time',
  'upstream_response_length',
  'upstream_bytes_received',
  'upstream_bytes_sent',
]);
/** Variables whose value has spaces or quotes (escaped as `\x22` by nginx). */
const QUOTED_TEXT_VARS = new Set(['request', 'http_user_agent', 'http_referer']);

const VAR_RE = /\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g;

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function capture(name: string, next: string | undefined): string {
  if (next === '"') return QUOTED_TEXT_VARS.has(name) ? '((?:[^"\\\\]|\\\\.)*)' : '([^"]*)';
  if (next === undefined) return '(.*)';
  if (next === ']') return '([^\\]]*)';
  // Unquoted lists (`502, 502`, `502 : 502`) run over the literal that follows when it is a space
  // or a comma (`"us":$upstream_status,` in a JSON format): items are joined by `, ` and ` : `.
  if (LIST_VARS.has(name)) {
    const stop = next === ' ' || next === ',' ? '' : escapeRe(next);
    return `((?:[^\\s,${stop}]+(?:(?:, | : )[^\\s,${stop}]+)*)?)`;
  }
  if (next === ' ') return '(\\S*)';
  return `([^${escapeRe(next)}\\n]*)`;
}

const cache = new Map<string, CompiledLogFormat>();

/** Compiles (and caches) a `log_format` string, or the name of a known format. */
export function compileLogFormat(formatOrName: string): CompiledLogFormat {
  const source = KNOWN_FORMATS[formatOrName] ?? formatOrName;
  const hit = cache.get(source);
  if (hit) return hit;
  const compiled = source.trimStart().startsWith('{') ? compileJson(source) : compileRegex(source);
  if (cache.size > 64) cache.clear();
  cache.set(source, compiled);
  return compiled;
}

function compileRegex(source: string): CompiledLogFormat {
  const vars: string[] = [];
  let re = '^';
  let last = 0;
  for (const m of source.matchAll(VAR_RE)) {
    const at = m.index ?? 0;
    re += escapeRe(source.slice(last, at));
    last = at + m[0].length;
    const name = m[1] ?? m[2] ?? '';
    vars.push(name);
    re += capture(name, source[last]);
  }
  re += escapeRe(source.slice(last));
  return { source, kind: 'regex', regex: new RegExp(re), vars };
}

function compileJson(source: string): CompiledLogFormat {
  const jsonKeys: Record<string, string> = {};
  for (const m of source.matchAll(/"([^"]+)"\s*:\s*"?\$\{?([A-Za-z0-9_]+)/g)) {
    if (m[1] !== undefined && m[2] !== undefined) jsonKeys[m[1]] = m[2];
  }
  // nginx writes unquoted variables verbatim: `"us":$upstream_status` is no JSON for `502, 502` or
  // `-`; those lines are read with the format's regex instead.
  const { regex, vars } = compileRegex(source);
  return { source, kind: 'json', vars, jsonKeys, regex };
}

/** Applies a compiled format: variable name -> raw value, or undefined when the line does not fit. */
export function matchLogFormat(format: CompiledLogFormat, line: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  if (format.kind === 'json') {
    const obj = parseJsonObject(line);
    if (obj) {
      for (const [key, name] of Object.entries(format.jsonKeys ?? {})) {
        const v = obj[key];
        if (v !== undefined && v !== null) out.set(name, String(v));
      }
      return out;
    }
  }
  const m = format.regex?.exec(line);
  if (!m) return undefined;
  format.vars.forEach((name, i) => {
    const v = m[i + 1];
    if (v !== undefined && !out.has(name)) out.set(name, v);
  });
  return out;
}

const JSON_START = /^\s*\{/;

export function parseJsonObject(line: string): Record<string, unknown> | undefined {
  if (!JSON_START.test(line)) return undefined;
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
