/**
 * What diagnose502's own checks leave on a host, so that the diagnosis never reads it as evidence.
 * Every HTTP request the probes send carries PROBE_USER_AGENT; the upstream checks send no HTTP at all
 * (a bare connect, or FastCGI's own FCGI_GET_VALUES management record, which php-fpm answers without
 * logging), so the only app-log lines a check could cause are requests with this User-Agent.
 */
export const PROBE_USER_AGENT = 'diagnose502-probe';

/**
 * uwsgi reads a request's first 4 bytes as its packet header: modifier1, then a little-endian 16-bit
 * size. An HTTP request line read that way gives the size of its method's 2nd and 3rd bytes
 * (`GET ` -> 21573, logged as `invalid request block size: 21573 (max 4096)...skip`, captured from
 * uwsgi 2.0.21 after `curl --unix-socket`): HTTP spoken to a uwsgi socket (an older diagnose502 did
 * that, or a `proxy_pass` to a uwsgi socket), never a request too large.
 */
const HTTP_METHODS = ['GET ', 'HEAD', 'POST', 'PUT ', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE'];
const HTTP_AS_UWSGI_SIZES = new Set(HTTP_METHODS.map((m) => m.charCodeAt(1) + m.charCodeAt(2) * 256));

/** Why an app-log line is traffic of a check rather than of the app's clients, or undefined. */
export function probeFootprint(line: string): string | undefined {
  if (line.includes(PROBE_USER_AGENT))
    return `a request of diagnose502 itself (User-Agent ${PROBE_USER_AGENT})`;
  const size = /invalid request block size: (\d+) \(max \d+\)/.exec(line);
  if (size && HTTP_AS_UWSGI_SIZES.has(Number(size[1])))
    return 'an HTTP request sent into a uwsgi socket (the size is an HTTP method read as a uwsgi header)';
  return undefined;
}
