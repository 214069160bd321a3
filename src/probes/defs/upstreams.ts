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
 * A unix-socket connect, with the same exit codes (0 accepted, 7 refused, 124 no answer in time), by
 * perl (perl-base is on every Debian and Ubuntu host; bash cannot open a unix socket). Nothing is sent
 * but FastCGI's FCGI_GET_VALUES, as for TCP. Without perl the socket is not connected to: `ss -lx`
 * says whether anything listens (`C 0` with the reason when it does). Under sudo it runs as the SSH
 * user, who may not open the socket (13): then `ss -lx` and `test -w` as the worker user say the rest.
 */
const UNIX_CONNECT =
  '    if command -v perl >/dev/null 2>&1; then ' +
  `      perl -MIO::Socket::UNIX -e '$SIG{ALRM}=sub{print "$ARGV[2] C 124\\n" unless $c; print "$ARGV[2] F no\\n" if $c; exit}; alarm ${CONNECT_TIMEOUT_S}; ` +
  '$s=IO::Socket::UNIX->new(Type=>SOCK_STREAM(),Peer=>$ARGV[0]) or do { $e=$!+0; print "$ARGV[2] C ", ($e==111?7:$e==11?124:$e==13?13:1), " connect: $!\\n"; exit }; ' +
  '$c=1; print "$ARGV[2] C 0\\n"; if ($ARGV[1] eq "fcgi") { $|=1; print $s pack("C8",1,9,0,0,0,17,7,0).pack("CC",15,0)."FCGI_MPXS_CONNS".("\\0" x 7); ' +
  '$b=""; sysread($s,$b,8); ($v,$t)=unpack("CC",$b."\\0\\0"); print "$ARGV[2] F ", ($v==1 && $t==10 ? "yes" : "no"), "\\n" }\' -- "$a" "$pr" "$p"; ' +
  '    elif [[ $ux == *" $a "* ]]; then echo "$p C 0 listening (ss -lx); not connected to: no perl on the host"; ' +
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
    'read -r wuser; mapfile -t ts; ux=; ' +
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansions in the remote script
    'for t in "${ts[@]}"; do [[ $t == "unix "* ]] && { ux=$(ss -lxH 2>/dev/null); break; }; done; i=0; n=0; for t in "${ts[@]}"; do [ -n "$t" ] || continue; read -r kind a b pr <<< "$t"; ' +
    // At most MAX_PARALLEL_TARGETS checks run: past that, wait for one to end (`wait -n`, bash 4.3+).
    `if [ "$n" -ge ${MAX_PARALLEL_TARGETS} ]; then wait -n; n=$((n-1)); fi; ` +
    '( p="__$i"; ' +
    '  if [ "$kind" = tcp ]; then ' +
    '    if [[ $a == *[!0-9.]* && $a != *:* ]]; then ' +
    RESOLVE +
    TCP_CONNECT +
    '  else ' +
    '    if [ -S "$a" ]; then echo "$p S $(stat -c "%U %G %a" -- "$a")"; elif [ -e "$a" ]; then echo "$p S notsocket"; else echo "$p S missing"; fi; ' +
    '    if [[ $ux == *" $a "* ]]; then echo "$p L yes"; else echo "$p L no"; fi; ' +
    // As the worker user: runuser as root, `sudo -n -u` under sudo (one fixed command, test -w PATH).
    '    if [ -n "$wuser" ] && [ -n "$D502_SUDO" ]; then ' +
    '      if $D502_SUDO -u "$wuser" test -w "$a" 2>/dev/null; then echo "$p W yes"; else echo "$p W no"; fi; ' +
    '    elif [ -n "$wuser" ] && command -v runuser >/dev/null 2>&1; then ' +
    '      if runuser -u "$wuser" -- test -w "$a" 2>/dev/null; then echo "$p W yes"; else echo "$p W no"; fi; fi; ' +
    UNIX_CONNECT +
    '  fi ) & i=$((i+1)); n=$((n+1)); ' +
    'done; wait; echo __END',
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
