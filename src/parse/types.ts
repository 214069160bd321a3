/**
 * Shapes produced by the pure parsers (error log, `nginx -T`, access log). Rules read only these.
 * Catalog sections 1 (error-log anatomy), 3.1 (signatures) and 5 (access logs).
 */

export type LogLevel = 'emerg' | 'alert' | 'crit' | 'error' | 'warn' | 'notice' | 'info' | 'debug';

/** Catalog 3.1 signature ids, in match order. */
export type SignatureId =
  | 'connect_refused'
  | 'socket_missing'
  | 'socket_eacces'
  | 'tcp_eacces'
  | 'backlog_full_unix'
  | 'unreachable'
  | 'eaddrnotavail'
  | 'timeout_connect'
  | 'timeout_ssl'
  | 'timeout_send'
  | 'timeout_read_header'
  | 'timeout_read_body'
  | 'premature_header'
  | 'reset_header'
  | 'send_failed'
  | 'body_phase_failure'
  | 'no_live_upstreams'
  | 'peer_disabled'
  | 'too_big_header'
  | 'invalid_header'
  | 'fastcgi_proto'
  | 'grpc_to_http1'
  | 'http09_reply'
  | 'tls_wrong_version'
  | 'tls_sni'
  | 'tls_other'
  | 'tls_verify'
  | 'dns_runtime'
  | 'dns_no_resolver'
  | 'dns_config_load'
  | 'fd_socket'
  | 'fd_accept'
  | 'fd_rlimit_warn'
  | 'worker_conns'
  | 'temp_file'
  | 'ipv6_unavailable'
  | 'check_peer_down'
  | 'dns_module'
  | 'dns_resolver_io'
  | 'no_space'
  | 'fd_other'
  | 'config_error';

export interface ErrorLogEntry {
  /** The verbatim entry; continuation lines (multi-line FastCGI stderr) joined with "\n". */
  raw: string;
  /** `YYYY/MM/DD HH:MM:SS` as logged: server local time, no zone. */
  timestamp: string;
  level: LogLevel;
  pid: number;
  tid: number;
  connection?: number;
  /** The message without errno, action and suffix fields. */
  message: string;
  errno?: number;
  errtext?: string;
  /** e.g. `connecting to upstream`, `reading response header from upstream`. */
  action?: string;
  client?: string;
  server?: string;
  request?: string;
  subrequest?: string;
  /** e.g. `http://10.0.0.5:8080/api/x`, `fastcgi://unix:/run/php/php8.2-fpm.sock:`. */
  upstream?: string;
  /** `upstream` without the URI: `http://10.0.0.5:8080`, `fastcgi://unix:/run/php/php8.2-fpm.sock`. */
  upstreamPeer?: string;
  host?: string;
  referrer?: string;
  resolver?: string;
  /** First matching catalog 3.1 signature, when any. */
  signature?: SignatureId;
  /** HTTP status nginx returns for this signature (502, 504, 500, 9), when it has one. */
  status?: number;
  /** The line was cut at NGX_MAX_ERROR_STR (2048 bytes): `...` before the errno, or a missing/partial tail. */
  truncated?: boolean;
}

/** One directive of `nginx -T`, with its block when it has one (`http`, `server`, `location`, `upstream`). */
export interface NginxDirective {
  name: string;
  args: string[];
  file: string;
  line: number;
  block?: NginxDirective[];
}

export type PassDirective = 'proxy_pass' | 'fastcgi_pass' | 'uwsgi_pass' | 'grpc_pass' | 'scgi_pass';

/** A `*_pass` in a location (or server), with the settings in effect there. */
export interface PassSite {
  directive: PassDirective;
  /** The argument as written: `http://backend`, `unix:/run/php/php8.2-fpm.sock`, `$upstream`. */
  target: string;
  /** `http`, `https`, `fastcgi`, `uwsgi`, `grpc`, `grpcs`, `scgi`. */
  scheme: string;
  serverNames: string[];
  listen: string[];
  location?: string;
  file: string;
  line: number;
  /** Effective `*_connect_timeout`/`*_send_timeout`/`*_read_timeout` in seconds (nginx default 60). */
  connectTimeoutS: number;
  sendTimeoutS: number;
  readTimeoutS: number;
  /** Effective `*_buffer_size` in bytes, when set (default one page). */
  bufferSizeBytes?: number;
  /** `resolver` addresses in effect. */
  resolvers: string[];
  /** The upstream{} group this pass names, when it names one. */
  group?: string;
}

export interface UpstreamServer {
  /** As written: `127.0.0.1:8080`, `app.internal:8000`, `unix:/tmp/app.sock`. */
  address: string;
  /** `max_fails=3`, `fail_timeout=10s`, `down`, `backup`, `resolve`, `weight=2`. */
  params: string[];
}

export interface UpstreamGroup {
  name: string;
  servers: UpstreamServer[];
  /** `keepalive N` when set. */
  keepalive?: number;
  keepaliveTimeoutS?: number;
  zone?: string;
  file: string;
  line: number;
}

/** A concrete endpoint nginx dials; what the upstream checks probe from the nginx host. */
export type UpstreamTarget =
  | { kind: 'tcp'; host: string; port: number; scheme: string; group?: string; via: string[] }
  | { kind: 'unix'; path: string; scheme: string; group?: string; via: string[] }
  | { kind: 'variable'; expr: string; scheme: string; via: string[] };

