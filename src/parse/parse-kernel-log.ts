import { ctimeToEpochMs, parseIsoTime, syslogTimeToEpochMs } from './time.js';
import type { KernelEvidence, OomKill } from './types.js';

/**
 * Kernel log lines (`dmesg`, `dmesg -T`, `dmesg --time-format iso`, `journalctl -k` in its short,
 * short-iso and short-monotonic outputs). Catalog C11 OOM forms, C10 segfault/traps lines, and the
 * network-stack warnings of catalog section 9 (SYN flooding, conntrack table full).
 */
export interface KernelLogOptions {
  /** Lines dated before this are skipped; undated lines are kept. */
  sinceMs?: number;
  /** Boot time (epoch ms) to date raw `[12345.678901]` uptime stamps; see `bootTimeMsFromUptime`. */
  bootTimeMs?: number;
  /** Host offset for `dmesg -T` and journald `short` stamps (local time, no zone). */
  utcOffsetMinutes?: number;
  /** Reference for the year of journald `short` stamps (defaults to `sinceMs`). */
  referenceMs?: number;
}

/** Boot time from the host's clock and `/proc/uptime` (first field), both read at the same moment. */
export function bootTimeMsFromUptime(nowMs: number, uptimeS: number): number {
  return nowMs - uptimeS * 1000;
}

/** Epoch ms of a raw dmesg uptime stamp (`12345.678901` s since boot). */
export function kernelUptimeToEpochMs(uptimeS: number, bootTimeMs: number): number {
  return bootTimeMs + uptimeS * 1000;
}

// `Out of memory: Killed process 1234 (gunicorn)`, `... Kill process 1234 (php-fpm) score 912 or sacrifice child`,
// `Memory cgroup out of memory: Killed process ...`, and the bare `Killed process 1234 (php-fpm) total-vm:` of old kernels.
/**
 * Every line this parser uses matches this (POSIX ERE, also a valid JS pattern): the kernel-log probe
 * keeps only such lines on the host. Keep it in step with the patterns below (a unit test checks).
 */
export const KERNEL_LINE_PATTERN =
  'Kill(ed)? process|oom-kill:|segfault at|traps: |Possible SYN flooding on port|nf_conntrack: table full|too many orphaned sockets';

// Bounded: a process name is at most 15 bytes (TASK_COMM_LEN), and an unbounded `[^)]*` retried the
// rest of a line of repeated `Killed process 1 (` from each repeat (23 s on 1 MiB).
const OOM_KILLED_RE = /\bKill(?:ed)? process (\d{1,10}) \(([^)]{0,64})\)/;
const OOM_CONTEXT_RE = /[Oo]ut of memory|\bKilled process \d{1,10} \([^)]{0,64}\) total-vm:/;
// `oom-kill:constraint=CONSTRAINT_NONE,...,task=gunicorn,pid=1026306,uid=32767` (kernels >= 4.19).
const OOM_KILL_TASK_RE = /[,:]task=([^,\s]{0,64}),pid=(\d{1,10})/;
// The victim's cgroup on the same `oom-kill:` line: ties a kill to a systemd unit or a container.
const TASK_MEMCG_RE = /[,:]task_memcg=([^,\s]*)/;
const SEGFAULT_RE = /\bsegfault at [0-9a-fA-F]+\b|\btraps: \S+\[\d+\] /;
const OTHER_RE = /Possible SYN flooding on port|nf_conntrack: table full|too many orphaned sockets/;

const UPTIME_RE = /^\[\s*(\d+\.\d+)\]/;
const DMESG_T_RE =
  /^\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Za-z]{3}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4})\]/;
const ISO_START_RE = /^\d{4}-\d\d-\d\dT/;
const SYSLOG_RE = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d:\d\d:\d\d) /;

/** The line's time, when its stamp can be dated with the options given. */
export function kernelLineTimeMs(line: string, opts: KernelLogOptions = {}): number | undefined {
  const offset = opts.utcOffsetMinutes ?? 0;
  const up = UPTIME_RE.exec(line);
  if (up)
    return opts.bootTimeMs === undefined ? undefined : kernelUptimeToEpochMs(Number(up[1]), opts.bootTimeMs);
  const t = DMESG_T_RE.exec(line);
  if (t) return ctimeToEpochMs(t.slice(1, 7), offset);
  if (ISO_START_RE.test(line)) return parseIsoTime(line, offset);
  const s = SYSLOG_RE.exec(line);
  const ref = opts.referenceMs ?? opts.sinceMs;
  if (s && ref !== undefined) return syslogTimeToEpochMs(s[1] ?? '', Number(s[2]), s[3] ?? '', offset, ref);
  return undefined;
}

export function parseKernelLog(text: string, opts: KernelLogOptions = {}): KernelEvidence {
  const ev: KernelEvidence = { oomKills: [], segfaults: [], other: [] };
  const seen = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const oom = oomVictim(line);
    const segfault = !oom && SEGFAULT_RE.test(line);
    const other = !oom && !segfault && OTHER_RE.test(line);
    if (!oom && !segfault && !other) continue;
    const t = kernelLineTimeMs(line, opts);
    if (opts.sinceMs !== undefined && t !== undefined && t < opts.sinceMs) continue;
    if (segfault) ev.segfaults.push(line);
    else if (other) ev.other.push(line);
    else if (oom) {
      // One kill logs both `oom-kill:...task=X,pid=N` and `Killed process N (X)`: keep one, the
      // readable line, with the cgroup of the other.
      const key = `${oom.pid}/${oom.process}`;
      const at = seen.get(key);
      const kill: OomKill =
        at === undefined ? { line, process: oom.process, pid: oom.pid } : (ev.oomKills[at] as OomKill);
      if (at === undefined) {
        seen.set(key, ev.oomKills.length);
        ev.oomKills.push(kill);
      } else if (/Killed process/.test(line)) kill.line = line;
      if (t !== undefined && kill.timeMs === undefined) kill.timeMs = t;
      if (oom.memcg !== undefined) kill.memcg = oom.memcg;
    }
  }
  return ev;
}

function oomVictim(line: string): { process: string; pid: number; memcg?: string } | undefined {
  const k = OOM_KILLED_RE.exec(line);
  if (k && OOM_CONTEXT_RE.test(line)) return { pid: Number(k[1]), process: k[2] ?? '' };
  const i = line.indexOf('oom-kill:');
  if (i >= 0) {
    const rest = line.slice(i + 8);
    const t = OOM_KILL_TASK_RE.exec(rest);
    const memcg = TASK_MEMCG_RE.exec(rest)?.[1];
    if (t) return { process: t[1] ?? '', pid: Number(t[2]), ...(memcg ? { memcg } : {}) };
  }
  return undefined;
}
