import type { Cause } from './causes.js';
import type { ErrorLogEntry, SignatureId } from './types.js';

/**
 * Catalog section 3.1 (machine-readable signature list), ported in the same order: the first
 * matching signature wins. Each regex is applied to `message + " (errno: text)" + " while action"`,
 * i.e. the line up to `, client:`. Status `undefined` = no client-visible status of its own
 * (warning, body phase, startup). Statuses come from catalog section 2 (`ngx_http_upstream.c`).
 *
 * The regexes are linear on 2 KB lines: every `\S+` run is bounded by the literal that follows it,
 * the catalog's `[^)]*` errno texts are capped at 80 characters (the longest strerror is ~50), and
 * the two `.*` ones start after a literal prefix (`SSL_do_handshake() failed `).
 */
export interface Signature {
  id: SignatureId;
  pattern: RegExp;
  status?: number;
  /** Catalog cause sections (C01..C29) in the catalog's order of likelihood. */
  catalog: readonly string[];
}

const S = (id: SignatureId, pattern: RegExp, status: number | undefined, catalog: string[]): Signature =>
  status === undefined ? { id, pattern, catalog } : { id, pattern, status, catalog };

export const SIGNATURES: readonly Signature[] = [
  S('connect_refused', /connect\(\)(?: to \S+)? failed \(111: /, 502, [
    'C01',
    'C02',
    'C04',
    'C07',
    'C19',
    'C20',
    'C28',
    'C29',
  ]),
  S('socket_missing', /connect\(\) to unix:\S+ failed \(2: /, 502, ['C03']),
  S('socket_eacces', /connect\(\) to unix:\S+ failed \(13: /, 502, ['C05', 'C06']),
  S('tcp_eacces', /connect\(\)(?: to (?!unix:)\S+)? failed \(13: /, 502, ['C06']),
  S('backlog_full_unix', /connect\(\) to unix:\S+ failed \(11: /, 502, ['C08']),
  // errno 99 to an IPv6 peer: a host without IPv6 (no ::1 on lo, `disable_ipv6=1`) has no source
  // address of that family, so every connect() fails at once; not port exhaustion (catalog C02).
  // To [::1] also 101: IPv6 is up elsewhere but off on lo, so ::1 has no route; not a firewall.
  S(
    'ipv6_unavailable',
    /connect\(\) to \[(?:::1\]:\d+ failed \((?:99|101)|[0-9a-fA-F:.]+(?:%[\w.-]+)?\]:\d+ failed \(99): /,
    502,
    ['C02', 'C22'],
  ),
  S('unreachable', /connect\(\)(?: to \S+)? failed \((?:113|101|112): /, 502, ['C07', 'C19', 'C20']),
  S('eaddrnotavail', /(?:connect\(\) to \S+|bind\(\S+\)) failed \(99: /, 502, ['C22']),
  S('timeout_connect', /upstream timed out \(110: [^)]{0,80}\) while connecting to upstream/, 504, [
    'C07',
    'C14',
    'C19',
    'C08',
  ]),
  S('timeout_ssl', /upstream timed out \(110: [^)]{0,80}\) while SSL handshaking to upstream/, 504, [
    'C17',
    'C14',
  ]),
  S('timeout_send', /upstream timed out \(110: [^)]{0,80}\) while sending request to upstream/, 504, [
    'C14',
    'C08',
  ]),
  S(
    'timeout_read_header',
    /upstream timed out \(110: [^)]{0,80}\) while reading response header from upstream/,
    504,
    ['C13', 'C08'],
  ),
  S('timeout_read_body', /upstream timed out \(110: [^)]{0,80}\) while reading upstream/, undefined, ['C13']),
  S(
    'premature_header',
    /upstream prematurely closed (?:connection|FastCGI stdout|FastCGI request) while reading response header/,
    502,
    ['C09', 'C10', 'C11', 'C12', 'C16', 'C27'],
  ),
  S('reset_header', /(?:recv|readv)\(\) failed \(104: [^)]{0,80}\) while reading response header/, 502, [
    'C10',
    'C11',
    'C12',
    'C09',
    'C27',
  ]),
  S(
    'send_failed',
    /(?:writev|send|sendfile|SSL_write)\(\) failed \((?:32|104): [^)]{0,80}\) while sending request to upstream/,
    502,
    ['C12', 'C27', 'C10'],
  ),
  S(
    'body_phase_failure',
    /(?:prematurely closed connection|\(104: [^)]{0,80}\)) while reading upstream/,
    undefined,
    ['C09', 'C10', 'C11'],
  ),
  // Tengine 2.2 logs `all servers are down! while connecting to upstream` where nginx logs the
  // first wording (alibaba/tengine#1143).
  S('no_live_upstreams', /no live upstreams|all servers are down!/, 502, ['C21']),
  S('peer_disabled', /upstream server temporarily disabled/, undefined, ['C21']),
  // Tengine's / yaoweibin's ngx_http_upstream_check_module: the active health check took a peer out
  // (`disable check peer: %V `) or a probe failed (`check time out with peer: %V `, `check protocol
  // %V error with peer: %V `). No request of its own, hence no status.
  S(
    'check_peer_down',
    /^(?:disable check peer: |(?:tcp |udp )?check time out with peer: |check protocol \S+ error with peer: |http parse status line error with peer: )/,
    undefined,
    ['C21', 'C01'],
  ),
  S('too_big_header', /upstream sent too big header/, 502, ['C15']),
  S(
    'invalid_header',
    /upstream sent (?:invalid header|duplicate header line|"Content-Length" and "Transfer-Encoding"|invalid "Content-Length"|unknown "Transfer-Encoding"|invalid chunked response|invalid status)/,
    502,
    ['C16'],
  ),
  S(
    'fastcgi_proto',
    /upstream sent unsupported FastCGI protocol version: \d+|upstream sent invalid FastCGI record type/,
    502,
    ['C16'],
  ),
  S('grpc_to_http1', /upstream sent too large http2 frame: 4740180/, 502, ['C16']),
  // nginx relays an HTTP/0.9 reply: the access log shows status 009 (catalog 2, C16).
  S('http09_reply', /upstream sent no valid HTTP\/1\.0 header/, 9, ['C16']),
  S('tls_wrong_version', /SSL_do_handshake\(\) failed .*wrong version number/, 502, ['C17']),
  S(
    'tls_sni',
    /SSL_do_handshake\(\) failed .*(?:alert number 40\b|alert number 112|unrecognized name)/,
    502,
    ['C17'],
  ),
  S('tls_other', /SSL_do_handshake\(\) failed|peer closed connection in SSL handshake/, 502, ['C17']),
  S('tls_verify', /upstream SSL certificate (?:verify error|does not match)/, 502, ['C17']),
  S('dns_runtime', / could not be resolved \(\d+: /, 502, ['C18']),
  S('dns_no_resolver', /no resolver defined to resolve/, 502, ['C18']),
  S('dns_config_load', /host not found in (?:upstream|resolver) "/, undefined, ['C18']),
  // Third-party resolvers in their own words: ngx_upstream_jdomain (`upstream_jdomain: resolver
  // failed ,"%V" (%i: %s))`), nginx-upstream-dynamic-servers (`'%V' resolve timeout and use last
  // ip`), lua-resty-dns callers (`failed to query the DNS server: timeout`), Kong's dns client
  // (`dns server error: 3 name error`, `name resolution failed`, `toip() name lookup failed`).
  S(
    'dns_module',
    /resolver failed ,?"[^"]*" \(\d+: |' resolve timeout and use last ip|failed to query the DNS server|dns server error: \d+ |name resolution failed|toip\(\) name lookup failed|dns client error: /,
    undefined,
    ['C18'],
  ),
  // nginx's own resolver internals (catalog C18), without a request of their own.
  S(
    'dns_resolver_io',
    /^(?:DNS error \(\d+: |unexpected DNS response for |unexpected response for )/,
    undefined,
    ['C18'],
  ),
  // `socket() failed` for an upstream, `socket() 0.0.0.0:80 failed` for a listener at [emerg] on a
  // reload; 23 (ENFILE) is the system-wide table.
  S('fd_socket', /socket\(\)(?: \S+)? failed \(2[34]: /, 500, ['C23']),
  S('fd_accept', /accept4?\(\) failed \(2[34]: /, undefined, ['C23']),
  S('fd_rlimit_warn', /worker_connections exceed open file resource limit/, undefined, ['C23']),
  S('worker_conns', /worker_connections are not enough/, 500, ['C24']),
  // Superset of the catalog's `"[^"]*_temp[^"]*"`: Debian/Ubuntu packages build with temp paths
  // without `_temp` (`--http-client-body-temp-path=/var/lib/nginx/body`, `.../proxy`, ...). The
  // lookahead keeps it linear where `[^"]*_temp[^"]*` backtracks once per `_temp`.
  //
  // ENOSPC (28) and EDQUOT (122) are disk-full whatever the path: RHEL's `/var/lib/nginx/tmp/proxy`,
  // a custom `proxy_temp_path /mnt/cache/tmp`, a cache file. EACCES only on a temp path (elsewhere it
  // is a root/alias problem, not C25); EMFILE on a temp file is the fd limit (fd_other, C23).
  S(
    'temp_file',
    /(?:pwrite|pwritev|write|open|mkdir)\(\) "(?:[^"]*" failed \((?:28|122): |(?=[^"]*(?:_temp|\/nginx\/(?:tmp\/)?(?:body|proxy|fastcgi|uwsgi|scgi|client_body)\/))[^"]*" failed \(13: )/,
    undefined,
    ['C25'],
  ),
  // Any other write that hit a full disk: `write() to "/var/log/nginx/access.log" failed (28: ...)`.
  S('no_space', /failed \((?:28|122): /, undefined, ['C25']),
  // Any other call out of descriptors: `open() "/var/www/x.css" failed (24: Too many open files)`,
  // `epoll_create() failed (24: ...)`, `eventfd() failed`.
  S('fd_other', /\w\(\)(?: "[^"]*"| \S+)? failed \(2[34]: /, undefined, ['C23']),
  // Config errors (`ngx_conf_log_error()` appends ` in <file>:<line>`), logged at [emerg] by a
  // reload (`nginx -s reload`, SIGHUP) that failed: the old config keeps running. A DNS failure at
  // load is dns_config_load above.
  S('config_error', / in \/[^\s:]+:\d+$/, undefined, ['CFG']),
];

/** Catalog section -> cause id of ../../shared/causes.md. C29 (Apache backend) is a context, not a cause. */
const CATALOG_CAUSE: Record<string, Cause | undefined> = {
  C01: 'upstream-down',
  C02: 'upstream-wrong-address',
  C03: 'socket-missing',
  C04: 'socket-stale',
  C05: 'socket-permission',
  C06: 'mac-denied',
  C07: 'network-blocked',
  C08: 'worker-pool-exhausted',
  C09: 'app-worker-timeout',
  C10: 'upstream-crash',
  C11: 'upstream-oom-killed',
  C12: 'keepalive-race',
  C13: 'upstream-slow',
  C14: 'upstream-not-accepting',
  C15: 'header-too-big',
  C16: 'protocol-mismatch',
  C17: 'upstream-tls-error',
  C18: 'dns-failure',
  C19: 'upstream-address-changed',
  C20: 'upstream-address-changed',
  C21: 'no-live-upstreams',
  C22: 'ephemeral-ports-exhausted',
  C23: 'fd-exhausted',
  C24: 'worker-connections-exhausted',
  C25: 'disk-full',
  C26: 'upstream-returned-502',
  C27: 'request-too-large',
  C28: 'restart-window',
  // Not a catalog section: seed cause 3 of causes.md.
  CFG: 'nginx-config-invalid',
};

/** Catalog sections -> distinct cause ids, order kept. */
export function catalogToCauses(catalog: readonly string[]): Cause[] {
  const out: Cause[] = [];
  for (const c of catalog) {
    const cause = CATALOG_CAUSE[c];
    if (cause !== undefined && !out.includes(cause)) out.push(cause);
  }
  return out;
}

export interface Classification {
  id: SignatureId;
  /** Status nginx returns for this failure; `undefined` for warnings, body-phase and startup lines. */
  status?: number;
  /** Candidate causes, most likely first (catalog 3.1 order). */
  causes: readonly Cause[];
  /** The catalog sections the causes come from. */
  catalog: readonly string[];
}

const CLASSIFICATIONS: ReadonlyMap<SignatureId, Classification> = new Map(
  SIGNATURES.map((s) => {
    const c: Classification = {
      id: s.id,
      causes: Object.freeze(catalogToCauses(s.catalog)),
      catalog: s.catalog,
    };
    if (s.status !== undefined) c.status = s.status;
    return [s.id, Object.freeze(c)];
  }),
);

/** First catalog 3.1 signature matching `text` (message + errno + action). */
export function classifyText(text: string): Classification | undefined {
  for (const s of SIGNATURES) {
    if (s.pattern.test(text)) return CLASSIFICATIONS.get(s.id);
  }
  return undefined;
}

/** The text catalog 3.1 matches against: `message (errno: errtext) while action`. */
export function classificationText(
  entry: Pick<ErrorLogEntry, 'message' | 'errno' | 'errtext' | 'action'>,
): string {
  let text = entry.message;
  if (entry.errno !== undefined) text += ` (${entry.errno}: ${entry.errtext ?? ''})`;
  if (entry.action !== undefined) text += ` while ${entry.action}`;
  return text;
}

/** Levels at which a ` in <file>:<line>` message is a failed load, not a deprecation warning. */
const CONFIG_ERROR_LEVELS: ReadonlySet<string> = new Set(['emerg', 'alert', 'crit', 'error']);

/**
 * Classifies a parsed error-log entry. `FastCGI sent in stderr: "..."` entries are the app's own
 * output relayed verbatim (PHP warnings can quote anything, even "no live upstreams"), so they are
 * never matched against nginx's signatures: a deliberate deviation from the literal catalog loop.
 * Entries that carry nginx's `, resolver: <addr>` suffix or the `resolving` action are the resolver
 * talking about its own I/O (`recv() failed (111: Connection refused) while resolving`): DNS, not
 * the upstream. A ` in <file>:<line>` message at [warn] or below is a config warning, not a failed load.
 */
export function classifyEntry(
  entry: Pick<ErrorLogEntry, 'message' | 'errno' | 'errtext' | 'action'> &
    Partial<Pick<ErrorLogEntry, 'resolver' | 'level'>>,
): Classification | undefined {
  if (entry.message.startsWith('FastCGI sent in stderr:')) return undefined;
  const c = classifyText(classificationText(entry));
  if (c?.id !== 'dns_runtime' && (entry.resolver !== undefined || entry.action === 'resolving')) {
    return CLASSIFICATIONS.get('dns_resolver_io');
  }
  if (c?.id === 'config_error' && entry.level !== undefined && !CONFIG_ERROR_LEVELS.has(entry.level)) {
    return undefined;
  }
  return c;
}
