import { parseUtcOffset } from '../../parse/time.js';
import { type CheckLine, defineProbe } from '../record.js';
import { CLOCK_START, markedSection, tagged } from './common.js';
import { type ProcessRow, processesProbe } from './processes.js';

/** Paths whose file systems matter for nginx temp files, logs and app state (catalog C25). */
const DISK_PATHS =
  '/ /var /var/log /tmp /run /var/lib/nginx /var/lib/nginx/* /var/cache/nginx /var/cache/nginx/*';

/**
 * Hundredths of a second the CPU sample spans when the CPUs may be busy (see CPU_SCRIPT). Below 100:
 * the script sleeps `0.<rest>`.
 */
export const CPU_SAMPLE_CS = 25;

/** Below this share of busy CPU no rule looks at who uses it, so the busiest processes are not listed. */
export const TOP_CPU_MIN_BUSY_PCT = 50;

/**
 * Ticks (USER_HZ, hundredths of a CPU-second) a short sample's busy count may be off by: /proc/stat
 * rounds each field down at each read, and the shell's own count is read apart from it.
 */
const CPU_SAMPLE_SLACK_TICKS = 3;

/**
 * The CPU sample's first snapshot, taken when the batch starts: /proc/stat, the uptime (to time the
 * interval without `date`), the batch shell's own CPU (its /proc/PID/stat, children included once
 * they have ended) and every process's stat line. The probe itself runs late in its batch and takes
 * the second snapshot there, with no wait and no channel of its own.
 */
export const CPU_START =
  'read -r __s1 < /proc/stat; read -r __u1 _ < /proc/uptime; read -r __o1 < /proc/$$/stat; __t1=$(cat /proc/[0-9]*/stat 2>/dev/null); ';

/**
 * CPU use now, not the load average's minute-long memory, and who uses it, the way top measures:
 * /proc/stat and every process's utime+stime (/proc/PID/stat fields 14, 15; the command name in
 * parentheses may hold spaces) sampled twice. The diagnosis's own programs (the batch's shell and
 * everything it ran: fields 14-17 of its stat) are not counted as busy: over a short interval on a
 * small host they would be most of it. The second snapshot is taken at once, over the interval the
 * probes before it took (nothing idles); only when that interval cannot rule out busy CPUs (the
 * others' share, plus CPU_SAMPLE_SLACK_TICKS of rounding, reaches TOP_CPU_MIN_BUSY_PCT) does the
 * sample wait for the rest of CPU_SAMPLE_CS and take it again, so who uses a busy host's CPUs is
 * measured over the full interval as before. /proc/uptime counts hundredths; anything unexpected in
 * it means the full wait. A process's share is its ticks over the interval's ticks per CPU (no
 * CLK_TCK, no trust in sleep's accuracy on a loaded host). Prints `__STAT` twice, `__OWNCPU <ticks>`,
 * and when the CPUs are busy, `__PCPU <percent of one CPU> <pid>` for the top five; their verbatim
 * rows come from the `processes` probe's ps, which ran between the two snapshots (a process in both
 * was alive then).
 *
 * One awk does all the arithmetic and also reads memory, pressure, file handles, the port range and
 * TIME_WAIT sockets (`tw` of /proc/net/sockstat: IPv4 and IPv6, per network namespace on current
 * kernels, O(1) where walking /proc/net/tcp costs as much as the connection table). The first
 * snapshot is read by `cat` (it skips a process that ends meanwhile, where mawk, Debian's awk, would
 * stop on an input file that is gone); awk itself reads the second with getline, which just fails for
 * a process that has ended, and only for the processes of the first (the only ones with a share). Every
 * program started costs the host about a millisecond, so there are few.
 */
