/**
 * The fixed scripts the restart protocol runs over SSH besides the inventory's restart command.
 * Like the probes, they are constants; what varies (URLs, paths, offsets, the request to replay)
 * goes on stdin, never into the command text. They run unprivileged; the programs that need root
 * run as `$D502_SUDO program`, which the SSH runner sets to `sudo -n` on `sudo: true` hosts (one
 * fixed command line each, listed by `diagnose502 sudoers`).
 */

/**
 * curl as the checks use it: the URL taken literally (`--globoff`: `{a,b}` and `[1-300]` are not
 * globs), no redirect followed, no proxy, plain HTTP(S) only, bounded in time. stdout: the status
 * (`%{http_code}`) and curl's exit code; the caller accepts only three digits and exit 0 as an answer.
 */
const CURL =
  "curl -s -o /dev/null -w '%{http_code}' --globoff --max-redirs 0 --noproxy '*' --proto =http,https --connect-timeout 2";

/** stdin: a URL. stdout: the HTTP status (000 when nothing answered) and curl's exit code. */
export const HTTP_STATUS = `read -r url; s=$(${CURL} --max-time 3 -- "$url"); echo "$s $?"`;

/**
 * stdin: GET or HEAD, a path (no query), a Host header, each checked by request-line.ts and again
 * here. A request through the local nginx, as the client sent it.
 */
export const THROUGH_NGINX =
  'read -r m; read -r path; read -r host; case "$m" in GET) h= ;; HEAD) h=--head ;; *) exit 3 ;; esac; ' +
  'case "$path" in /*) ;; *) exit 3 ;; esac; ' +
  `s=$(${CURL} --path-as-is --max-time 5 $h -H "Host: $host" -- "http://127.0.0.1$path"); echo "$s $?"`;

/** How far back the error log is searched for the failing request's line. */
export const ERROR_LINE_TAIL_BYTES = 16 * 1024 * 1024;

/**
 * stdin: the error log's path and a line marker (request-line.ts: digits, `/`, `:`, `#`, `*`,
 * brackets and a level, no backslash, which awk -v would read as an escape). stdout: up to 20 lines
 * that start with the marker, unredacted: read by the worker only, never sent on.
 */
export const ERROR_LINES =
  'read -r f; IFS= read -r m; case "$m" in "" | *\\\\*) exit 3 ;; esac; ' +
  `$D502_SUDO tail -c ${ERROR_LINE_TAIL_BYTES} -- "$f" 2>/dev/null | awk -v m="$m" 'index($0, m) == 1 { print; if (++n >= 20) exit }'`;

/** stdin: a log path. stdout: its size in bytes (0 when missing). */
export const FILE_SIZE = `read -r f; $D502_SUDO stat -c %s -- "$f" 2>/dev/null || echo 0`;

/** stdin: a log path and a byte offset. stdout: upstream errors logged after the offset (last 20). */
export const UPSTREAM_ERRORS_SINCE =
  'read -r f; read -r off; case "$off" in "" | *[!0-9]*) exit 3 ;; esac; ' +
  `$D502_SUDO tail -c +"$((off + 1))" -- "$f" 2>/dev/null | grep -E 'upstream' | tail -n 20`;

/** nginx's own config test (catalog section 8: never reload without it); run whole under sudo. */
export const NGINX_TEST = 'nginx -t 2>&1';
