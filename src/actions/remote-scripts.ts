/**
 * The fixed scripts the restart protocol runs over SSH besides the inventory's restart command.
 * Like the probes, they are constants; what varies (URLs, paths, offsets) goes on stdin, never into
 * the command text.
 */

/** stdin: a URL. stdout: the HTTP status (000 when nothing answered) and curl's exit code. */
export const HTTP_STATUS = `read -r url; s=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 -- "$url"); echo "$s $?"`;

/** stdin: path, Host header. A request through the local nginx, as a client would send it. */
export const THROUGH_NGINX = `read -r path; read -r host; s=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Host: $host" -- "http://127.0.0.1$path"); echo "$s $?"`;

/** stdin: a log path. stdout: its size in bytes (0 when missing). */
export const FILE_SIZE = `read -r f; stat -c %s -- "$f" 2>/dev/null || echo 0`;

/** stdin: a log path and a byte offset. stdout: upstream errors logged after the offset (last 20). */
export const UPSTREAM_ERRORS_SINCE = `read -r f; read -r off; tail -c +"$((off + 1))" -- "$f" 2>/dev/null | grep -E 'upstream' | tail -n 20`;

/** nginx's own config test (catalog section 8: never reload without it). */
export const NGINX_TEST = 'nginx -t 2>&1';