const CPU_SCRIPT =
  // __cs: total and idle ticks of a /proc/stat line; __own: the CPU ticks of a stat line's process
  // and its ended children (the text after the last ") " is field 3 on).
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansions in the remote script
  '__cs() { set -- $1; __a=$((${2:-0} + ${3:-0} + ${4:-0} + ${5:-0} + ${6:-0} + ${7:-0} + ${8:-0} + ${9:-0})); __i=$((${5:-0} + ${6:-0})); }; ' +
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansions in the remote script
  '__own() { set -- ${1##*") "}; __m=$((${12:-0} + ${13:-0} + ${14:-0} + ${15:-0})); }; ' +
  // The second snapshot: busy ticks of the others (all less idle less ours) since the first, and percent.
  '__busy() { read -r s2 < /proc/stat; read -r o2 < /proc/$$/stat; __cs "$__s1"; a=$__a; ia=$__i; __own "$__o1"; ma=$__m; ' +
  '__cs "$s2"; own=$((__m - ma)); all=$((__a - a)); bt=$((all - (__i - ia) - own)); [ $bt -gt 0 ] || bt=0; ' +
  'busy=0; [ $all -gt 0 ] && busy=$((100 * bt / all)); }; ' +
  'psi=; for r in cpu memory io; do [ -r /proc/pressure/$r ] && psi="$psi /proc/pressure/$r"; done; ' +
  // $1: 1 on the full interval (no second look). Prints __RESAMPLE (and stops) when the short interval may
  // hide busy CPUs: it is under two ticks per CPU, or processes of this host other than this shell and
  // its parent (sshd) used CPU in it while the others' share, with its slack, reaches the listing's mark.
  '__top() { printf "%s\\n" "$__t1" | ' +
  `awk -v all=$all -v bt=$bt -v busy=$busy -v min=${TOP_CPU_MIN_BUSY_PCT} -v slack=${CPU_SAMPLE_SLACK_TICKS} -v last=$1 -v self=$$ -v parent=$PPID '` +
  'function ticks(l, f) { sub(/.*\\) /, "", l); split(l, f, " "); return f[12] + f[13] } ' +
  'NR == FNR { t[$1] = ticks($0); next } ' +
  'FILENAME == "/proc/stat" { if ($1 ~ /^cpu[0-9]/) ncpu++; next } ' +
  'FILENAME == "/proc/loadavg" { print "__LOADAVG " $0; next } ' +
  'FILENAME == "/proc/meminfo" { if ($1 ~ /^(MemTotal|MemAvailable|SwapTotal|SwapFree):$/) print "__MEM " $0; next } ' +
  'FILENAME ~ /^\\/proc\\/pressure\\// { if (FNR == 1) { r = FILENAME; sub(/.*\\//, "", r); print "__PSI " r " " $0 } next } ' +
  'FILENAME == "/proc/sys/fs/file-nr" { print "__FILENR " $0; next } ' +
  'FILENAME == "/proc/sys/net/ipv4/ip_local_port_range" { print "__PORTRANGE " $0; next } ' +
  'FILENAME == "/proc/net/sockstat" { if ($1 == "TCP:") for (i = 2; i < NF; i++) if ($i == "tw") print "__TIMEWAIT " $(i + 1); next } ' +
  // The second snapshot of the processes of the first; getline fails (-1) for one that has ended.
  'END { hot = 0; for (p in t) { s = "/proc/" p "/stat"; if ((getline l < s) > 0) { d[p] = ticks(l) - t[p]; if (d[p] > 0 && p != self && p != parent) hot++ } close(s) } ' +
  'if (last != 1 && (all < 2 * ncpu || hot > 0 && 100 * (bt + slack) >= min * all)) { print "__RESAMPLE"; exit } ' +
  'print "__NPROC " ncpu; iv = ncpu > 0 ? all / ncpu : 0; n = 0; ' +
  'if (busy >= min && iv > 0) for (p in d) { x = d[p] * 100 / iv; if (x >= 1) { n++; pc[n] = x; id[n] = p } } ' +
  'for (k = 1; k <= 5 && k <= n; k++) { m = k; for (j = k + 1; j <= n; j++) if (pc[j] > pc[m]) m = j; ' +
  'x = pc[k]; pc[k] = pc[m]; pc[m] = x; x = id[k]; id[k] = id[m]; id[m] = x; ' +
  'printf "__PCPU %.0f %s\\n", pc[k], id[k] } }\' ' +
  '- /proc/stat /proc/loadavg /proc/meminfo $psi /proc/sys/fs/file-nr /proc/sys/net/ipv4/ip_local_port_range /proc/net/sockstat; }; ' +
  `__busy; read -r u2 _ < /proc/uptime; __o=$(__top 0); ` +
  `case "$__o" in *__RESAMPLE*) w=${CPU_SAMPLE_CS}; ` +
  // Only plain `seconds.hundredths` reach the arithmetic: an error there would end the batch's shell.
  'case "$__u1" in "" | *[!0-9.]* | *.*.* | 0* | .*) ;; *.[0-9][0-9]) case "$u2" in "" | *[!0-9.]* | *.*.* | 0* | .*) ;; *.[0-9][0-9]) ' +
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansions in the remote script
  'w=$((w - (${u2%.*}${u2#*.} - ${__u1%.*}${__u1#*.}))) ;; esac ;; esac; ' +
  '[ "$w" -gt 0 ] && { [ "$w" -lt 10 ] && w=0$w; sleep 0.$w; }; __busy; __o=$(__top 1) ;; esac; ' +
  'echo "__STAT $__s1"; echo "__STAT $s2"; echo "__OWNCPU $own"; printf "%s\\n" "$__o"; ';

