import type { NginxConfig, UpstreamTarget } from '../../parse/types.js';
import { type CheckLine, defineProbe, type ProbeView, plural } from '../record.js';
import { type RawTargetResult, type TargetCheck, targetState } from '../target-state.js';
import { CONNECT_TIMEOUT_S, RESOLVE_TIMEOUT_S } from './common.js';
import { nginxConfigProbe } from './nginx-config.js';
import { isNginxWorker, processesProbe } from './processes.js';

/**
 * How many targets are checked at once: a config with hundreds of upstream servers must not start
 * hundreds of shells (each with a lookup and a connect) on a host that is already in trouble.
 */
export const MAX_PARALLEL_TARGETS = 16;

/**
 * Every upstream target checked from the nginx host itself, MAX_PARALLEL_TARGETS at a time. Stdin: the nginx worker
 * user, then `tcp HOST PORT` or `unix PATH` lines, which come from the parsed config and are checked
 * against strict patterns before they are sent. Each output line is prefixed with the target's index.
 */
/**
 * FastCGI's FCGI_GET_VALUES management record (version 1, type 9, request id 0) asking for
 * FCGI_MPXS_CONNS: php-fpm answers it with FCGI_GET_VALUES_RESULT (type 10) and logs nothing, where an
 * HTTP request would make it reset the connection. As printf escapes: header, name-value pair, padding.
 */
const FCGI_GET_VALUES =
  '\\x01\\x09\\x00\\x00\\x00\\x11\\x07\\x00\\x0f\\x00FCGI_MPXS_CONNS\\x00\\x00\\x00\\x00\\x00\\x00\\x00';

/**
 * A TCP connect within CONNECT_TIMEOUT_S without starting a program (`timeout bash -c` costs the host
 * two): bash's /dev/tcp in a process substitution, read with a time limit, then killed, so that a
 * connect to a blackholed address leaves nothing behind. Exit 124 means no answer in time. Nothing is
 * sent (an HTTP request into a uwsgi, SCGI or gRPC port is an error line in that server's log),
 * except to a FastCGI target, which gets FCGI_GET_VALUES (`__F yes` when a FastCGI server answered).
 */
const TCP_CONNECT =
  '    exec 4< <({ exec 3<>"/dev/tcp/$a/$b"; } 2>&1; r=$?; echo "__rc $r"; ' +
  `      if [ $r = 0 ] && [ "$pr" = fcgi ]; then printf '${FCGI_GET_VALUES}' >&3; ` +
  `        if IFS= read -r -N 2 -t ${CONNECT_TIMEOUT_S} -u 3 x && [ "$x" = $'\\x01\\n' ]; then echo "__F yes"; else echo "__F no"; fi; fi); cp=$!; out=; rc=124; f=; ` +
  `    while IFS= read -r -t ${CONNECT_TIMEOUT_S} -u 4 l; do case $l in "__rc "*) rc=\${l#__rc }; [ "$rc" = 0 ] && [ "$pr" = fcgi ] || break ;; "__F "*) f=\${l#__F }; break ;; *) out="$out $l" ;; esac; done; ` +
  '    kill $cp 2>/dev/null; exec 4<&-; echo "$p C $rc$out"; [ -z "$f" ] || echo "$p F $f"; ';