export interface NginxConfig {
  /** Files in dump order; the first is the main file. */
  files: string[];
  /** The main file's directives with `include`s expanded. */
  tree: NginxDirective[];
  user?: string;
  workerProcesses?: string;
  workerConnections?: number;
  workerRlimitNofile?: number;
  errorLogs: { path: string; level?: string }[];
  accessLogs: { path: string; format?: string }[];
  /** name -> format string (quotes removed, pieces joined). */
  logFormats: Record<string, string>;
  upstreams: UpstreamGroup[];
  passes: PassSite[];
  targets: UpstreamTarget[];
  /** `*_temp_path`, `client_body_temp_path`, `proxy_cache_path` paths in the config. */
  tempPaths: string[];
  /** Problems met while reading the dump (unbalanced braces, includes matching no dumped file), `file:line: text`. */
  parseErrors?: string[];
  /**
   * Parts of the dump left unread because they pass a bound (a file over MAX_FILE_CHARS, includes
   * expanding past MAX_EXPANDED_DIRECTIVES, blocks nested past MAX_BLOCK_DEPTH): the rest was checked.
   */
  notRead?: string[];
}

/** One access-log line. `$upstream_*` lists keep one item per try (`, ` and ` : ` separators). */
export interface AccessRecord {
  raw: string;
  /** `$time_local` as logged, e.g. `07/May/2020:03:15:12 +0000`. */
  timeLocal?: string;
  /** Epoch milliseconds (the `$time_local` carries its own zone). */
  timeMs?: number;
  remoteAddr?: string;
  method?: string;
  path?: string;
  status: number;
  bodyBytes?: number;
  requestTimeS?: number;
  upstreamAddr: string[];
  upstreamStatus: string[];
  upstreamConnectTime: string[];
  upstreamHeaderTime: string[];
  upstreamResponseTime: string[];
}

export interface UpstreamAccessStats {
  /** An address (`10.0.0.5:8080`, `unix:/run/php.sock`) or a group name (`no live upstreams`). */
  upstream: string;
  requests: number;
  final502: number;
  final504: number;
  /** Final 502/503/504 this peer answered itself or may have (upstreamGenerated + unattributed). */
  relayed: number;
  tries: number;
  tryFailures: number;
}

export interface AccessStats {
  /** Lines read in the window, and lines that did not parse. */
  total: number;
  unparsed: number;
  byStatus: Record<string, number>;
  perUpstream: UpstreamAccessStats[];
  /** Final 502s where nginx gave up (`$upstream_header_time` `-`) vs the backend itself answered 502. */
  nginxGenerated502: number;
  upstreamGenerated502: number;
  /**
   * Final 502/503/504 by status that the peer answered itself (catalog 2.1, C26): a numeric
   * `$upstream_header_time`, or a 503 relayed from a peer (nginx makes no 503 out of a failed try).
   */
  upstreamGenerated: Record<string, number>;
  /**
   * Final 502/504 by status whose `$upstream_status` came from a peer, in a format without
   * `$upstream_header_time`: nginx or the peer made them, and only the error log can tell (nginx
   * logs every 502/504 it makes itself).
   */
  unattributed: Record<string, number>;
  /** Of the final 502/504s, how many were POST/PUT/PATCH/DELETE. */
  nonIdempotentFailures: number;
  /** `$upstream_response_time` of the final failed tries (seconds), for timeout clustering. */
  failureResponseTimesS: number[];
  /** Whether the format carries `$upstream_*` fields. */
  hasUpstreamFields: boolean;
  /** A few verbatim 502/503/504 lines. */
  samples: string[];
}

/** What the kernel-log parser finds inside the window (the evidence reads it as is). */
export interface KernelEvidence {
  /** OOM-kill lines in the window, verbatim, with the killed process name. */
  oomKills: OomKill[];
  /** segfault / traps lines in the window. */
  segfaults: string[];
  /** `SYN flooding`, `nf_conntrack: table full`. */
  other: string[];
}

export interface OomKill {
  line: string;
  process: string;
  pid?: number;
  /** When the kernel logged it, when the line's stamp could be dated. */
  timeMs?: number;
  /** The victim's memory cgroup (`task_memcg=/system.slice/php8.2-fpm.service`), when logged. */
  memcg?: string;
}

/** What an app-server log line says, by the signature that matched it (app-signatures.ts). */
export type AppSignal =
  | 'pool-max-children' // php-fpm: server reached pm.max_children
  | 'worker-timeout' // gunicorn WORKER TIMEOUT, uwsgi HARAKIRI, php-fpm execution timed out, puma
  | 'worker-killed-signal' // exited on signal 11/6/9, was sent SIGKILL/SIGSEGV
  | 'worker-oom' // gunicorn "Perhaps out of memory?", php-fpm signal 9
  | 'crash' // uncaught exception, FATAL ERROR, exit code != 0
  | 'listen-queue-full' // uwsgi listen queue full
  | 'request-too-large' // uwsgi invalid request block size
  | 'address-in-use' // EADDRINUSE / Connection in use
  | 'started' // Booting worker / ready to handle connections / listening on
  | 'stopped'; // shutting down / Terminating

export interface AppLogLine {
  signal: AppSignal;
  line: string;
  timeMs?: number;
}
