import { defineProbe, plural } from '../record.js';
import { markedSection } from './common.js';
import { type ProcessRow, processesProbe } from './processes.js';

export interface ListeningSocket {
  kind: 'tcp' | 'unix';
  /** `127.0.0.1:8080`, `[::1]:5000`, `*:80`, or a unix path. */
  address: string;
  recvQ: number;
  sendQ: number;
  /** Process names from `users:(("name",pid=…))`. */
  processes: string[];
  pids: number[];
  line: string;
}

export const socketsProbe = defineProbe({
  id: 'sockets',
  title: 'Listening sockets',
  // One ss for both families: every ss run costs the host ~7 ms of CPU (it walks /proc for -p).
  script: 'echo __SS; $D502_SUDO ss -lnpH -t -x 2>&1',
  privileged: true,
  maxBytes: 2_000_000,
  parse: (stdout) => parseSockets(stdout),
  check: (sockets) => {
    const tcp = sockets.filter((s) => s.kind === 'tcp').length;
    const unix = sockets.filter((s) => s.kind === 'unix').length;
    return { status: 'ok', summary: `${plural(tcp, 'TCP listener')}, ${plural(unix, 'unix listener')}` };
  },
  evidence: (sockets, view): { listeners?: ListenerEvidence[] } =>
    sockets ? { listeners: listeners(sockets, view.result(processesProbe)) } : {},
});

export interface ListenerEvidence {
  /** `127.0.0.1:8001`, `[::1]:5000`, `*:80`, or a unix socket path. */
  address: string;
  /** Process names as ss shows them (`gunicorn`, `php-fpm8.2`, `node`). */
  processes: string[];
  pids: number[];
  /** Seconds since the oldest of those processes started (the master of a pre-fork server). */
  ageS?: number;
  line: string;
}

/**
 * Every listening socket with the age of its oldest process: where an app listens when the inventory
 * names no service (or the wrong one), and when that process started (a restart window).
 */
function listeners(
  sockets: readonly ListeningSocket[],
  processes: readonly ProcessRow[] | undefined,
): ListenerEvidence[] {
  const age = new Map((processes ?? []).map((p) => [p.pid, p.ageS]));
  return sockets.map((s) => {
    const ages = s.pids.map((p) => age.get(p)).filter((a): a is number => a !== undefined);
    return {
      address: s.address,
      processes: s.processes,
      pids: s.pids,
      ...(ages.length > 0 ? { ageS: Math.max(...ages) } : {}),
      line: s.line,
    };
  });
}

function owners(line: string): { processes: string[]; pids: number[] } {
  const processes: string[] = [];
  const pids: number[] = [];
  for (const m of line.matchAll(/\("([^"]+)",pid=(\d+)/g)) {
    if (m[1] && !processes.includes(m[1])) processes.push(m[1]);
    pids.push(Number(m[2]));
  }
  return { processes, pids };
}

export function parseSockets(stdout: string): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  // `ss -lnpH -t -x` starts each line with its Netid.
  for (const line of markedSection(stdout, '__SS')) {
    const f = line.trim().split(/\s+/);
    const i = f.indexOf('LISTEN');
    if (i < 0) continue;
    if (f[0] === 'tcp') {
      // tcp LISTEN 0 511 0.0.0.0:80 0.0.0.0:* users:(("nginx",pid=12,fd=6))
      if (f.length < i + 4) continue;
      out.push({
        kind: 'tcp',
        address: f[i + 3] ?? '',
        recvQ: Number(f[i + 1]),
        sendQ: Number(f[i + 2]),
        ...owners(line),
        line: line.replace(/^tcp\s+/, ''),
      });
    } else if (f[0]?.startsWith('u_')) {
      // u_str LISTEN 0 511 /run/php/php8.2-fpm.sock 12345 * 0 users:(("php-fpm8.2",pid=1,fd=8))
      const path = f.find((x) => x.startsWith('/') || x.startsWith('@'));
      if (!path) continue;
      out.push({
        kind: 'unix',
        address: path,
        recvQ: Number(f[i + 1]),
        sendQ: Number(f[i + 2]),
        ...owners(line),
        line,
      });
    }
  }
  return out;
}

/** `0.0.0.0:8080` / `*:8080` / `[::]:8080` listen on every address of their family. */
export function portOf(address: string): number | undefined {
  const m = /:(\d+)$/.exec(address);
  return m ? Number(m[1]) : undefined;
}