/**
 * Every unix-socket target in one perl (perl-base is on every Debian and Ubuntu host; bash cannot open a
 * unix socket): perl starts once per host, not once per socket (~10 ms of the host's CPU each with
 * IO::Socket, plus a `stat` and a `runuser` each). Arguments: the nginx worker user (empty: not
 * checked here), its group ids as `id -G` gives them (through NSS, as `runuser` would set them up: a
 * group from LDAP or SSSD counts, which enumerating /etc/group would miss), then `PREFIX PATH
 * PROTOCOL` for each socket. Each socket gets its own child (at most MAX_PARALLEL_TARGETS at once,
 * forks without exec), which prints, in one write, the lines the parser reads:
 * - `S owner group mode` of the socket file (followed, as nginx follows it), or `S missing` / `S notsocket`;
 * - `C code message`: the connect within CONNECT_TIMEOUT_S, as root (0 accepted, 7 refused, 124 no
 *   answer in time, 13 denied, 1 anything else); nothing is sent but FastCGI's FCGI_GET_VALUES, as
 *   for TCP, and `F yes` when a FastCGI server answered it;
 * - `W yes|no`: whether the worker user may connect: the child drops to that user (its groups too) and
 *   opens the socket for writing, which the kernel refuses with EACCES when the user may not write it
 *   (mode, groups and ACLs alike) and otherwise with ENXIO (a socket cannot be opened); nothing
 *   reaches the server. Only as root; under sudo, `sudo -u USER test -w` says it instead.
 * No module is loaded (Socket alone costs the host ~5 ms): AF_UNIX and SOCK_STREAM are 1 on Linux, and
 * where SOCK_STREAM is not (MIPS) the connect fails with EPROTOTYPE and Socket's own values are used.
 */
const UNIX_CHECKS = [
  'my ($u, $g) = splice @ARGV, 0, 2; my ($uid, @gids);',
  'if ($u ne "" && $> == 0 && (my @pw = getpwnam $u)) { $uid = $pw[2]; @gids = ($pw[3], $g =~ /^[0-9]+( [0-9]+)*$/ ? split / /, $g : $pw[3]); }',
  'my $n = 0;',
  'while (@ARGV >= 3) { my ($p, $q, $pr) = splice @ARGV, 0, 3;',
  `  if ($n >= ${MAX_PARALLEL_TARGETS}) { wait; $n--; }`,
  '  my $pid = fork; if (!defined $pid) { syswrite STDOUT, "$p C 1 fork: $!\\n"; next; } if ($pid) { $n++; next; }',
  '  my $o = "";',
  '  if (-S $q) { my @s = stat _; $o .= sprintf "%s S %s %s %o\\n", $p, scalar(getpwuid $s[4]) // "UNKNOWN", scalar(getgrgid $s[5]) // "UNKNOWN", $s[2] & 07777; }',
  '  elsif (-e _) { $o .= "$p S notsocket\\n"; } else { $o .= "$p S missing\\n"; }',
  '  my ($c, $f);',
  '  eval { local $SIG{ALRM} = sub { die "alarm\\n" };',
  `    alarm ${CONNECT_TIMEOUT_S}; my $s; my $r;`,
  '    if (length $q > 107) { $! = 36; } else { socket($s, 1, 1, 0) and $r = connect($s, pack("S a108", 1, $q));',
  '      if (!$r && $! =~ /wrong type/) { require Socket; socket($s, Socket::AF_UNIX(), Socket::SOCK_STREAM(), 0) and $r = connect($s, Socket::pack_sockaddr_un($q)); } }',
  '    if (!$r) { my $e = $! + 0; $o .= "$p C " . ($e == 111 ? 7 : $e == 11 ? 124 : $e == 13 ? 13 : 1) . " connect: $!\\n"; }',
  '    else { $c = 1; $o .= "$p C 0\\n";',
  '      if ($pr eq "fcgi") { syswrite $s, pack("C8", 1, 9, 0, 0, 0, 17, 7, 0) . pack("CC", 15, 0) . "FCGI_MPXS_CONNS" . ("\\0" x 7);',
  '        my $x = ""; sysread $s, $x, 8; my ($v, $t) = unpack "CC", $x . "\\0\\0"; $f = $v == 1 && $t == 10 ? "yes" : "no"; } }',
  '    alarm 0; };',
  '  if ($@ eq "alarm\\n") { if ($c) { $f = "no" if $pr eq "fcgi"; } else { $o .= "$p C 124\\n"; } }',
  '  $o .= "$p F $f\\n" if defined $f;',
  '  if (defined $uid) { $) = join " ", @gids; $> = $uid;',
  '    if ($> == $uid) { my $w = -S $q ? (sysopen(my $h, $q, 1) || $! =~ /No such device/) : -w $q; $o .= "$p W " . ($w ? "yes" : "no") . "\\n"; } }',
  '  syswrite STDOUT, $o; exit 0; }',
  '1 while wait != -1;',
].join(' ');

