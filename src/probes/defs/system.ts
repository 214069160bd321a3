import type { ProbeSpec } from '../types.js';
import { section, shScript, tagged } from './common.js';

/** Paths whose file systems matter for nginx temp files, logs and app state (catalog C25). */
const DISK_PATHS =
  '/ /var /var/log /tmp /run /var/lib/nginx /var/lib/nginx/* /var/cache/nginx /var/cache/nginx/*';

export const systemProbe: ProbeSpec = {
  id: 'system',
  title: 'CPU, memory, disk, file descriptors, ports',
  command: shScript(
    'echo "__DATE $(date +%s) $(date +%z)"; echo "__NPROC $(nproc 2>/dev/null)"; ' +
      'echo "__LOADAVG $(cat /proc/loadavg)"; ' +
      "grep -E '^(MemTotal|MemAvailable|SwapTotal|SwapFree):' /proc/meminfo | sed 's/^/__MEM /'; " +
      'for r in cpu memory io; do [ -r /proc/pressure/$r ] && echo "__PSI $r $(head -n1 /proc/pressure/$r)"; done; ' +
      'echo "__FILENR $(cat /proc/sys/fs/file-nr)"; ' +
      'echo "__PORTRANGE $(cat /proc/sys/net/ipv4/ip_local_port_range)"; ' +
      'echo "__TIMEWAIT $(ss -Htan state time-wait 2>/dev/null | wc -l)"; ' +
      `echo __DF; df -P ${DISK_PATHS} 2>/dev/null | sort -u; echo __DFI; df -Pi ${DISK_PATHS} 2>/dev/null | sort -u; echo __END`,
  ),
  privileged: false,
  timeoutMs: 4000,
  maxBytes: 500_000,
};

export interface SystemFacts {
  nowS?: number;
  utcOffsetMinutes: number;
  cpus?: number;
  load1?: number;
  load5?: number;
  mem: Record<string, number>;
  psi: { cpu?: number; memory?: number; io?: number };
  fileNr?: { used: number; max: number };
  portRange?: { low: number; high: number };
  timeWait?: number;
  disks: { mount: string; usedPct: number; inodesUsedPct?: number; availKb: number; line: string }[];
}

/** `+0130` → 90. */
export function parseUtcOffset(z: string): number {
  const m = /^([+-])(\d\d)(\d\d)$/.exec(z.trim());
  if (!m) return 0;
  const v = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -v : v;
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
  for (const l of section(stdout, '__DFI')) {
    const f = l.trim().split(/\s+/);
    const pct = /^(\d+)%$/.exec(f[4] ?? '');
    if (pct && f[5]) inodes.set(f[5], Number(pct[1]));
  }
  const disks: SystemFacts['disks'] = [];
  const seen = new Set<string>();
  for (const l of section(stdout, '__DF')) {
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
    utcOffsetMinutes: parseUtcOffset(zone ?? ''),
    cpus: num(tagged(stdout, 'NPROC')[0]),
    load1: num(load[0]),
    load5: num(load[1]),
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
