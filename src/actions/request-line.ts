/**
 * The request the restart checks replay, read strictly from nginx's own error-log line (catalog
 * section 1.1). The line is the host's, unredacted, read again over SSH at check time and never sent
 * to Slack; a line whose fields are ambiguous is refused, never guessed at.
 *
 * nginx writes `..., client: A, server: S, request: "<line>"[, subrequest: "U"][, upstream: "U"]
 * [, host: "H"][, referrer: "R"]`, the values raw (`%V`, nothing escaped): the request line, the
 * upstream URI and the Referer are the client's text, and may hold `", host: "` themselves. So each
 * field separator must occur exactly once (or not at all for the optional ones), and the fields are
 * cut from the right, where nginx puts them.
 */

/**
 * The start of an error-log line that belongs to one connection: time, level, pid#tid and `*conn`.
 * It names the line on the host without carrying any of the client's text.
 */
const MARKER_SOURCE = String.raw`\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[(?:emerg|alert|crit|error|warn|notice|info|debug)\] \d{1,10}#\d{1,20}: \*\d{1,20} `;
export const LINE_MARKER_PATTERN = new RegExp(`^${MARKER_SOURCE}$`);
const MARKER_AT_START = new RegExp(`^${MARKER_SOURCE}`);

/** The marker of an evidence line that carries a GET/HEAD request, if it has one. */
export function lineMarker(line: string): string | undefined {
  const m = MARKER_AT_START.exec(line);
  if (!m || !/, request: "(?:GET|HEAD) \//.test(line)) return undefined;
  return m[0];
}

export interface ReplayRequest {
  method: 'GET' | 'HEAD';
  /** The path only: the query string is dropped (it may hold a token, and a 502 is the location's). */
  path: string;
  /** The client's Host header, as nginx logged it. */
  host: string;
}

export type Replayable = ({ ok: true } & ReplayRequest) | { ok: false; reason: string };

const SEP = {
  request: ', request: "',
  subrequest: '", subrequest: "',
  upstream: '", upstream: "',
  host: '", host: "',
  referrer: '", referrer: "',
} as const;

/** RFC 3986 path characters; percent signs only as `%XX`. */
const PATH_RE = /^\/(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2}){0,2047}$/;
/** A host name, IPv4 or bracketed IPv6, with an optional port: what nginx accepts as a Host. */
const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;
const REQUEST_RE = /^(GET|HEAD) (\/[^\s"]*) HTTP\/(?:1\.0|1\.1|2\.0|3\.0)$/;

function count(text: string, part: string): number {
  let n = 0;
  for (let at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length)) n++;
  return n;
}

/** The GET/HEAD request of `line`, normalized, or why it cannot be replayed. */
export function replayableRequest(line: string): Replayable {
  if (!MARKER_AT_START.test(line)) return { ok: false, reason: 'not an nginx error-log line' };
  if (/[\r\n\0]/.test(line)) return { ok: false, reason: 'the line holds control characters' };
  for (const [name, sep] of Object.entries(SEP)) {
    const n = count(line, sep);
    if (n > 1) return { ok: false, reason: `the line holds its ${name} field ${n} times (client text)` };
  }
  const reqAt = line.indexOf(SEP.request);
  if (reqAt < 0) return { ok: false, reason: 'the line has no request field' };
  if (!line.endsWith('"')) return { ok: false, reason: 'the line does not end with a quoted field' };
  // From the right: each optional field ends where the next one's separator starts.
  let end = line.length;
  const values: Partial<Record<keyof typeof SEP, string>> = {};
  for (const name of ['referrer', 'host', 'upstream', 'subrequest'] as const) {
    const at = line.lastIndexOf(SEP[name], end - 1);
    if (at < 0 || at + SEP[name].length > end) continue;
    if (at < reqAt) return { ok: false, reason: `its ${name} field stands before the request` };
    values[name] = line.slice(at + SEP[name].length, end - 1);
    end = at + 1;
  }
  const request = line.slice(reqAt + SEP.request.length, end - 1);
  if (line[end - 1] !== '"') return { ok: false, reason: 'the request field is not closed' };
  const m = REQUEST_RE.exec(request);
  if (!m?.[1] || !m[2]) return { ok: false, reason: 'not a GET or HEAD request in origin form' };
  const path = m[2].split('?')[0] ?? '';
  if (!PATH_RE.test(path)) return { ok: false, reason: 'its path holds characters a URL path cannot' };
  const host = values.host;
  if (host === undefined) return { ok: false, reason: 'the line has no host field' };
  if (!HOST_RE.test(host)) return { ok: false, reason: 'its host field is not a host name or address' };
  return { ok: true, method: m[1] as 'GET' | 'HEAD', path, host };
}