/**
 * Without perl, a unix socket is not connected to: `ss -lx` says whether anything listens (`C 0` with
 * the reason when it does), `stat` gives its owner and mode and `runuser` (as root) whether the worker
 * user may write it.
 */
const UNIX_WITHOUT_PERL =
  '    if [ -S "$a" ]; then echo "$p S $(stat -L -c "%U %G %a" -- "$a")"; elif [ -e "$a" ]; then echo "$p S notsocket"; else echo "$p S missing"; fi; ' +
  '    if [ -n "$wuser" ] && [ -z "$D502_SUDO" ] && command -v runuser >/dev/null 2>&1; then ' +
  '      if runuser -u "$wuser" -- test -w "$a" 2>/dev/null; then echo "$p W yes"; else echo "$p W no"; fi; fi; ' +
  '    if [[ $ux == *" $a "* ]]; then echo "$p C 0 listening (ss -lx); not connected to: no perl on the host"; ' +
  '    else echo "$p C 7 nothing listens (ss -lx)"; fi; ';

/**
 * A name lookup within RESOLVE_TIMEOUT_S, read like the connect above: `getent` in a process
 * substitution, its lines read with a time limit, then killed. Its own RES_OPTIONS timeout is longer,
 * so that a resolver that does not answer shows as no answer in time (`R?` and the nameservers of
 * /etc/resolv.conf, read by builtins), never as a name that does not exist (`R` with no address).
 * Without an answer there is nothing to connect to, and the target's check ends there.
 */
const RESOLVE =
  '      exec 5< <(RES_OPTIONS="timeout:' +
  String(RESOLVE_TIMEOUT_S + 1) +
  ' attempts:1" getent ahosts "$a"); gp=$!; r=; ' +
  // `read` fails with 1 at the end of getent's output and above 128 when its time is up.
  `      while :; do IFS= read -r -t ${RESOLVE_TIMEOUT_S} -u 5 l; s=$?; [ $s -eq 0 ] || break; ` +
  // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansions in the remote script
  '        ip=${l%% *}; [[ " $r " == *" $ip "* ]] || r="$r $ip"; done; kill $gp 2>/dev/null; exec 5<&-; ' +
  '      if [ $s -gt 128 ] && [ -z "$r" ]; then ns=; ' +
  '        while read -r k v _; do [ "$k" = nameserver ] && ns="$ns $v"; done < /etc/resolv.conf 2>/dev/null; ' +
  '        echo "$p R?$ns"; exit; fi; ' +
  '      echo "$p R$r"; fi; ';

