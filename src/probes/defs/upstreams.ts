import type { UpstreamTarget } from '../../diagnosis/parse/types.js';
import type { ProbeSpec } from '../types.js';
import { bashScript } from './common.js';

/** How long one connect attempt may take: long enough for a loaded host, short enough to report fast. */
export const CONNECT_TIMEOUT_S = 2;

/**
 * Every upstream target checked from the nginx host itself, all in parallel. Stdin: the nginx worker
 * user, then `tcp HOST PORT` or `unix PATH` lines, which come from the parsed config and are checked
 * against strict patterns before they are sent. Each output line is prefixed with the target's index.
 */
export const upstreamsProbe: ProbeSpec = {
  id: 'upstreams',
  title: 'Upstream connectivity',
  command: bashScript(
    'read -r wuser; i=0; ' +
      'while read -r kind a b; do ' +
      '( p="__$i"; ' +
      '  if [ "$kind" = tcp ]; then ' +
      '    case "$a" in *[!0-9.]*) case "$a" in *:*) ;; *) echo "$p R $(getent ahosts "$a" | cut -d" " -f1 | sort -u | tr "\\n" " ")";; esac;; esac; ' +
      `    out=$(timeout ${CONNECT_TIMEOUT_S} bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$a" "$b" 2>&1); echo "$p C $? $(echo $out | tr "\\n" " ")"; ` +
      '  else ' +
      '    if [ -S "$a" ]; then echo "$p S $(stat -c "%U %G %a" -- "$a")"; elif [ -e "$a" ]; then echo "$p S notsocket"; else echo "$p S missing"; fi; ' +
      '    if ss -lxH 2>/dev/null | tr -s " " | grep -qF " $a "; then echo "$p L yes"; else echo "$p L no"; fi; ' +
      '    if [ -n "$wuser" ] && command -v runuser >/dev/null 2>&1; then ' +
      '      if runuser -u "$wuser" -- test -w "$a" 2>/dev/null; then echo "$p W yes"; else echo "$p W no"; fi; fi; ' +
      `    out=$(timeout ${CONNECT_TIMEOUT_S + 1} curl -sS -o /dev/null --max-time ${CONNECT_TIMEOUT_S} --unix-socket "$a" http://localhost/ 2>&1); echo "$p C $? $(echo $out | tr "\\n" " ")"; ` +
      '  fi ) & i=$((i+1)); ' +
      'done; wait; echo __END',
  ),
  privileged: true,
  timeoutMs: (CONNECT_TIMEOUT_S + 3) * 1000,
  maxBytes: 200_000,
};

const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9])?|\[?[0-9A-Fa-f:.]+\]?)$/;
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

export interface RawTargetResult {
  resolved?: string[];
  connectExit?: number;
  connectMessage?: string;
  socket?: 'missing' | 'notsocket' | { owner: string; group: string; mode: string };
  listening?: boolean;
  workerMayWrite?: boolean;
  lines: string[];
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