/**
 * Space and inodes in one `df --output` (GNU); where df lacks it (BusyBox), `df -P` and `df -Pi`.
 * Paths that do not exist on the host are left out by df itself.
 */
const DF_SCRIPT =
  `o=$(df --output=source,size,used,avail,pcent,ipcent,target ${DISK_PATHS} 2>/dev/null); ` +
  'if [ -n "$o" ]; then echo __DFO; echo "$o"; ' +
  `else echo __DF; df -P ${DISK_PATHS} 2>/dev/null; echo __DFI; df -Pi ${DISK_PATHS} 2>/dev/null; fi; echo __END`;

export const systemProbe = defineProbe({
  id: 'system',
  title: 'CPU, memory, disk, file descriptors, ports',
  script: `echo "__DATE $__clock"; ${CPU_SCRIPT}${DF_SCRIPT}`,
  start: [CLOCK_START, CPU_START],
  privileged: false,
  maxBytes: 500_000,
  parse: (stdout) => parseSystem(stdout),
  clock: (s) => (s.nowS === undefined ? undefined : { nowS: s.nowS, utcOffsetMinutes: s.utcOffsetMinutes }),
  check: (s): CheckLine => {
    const warn: string[] = [];
    if (s.cpus && s.load1 !== undefined && s.load1 > s.cpus * 2)
      warn.push(`load ${s.load1} on ${s.cpus} CPUs`);
    const avail = s.mem.MemAvailable;
    const total = s.mem.MemTotal;
    if (avail !== undefined && total && avail / total < 0.05)
      warn.push(`${Math.round(avail / 1024)} MB memory available`);
    for (const d of s.disks)
      if (d.usedPct >= 95 || (d.inodesUsedPct ?? 0) >= 95) warn.push(`${d.mount} ${d.usedPct}% full`);
    return warn.length > 0
      ? { status: 'warn', summary: warn.join('; ') }
      : {
          status: 'ok',
          summary: `load ${s.load1 ?? '?'} on ${s.cpus ?? '?'} CPUs${s.cpuBusyPct !== undefined ? `, CPU ${s.cpuBusyPct}% busy` : ''}, disks below 95%`,
        };
  },
  evidence: (s, view): { resources?: ResourceEvidence } =>
    s
      ? {
          resources: {
            cpus: s.cpus,
            load1: s.load1,
            load5: s.load5,
            cpuBusyPct: s.cpuBusyPct,
            topCpu: topCpu(s.busiest, view.result(processesProbe)),
            memTotalKb: s.mem.MemTotal,
            memAvailableKb: s.mem.MemAvailable,
            swapTotalKb: s.mem.SwapTotal,
            swapFreeKb: s.mem.SwapFree,
            psi: s.psi,
            disks: s.disks,
            fileNr: s.fileNr,
            timeWait: s.timeWait,
            ephemeralRange: s.portRange,
          },
        }
      : {},
});