export const upstreamsProbe = defineProbe({
  id: 'upstreams',
  title: 'Upstream connectivity',
  shell: 'bash',
  runtimeInput: true,
  // bash expansions instead of tr/cut/sort pipelines, and `ss -lx` once for every unix socket: each
  // program started costs the host about a millisecond, per target, per host.
  script:
    'read -r wuser; mapfile -t ts; ux=; us=(); ' +
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansions in the remote script
    'for t in "${ts[@]}"; do [[ $t == "unix "* ]] && { ux=$(ss -lxH 2>/dev/null); break; }; done; i=0; n=0; for t in "${ts[@]}"; do [ -n "$t" ] || continue; read -r kind a b pr <<< "$t"; p="__$i"; i=$((i+1)); ' +
    // A unix socket: whether it listens (the one `ss -lx`), under sudo whether the worker user may
    // write it (`sudo -u USER test -w`, one fixed command); the rest in the one perl below.
    'if [ "$kind" != tcp ]; then ' +
    '  if [[ $ux == *" $a "* ]]; then echo "$p L yes"; else echo "$p L no"; fi; ' +
    '  if [ -n "$wuser" ] && [ -n "$D502_SUDO" ]; then ' +
    '    if $D502_SUDO -u "$wuser" test -w "$a" 2>/dev/null; then echo "$p W yes"; else echo "$p W no"; fi; fi; ' +
    '  us+=("$p" "$a" "$pr"); continue; fi; ' +
    // At most MAX_PARALLEL_TARGETS TCP checks run: past that, wait for one to end (`wait -n`, bash 4.3+).
    `if [ "$n" -ge ${MAX_PARALLEL_TARGETS} ]; then wait -n; n=$((n-1)); fi; ` +
    '( ' +
    '    if [[ $a == *[!0-9.]* && $a != *:* ]]; then ' +
    RESOLVE +
    TCP_CONNECT +
    ') & n=$((n+1)); ' +
    'done; ' +
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansions in the remote script
    'if [ ${#us[@]} -gt 0 ]; then if command -v perl >/dev/null 2>&1; then ' +
    '  w=; g=; if [ -z "$D502_SUDO" ] && [ -n "$wuser" ]; then w=$wuser; g=$(id -G -- "$wuser" 2>/dev/null); fi; ' +
    `  perl -e '${UNIX_CHECKS}' -- "$w" "$g" "\${us[@]}"; ` +
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansions in the remote script
    'else set -- "${us[@]}"; while [ $# -ge 3 ]; do p=$1; a=$2; shift 3; ' +
    UNIX_WITHOUT_PERL +
    'done; fi; fi; ' +
    'wait; echo __END',
  privileged: true,
  maxBytes: 200_000,
  // The lookup (RESOLVE_TIMEOUT_S) and the connect (CONNECT_TIMEOUT_S) of up to MAX_PARALLEL_TARGETS
  // targets run in parallel; more targets that do not answer take longer, and the probe says it timed out.
  timeoutMs: (RESOLVE_TIMEOUT_S + CONNECT_TIMEOUT_S + 1) * 1000,
  // The targets come from the config, the worker user from the process list (or the config).
  inputAfter: [nginxConfigProbe, processesProbe],
  input: (view) => {
    const { lines } = probeableTargets(configOf(view)?.targets ?? []);
    const workerUser = view.result(processesProbe)?.find(isNginxWorker)?.user ?? configOf(view)?.user ?? '';
    return `${/^[a-z_][a-z0-9_-]*$/i.test(workerUser) ? workerUser : ''}\n${lines.map((l) => `${l}\n`).join('')}`;
  },
  parse: (stdout, { view }): UpstreamsResult => {
    const { sent, skipped } = probeableTargets(configOf(view)?.targets ?? []);
    return { targets: sent, skipped, results: parseUpstreams(stdout, sent.length) };
  },
  notChecked: (_, view) => (configOf(view) ? undefined : NO_CONFIG),
  check: (u, view): CheckLine => {
    if (u.targets.length === 0) {
      const why = configOf(view) ? 'no upstream targets in the nginx configuration' : NO_CONFIG;
      return {
        status: 'skipped',
        summary: `${why}${u.skipped.length > 0 ? ` (${u.skipped.length} not checkable)` : ''}`,
      };
    }
    const states = u.targets.map((t, i) => targetState(t, u.results[i]));
    const bad = states.filter((s) => s.state !== 'open');
    if (bad.length === 0) return { status: 'ok', summary: `${plural(states.length, 'target')} reachable` };
    return { status: 'fail', summary: bad.map((s) => s.detail).join('; ') };
  },
  // When the probe could not run, the targets it was sent read as not checked.
  evidence: (u, view): { targets: TargetCheck[] } => {
    const targets = u?.targets ?? probeableTargets(configOf(view)?.targets ?? []).sent;
    return { targets: targets.map((t, i) => targetState(t, u?.results[i])) };
  },
});

const NO_CONFIG = 'no nginx configuration to read upstreams from';

const configOf = (view: ProbeView): NginxConfig | undefined => view.result(nginxConfigProbe)?.config;

/** The targets sent to the host (in the order of their results), those not checkable, and what was seen. */
export interface UpstreamsResult {
  targets: UpstreamTarget[];
  skipped: UpstreamTarget[];
  results: RawTargetResult[];
}

