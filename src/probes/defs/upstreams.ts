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
/** Prints the connect result on one line: `__<i> C <exit code> <message with newlines as spaces>`. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a bash parameter expansion in the remote script
const REPORT_CONNECT = '    rc=$?; out=${out//$\'\\n\'/ }; echo "$p C $rc $out"; ';

/**
 * A TCP connect within CONNECT_TIMEOUT_S without starting a program (`timeout bash -c` costs the host
 * two): bash's /dev/tcp in a process substitution, read with a time limit, then killed, so that a
 * connect to a blackholed address leaves nothing behind. Exit 124 means no answer in time.
 */
const TCP_CONNECT =
  '    exec 4< <({ : 3<>"/dev/tcp/$a/$b"; } 2>&1; echo "__rc $?"); cp=$!; out=; rc=124; ' +
  `    while IFS= read -r -t ${CONNECT_TIMEOUT_S} -u 4 l; do case $l in "__rc "*) rc=\${l#__rc }; break ;; *) out="$out $l" ;; esac; done; ` +
  '    kill $cp 2>/dev/null; exec 4<&-; echo "$p C $rc$out"; ';

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

/** A request to a unix socket upstream (as root, or as the worker user under sudo). */
export const UNIX_CONNECT = `curl -sS -o /dev/null --max-time ${CONNECT_TIMEOUT_S} --unix-socket "$a" http://localhost/`;

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
    'for t in "${ts[@]}"; do [[ $t == "unix "* ]] && { ux=$(ss -lxH 2>/dev/null); break; }; done; i=0; n=0; for t in "${ts[@]}"; do [ -n "$t" ] || continue; read -r kind a b <<< "$t"; ' +
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
    // Under sudo the SSH user may not open the socket: connect as the worker user, as nginx does.
    `    if [ -n "$wuser" ] && [ -n "$D502_SUDO" ]; then out=$($D502_SUDO -u "$wuser" ${UNIX_CONNECT} 2>&1); ` +
    `    else out=$(${UNIX_CONNECT} 2>&1); fi; ` +
    REPORT_CONNECT +
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
      lines.push(`tcp ${t.host.replace(/^\[|\]$/g, '')} ${t.port}`);
      sent.push(t);
    } else if (t.kind === 'unix' && PATH_RE.test(t.path)) {
      lines.push(`unix ${t.path}`);
      sent.push(t);
    } else {
      skipped.push(t);
    }
  }
  return { lines, sent, skipped };
}

export function parseUpstreams(stdout: string, count: number): RawTargetResult[] {
  const out: RawTargetResult[] = Array.from({ length: count }, () => ({ lines: [] }));
  for (const line of stdout.split('\n')) {
    const m = /^__(\d+) ([RCSLW]) ?(.*)$/.exec(line);
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
    }
  }
  return out;
}