export interface ResourceEvidence {
  cpus?: number;
  load1?: number;
  load5?: number;
  /** CPU busy over a short sample just now (percent), and who used it then. */
  cpuBusyPct?: number;
  topCpu?: CpuProcess[];
  memTotalKb?: number;
  memAvailableKb?: number;
  swapTotalKb?: number;
  swapFreeKb?: number;
  /** PSI `some avg10` percentages. */
  psi?: { cpu?: number; memory?: number; io?: number };
  /** Mounts with their usage (percent) and inode usage (percent). */
  disks: { mount: string; usedPct: number; inodesUsedPct?: number; availKb: number; line: string }[];
  /** System-wide fds in use and the max (`/proc/sys/fs/file-nr`). */
  fileNr?: { used: number; max: number };
  /** TCP sockets in TIME_WAIT, and the ephemeral range size. */
  timeWait?: number;
  ephemeralRange?: { low: number; high: number };
}

/** A process that used CPU during the sample, with its row of the `processes` probe's ps. */
export interface CpuProcess extends ProcessRow {
  /** Percent of one CPU it used during the sample (top's %CPU). */
  cpuPct: number;
}

export interface SystemFacts {
  nowS?: number;
  utcOffsetMinutes: number;
  cpus?: number;
  load1?: number;
  load5?: number;
  /** Share of CPU time not idle (nor waiting for I/O) between the two samples, percent. */
  cpuBusyPct?: number;
  /** The processes that used the most CPU during the sample, busiest first (at most five). */
  busiest: { pid: number; cpuPct: number }[];
  mem: Record<string, number>;
  psi: { cpu?: number; memory?: number; io?: number };
  fileNr?: { used: number; max: number };
  portRange?: { low: number; high: number };
  timeWait?: number;
  disks: { mount: string; usedPct: number; inodesUsedPct?: number; availKb: number; line: string }[];
}