/**
 * A host name or an IP address (IPv6 with or without brackets) and nothing else: the only host text
 * that is sent to a host, for upstream targets and health URLs alike.
 */
export const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9])?|\[?[0-9A-Fa-f:.]+\]?)$/;
const PATH_RE = /^\/[A-Za-z0-9._@/+-]{0,250}$/;

/** Only targets whose text is plainly a host, port or path are sent; the rest are reported as not checked. */
export function probeableTargets(targets: UpstreamTarget[]): {
  lines: string[];
  sent: UpstreamTarget[];
  skipped: UpstreamTarget[];
} {
  const lines: string[] = [];
  const sent: UpstreamTarget[] = [];
  const skipped: UpstreamTarget[] = [];
  for (const t of targets) {
    if (
      t.kind === 'tcp' &&
      HOST_RE.test(t.host) &&
      Number.isInteger(t.port) &&
      t.port > 0 &&
      t.port < 65536
    ) {
      lines.push(`tcp ${t.host.replace(/^\[|\]$/g, '')} ${t.port} ${checkProtocol(t)}`);
      sent.push(t);
    } else if (t.kind === 'unix' && PATH_RE.test(t.path)) {
      lines.push(`unix ${t.path} - ${checkProtocol(t)}`);
      sent.push(t);
    } else {
      skipped.push(t);
    }
  }
  return { lines, sent, skipped };
}

/**
 * How a target is checked: `fcgi` (FCGI_GET_VALUES) when only fastcgi_pass reaches it, else `connect`
 * (a bare connect: nothing is sent into an HTTP, uwsgi, SCGI or gRPC endpoint).
 */
export function checkProtocol(t: UpstreamTarget): 'fcgi' | 'connect' {
  return t.via.length > 0 && t.via.every((v) => v === 'fastcgi_pass') ? 'fcgi' : 'connect';
}

export function parseUpstreams(stdout: string, count: number): RawTargetResult[] {
  const out: RawTargetResult[] = Array.from({ length: count }, () => ({ lines: [] }));
  for (const line of stdout.split('\n')) {
    const m = /^__(\d+) ([RCSLWF]) ?(.*)$/.exec(line);
    if (!m) continue;
    const r = out[Number(m[1])];
    if (!r) continue;
    const v = (m[3] ?? '').trim();
    switch (m[2]) {
      case 'R':
        if (v.startsWith('?')) {
          r.resolverSilent = v.slice(1).split(/\s+/).filter(Boolean);
          r.lines.push(
            `getent ahosts: no answer within ${RESOLVE_TIMEOUT_S}s (/etc/resolv.conf: ${r.resolverSilent.map((n) => `nameserver ${n}`).join(', ') || 'no nameserver'})`,
          );
          break;
        }
        r.resolved = v.split(/\s+/).filter(Boolean);
        r.lines.push(`getent ahosts: ${v || '(no addresses)'}`);
        break;
      case 'C': {
        const sp = v.indexOf(' ');
        r.connectExit = Number(sp < 0 ? v : v.slice(0, sp));
        r.connectMessage = sp < 0 ? '' : v.slice(sp + 1).trim();
        if (r.connectMessage) r.lines.push(r.connectMessage);
        break;
      }
      case 'S': {
        if (v === 'missing' || v === 'notsocket') r.socket = v;
        else {
          const [owner = '', group = '', mode = ''] = v.split(' ');
          r.socket = { owner, group, mode };
        }
        break;
      }
      case 'L':
        r.listening = v === 'yes';
        break;
      case 'W':
        r.workerMayWrite = v === 'yes';
        break;
      case 'F':
        r.fastcgiAnswered = v === 'yes';
        r.lines.push(
          v === 'yes'
            ? 'FCGI_GET_VALUES: answered (FCGI_GET_VALUES_RESULT)'
            : `FCGI_GET_VALUES: no FastCGI answer within ${CONNECT_TIMEOUT_S}s (is this a FastCGI server?)`,
        );
        break;
    }
  }
  return out;
}
