/**
 * Masks credentials in evidence text (log lines, config excerpts, probe output) before it leaves
 * the host's report: cookies, Authorization values, secret-looking query/key=value/JSON fields,
 * URL passwords, AWS access keys, Slack tokens and JWTs. Only the secret is replaced, by
 * `[REDACTED]`, so the line stays readable (`token=[REDACTED]`). Idempotent.
 *
 * Every regex is linear: key names are bounded (`{1,64}`) and each value class stops at the next
 * delimiter, so a 2 KB line costs a few passes.
 */

export const REDACTED = '[REDACTED]';

/** Parameter names masked exactly (case-insensitive). */
const SECRET_KEYS = new Set([
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'auth_token',
  'api_key',
  'apikey',
  'api-key',
  'key',
  'password',
  'passwd',
  'pass',
  'pwd',
  'secret',
  'client_secret',
  'sig',
  'signature',
  'auth',
  'session',
  'sessionid',
  'session_id',
  'sid',
  'jwt',
  'private_key',
]);
/** Parameter names masked when they contain one of these (`X-Amz-Signature`, `db_password`, `auth_pass`). */
const SECRET_PARTS =
  /token|secret|passw|signature|credential|api[-_]?key|access[-_]?key|private[-_]?key|session[-_]?id|(?:^|[-_.])(?:pass|pwd)(?:$|[-_.])/i;

function isSecretKey(name: string): boolean {
  return SECRET_KEYS.has(name.toLowerCase()) || SECRET_PARTS.test(name);
}

function masked(value: string): boolean {
  return value === '' || value.startsWith(REDACTED) || value === `"${REDACTED}"`;
}

// `Cookie: a=1; b=2` / `Set-Cookie: sid=abc; Path=/` up to the end of the line or a closing quote.
const COOKIE_RE = /\b(set-cookie|cookie)(\s*:\s*)([^\r\n"]*)/gi;
// `Authorization: Bearer xyz`, `Proxy-Authorization: Basic xyz`, `authorization=xyz`.
const AUTH_HEADER_RE =
  /\b((?:proxy-)?authorization)(\s*[:=]\s*)(?:(bearer|basic|token|digest|negotiate|ntlm)\s+)?([^\s"',;]+)/gi;
const BEARER_RE = /\b(bearer)(\s+)([A-Za-z0-9\-._~+/]+=*)/gi;
// `scheme://user:password@host`, and `redis://:password@host` (no user name, as Redis URLs often are).
const URL_PASSWORD_RE = /(\b[a-zA-Z][a-zA-Z0-9+.-]{0,20}:\/\/[^\s:/@"']{0,128}:)([^\s@/"']{1,256})(@)/g;
// `"password": "x"` (JSON).
const JSON_KV_RE = /"([A-Za-z0-9_.-]{1,64})"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g;
// `key=value` in query strings and logs (unquoted: a quoted request line is scanned inside).
const KV_EQ_RE = /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{1,64})(=)([^\s&"';,)]+)/g;
// `key="value"`, `key: "value"` (runs after KV_EQ_RE, so query strings inside are already masked).
const KV_QUOTED_RE = /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{1,64})(\s*[=:]\s*)"([^"]*)"/g;
// `key: value` / `key = value` in configs and YAML.
const KV_SPACED_RE = /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{1,64})(\s+=\s*|\s*=\s+|:[ \t]+)([^\s"',;&]+)/g;
const JWT_RE = /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const SLACK_RE = /\bxox[abprs]-[A-Za-z0-9-]{10,}|\bxapp-\d-[A-Za-z0-9-]{10,}/g;
const SLACK_WEBHOOK_RE = /(hooks\.slack\.com\/services\/)[A-Za-z0-9/]+/g;
const AWS_KEY_RE = /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g;

export function redact(text: string): string {
  return text
    .replace(
      COOKIE_RE,
      (_m, name: string, sep: string, value: string) => `${name}${sep}${maskCookies(name, value)}`,
    )
    .replace(AUTH_HEADER_RE, (m, name: string, sep: string, scheme: string | undefined, value: string) =>
      masked(value) ? m : `${name}${sep}${scheme ? `${scheme} ` : ''}${REDACTED}`,
    )
    .replace(BEARER_RE, (m, word: string, sp: string, value: string) =>
      masked(value) ? m : `${word}${sp}${REDACTED}`,
    )
    .replace(URL_PASSWORD_RE, (_m, head: string, _pw: string, at: string) => `${head}${REDACTED}${at}`)
    .replace(JSON_KV_RE, (m, key: string, sep: string, value: string) =>
      isSecretKey(key) && !masked(value) ? `"${key}"${sep}"${REDACTED}"` : m,
    )
    .replace(KV_EQ_RE, maskPair)
    .replace(KV_QUOTED_RE, (m, key: string, sep: string, value: string) =>
      isSecretKey(key) && !masked(value) ? `${key}${sep}"${REDACTED}"` : m,
    )
    .replace(KV_SPACED_RE, maskPair)
    .replace(JWT_RE, REDACTED)
    .replace(SLACK_RE, REDACTED)
    .replace(SLACK_WEBHOOK_RE, `$1${REDACTED}`)
    .replace(AWS_KEY_RE, REDACTED);
}

function maskPair(m: string, key: string, sep: string, value: string): string {
  return isSecretKey(key) && !masked(value) ? `${key}${sep}${REDACTED}` : m;
}

/** Cookie: every value; Set-Cookie: the cookie's own value, attributes (`Path=/`) kept. */
function maskCookies(header: string, value: string): string {
  let first = true;
  const setCookie = header.toLowerCase() === 'set-cookie';
  return value.replace(/([^=;\s]{1,128})=([^;]*)/g, (m, name: string, v: string) => {
    const isCookie = !setCookie || first;
    first = false;
    return isCookie && !masked(v) ? `${name}=${REDACTED}` : m;
  });
}