export function parseSystem(stdout: string): SystemFacts {
  const [date] = tagged(stdout, 'DATE');
  const [nowS, zone] = (date ?? '').split(' ');
  const load = (tagged(stdout, 'LOADAVG')[0] ?? '').split(' ');
  const mem: Record<string, number> = {};
  for (const l of tagged(stdout, 'MEM')) {
    const m = /^(\w+):\s+(\d+)/.exec(l);
    if (m?.[1]) mem[m[1]] = Number(m[2]);
  }
  const psi: SystemFacts['psi'] = {};
  for (const l of tagged(stdout, 'PSI')) {
    const m = /^(cpu|memory|io) some avg10=([\d.]+)/.exec(l);
    if (m?.[1]) psi[m[1] as 'cpu' | 'memory' | 'io'] = Number(m[2]);
  }
  const fileNr = (tagged(stdout, 'FILENR')[0] ?? '').trim().split(/\s+/).map(Number);
  const range = (tagged(stdout, 'PORTRANGE')[0] ?? '').trim().split(/\s+/).map(Number);
  const inodes = new Map<string, number>();
  for (const l of markedSection(stdout, '__DFI')) {
    const f = l.trim().split(/\s+/);
    const pct = /^(\d+)%$/.exec(f[4] ?? '');
    if (pct && f[5]) inodes.set(f[5], Number(pct[1]));
  }
  const disks: SystemFacts['disks'] = [];
  const seen = new Set<string>();
  // `df --output=source,size,used,avail,pcent,ipcent,target`: both percentages on one line.
  for (const l of markedSection(stdout, '__DFO')) {
    const f = l.trim().split(/\s+/);
    const pct = /^(\d+)%$/.exec(f[4] ?? '');
    const mount = f.slice(6).join(' ');
    if (!pct || !mount || seen.has(mount)) continue;
    seen.add(mount);
    const ipct = /^(\d+)%$/.exec(f[5] ?? '');
    disks.push({
      mount,
      usedPct: Number(pct[1]),
      inodesUsedPct: ipct ? Number(ipct[1]) : undefined,
      availKb: Number(f[3]),
      line: l,
    });
  }
  for (const l of markedSection(stdout, '__DF')) {
    const f = l.trim().split(/\s+/);
    const pct = /^(\d+)%$/.exec(f[4] ?? '');
    const mount = f[5];
    if (!pct || !mount || seen.has(mount)) continue;
    seen.add(mount);
    disks.push({
      mount,
      usedPct: Number(pct[1]),
      inodesUsedPct: inodes.get(mount),
      availKb: Number(f[3]),
      line: l,
    });
  }
  const num = (s: string | undefined) =>
    s !== undefined && s !== '' && Number.isFinite(Number(s)) ? Number(s) : undefined;
  return {
    nowS: num(nowS),
    utcOffsetMinutes: parseUtcOffset(zone ?? '') ?? 0,
    cpus: num(tagged(stdout, 'NPROC')[0]),
    load1: num(load[0]),
    load5: num(load[1]),
    cpuBusyPct: cpuBusy(tagged(stdout, 'STAT'), num(tagged(stdout, 'OWNCPU')[0]) ?? 0),
    busiest: busiest(stdout),
    mem,
    psi,
    fileNr:
      fileNr.length >= 3 && fileNr.every(Number.isFinite)
        ? { used: fileNr[0] ?? 0, max: fileNr[2] ?? 0 }
        : undefined,
    portRange:
      range.length === 2 && range.every(Number.isFinite)
        ? { low: range[0] ?? 0, high: range[1] ?? 0 }
        : undefined,
    timeWait: num(tagged(stdout, 'TIMEWAIT')[0]?.trim()),
    disks,
  };
}

/**
 * `cpu  user nice system idle iowait irq softirq steal ...` twice: busy share of the interval, percent,
 * less `own` ticks (the diagnosis's own programs, `__OWNCPU`).
 */
function cpuBusy(samples: string[], own: number): number | undefined {
  const [a, b] = samples.map((l) => l.trim().split(/\s+/).slice(1, 9).map(Number));
  if (!a || !b || a.length < 5 || b.length !== a.length || [...a, ...b].some((n) => !Number.isFinite(n)))
    return undefined;
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  const total = sum(b) - sum(a);
  const idle = (b[3] ?? 0) + (b[4] ?? 0) - (a[3] ?? 0) - (a[4] ?? 0);
  return total > 0 ? Math.round((Math.max(0, total - idle - own) / total) * 100) : undefined;
}

/** `__PCPU <percent> <pid>`, busiest first. */
function busiest(stdout: string): SystemFacts['busiest'] {
  return tagged(stdout, 'PCPU')
    .flatMap((l) => {
      const [cpuPct, pid] = l.trim().split(/\s+/).map(Number);
      return Number.isFinite(cpuPct) && Number.isInteger(pid) ? [{ pid: pid ?? 0, cpuPct: cpuPct ?? 0 }] : [];
    })
    .sort((a, b) => b.cpuPct - a.cpuPct);
}

/**
 * The busiest processes of the CPU sample with their ps rows, busiest first. A process missing from
 * the ps list (it ended before ps ran, or ps failed) has no verbatim row and is left out.
 */
export function topCpu(
  busy: SystemFacts['busiest'],
  processes: readonly ProcessRow[] | undefined,
): CpuProcess[] {
  const byPid = new Map((processes ?? []).map((p) => [p.pid, p]));
  return busy.flatMap(({ pid, cpuPct }) => {
    const row = byPid.get(pid);
    return row ? [{ ...row, cpuPct }] : [];
  });
}
