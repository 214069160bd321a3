import { formatWindow } from '../../parse/format-window.js';
import { cpuHogs, saturation } from '../rules/host-overload.js';
import { withSignature } from '../rules/log-signals.js';
import type { Exclusion } from './exclusion.js';

/** The disk rule's mark (rules/disk-full.ts): below it a disk is not what fails nginx. */
const DISK_FULL_PCT = 97;

/** C11, C22, C23, C25 and host saturation: the host nginx runs on, as the kernel and /proc say. */
export const HOST_EXCLUSIONS: readonly Exclusion[] = [
  {
    cause: 'upstream-oom-killed',
    probes: ['kernel-log'],
    check: (ev) =>
      ev.kernel && ev.kernel.oomKills.length === 0
        ? `OOM kills: none in ${formatWindow((ev.collectedAtMs - ev.windowStartMs) / 1000)}`
        : undefined,
  },
  {
    cause: 'disk-full',
    probes: ['system', 'error-log'],
    check: (ev) => {
      const disks = ev.resources?.disks ?? [];
      if (disks.length === 0 || withSignature(ev, 'temp_file', 'no_space').length > 0) return undefined;
      const fullest = [...disks].sort(
        (a, b) => Math.max(b.usedPct, b.inodesUsedPct ?? 0) - Math.max(a.usedPct, a.inodesUsedPct ?? 0),
      )[0];
      if (!fullest || Math.max(fullest.usedPct, fullest.inodesUsedPct ?? 0) >= DISK_FULL_PCT)
        return undefined;
      const inodes = fullest.inodesUsedPct !== undefined ? `, inodes ${fullest.inodesUsedPct}%` : '';
      const of = disks.length > 1 ? ` (the fullest of ${disks.length})` : '';
      return `disk: ${fullest.usedPct}% used on ${fullest.mount}${inodes}${of}`;
    },
  },
  {
    cause: 'host-overload',
    probes: ['system'],
    check: (ev) => {
      const r = ev.resources;
      if (!r || saturation(r).length > 0 || cpuHogs(r).length > 0) return undefined;
      const parts = [
        r.load1 !== undefined && r.cpus ? `load ${r.load1} on ${r.cpus} CPUs` : undefined,
        r.memAvailableKb !== undefined && r.memTotalKb
          ? `${Math.round((r.memAvailableKb / r.memTotalKb) * 100)}% memory available`
          : undefined,
        r.cpuBusyPct !== undefined ? `CPU ${r.cpuBusyPct}% busy` : undefined,
      ].filter((p): p is string => p !== undefined);
      return parts.length > 0 ? `host: ${parts.join(', ')}` : undefined;
    },
  },
  {
    cause: 'fd-exhausted',
    probes: ['nginx-fds', 'error-log'],
    check: (ev) => {
      const { workerOpenFds: open, workerFdLimit: limit } = ev.nginx;
      if (open === undefined || limit === undefined || open >= limit * 0.9) return undefined;
      if (withSignature(ev, 'fd_socket', 'fd_accept', 'fd_other').length > 0) return undefined;
      return `nginx worker fds: ${open} of ${limit} open`;
    },
  },
  {
    cause: 'ephemeral-ports-exhausted',
    probes: ['system', 'error-log'],
    check: (ev) => {
      const r = ev.resources;
      const range = r?.ephemeralRange ? r.ephemeralRange.high - r.ephemeralRange.low + 1 : undefined;
      const tw = r?.timeWait;
      if (tw === undefined || range === undefined || tw >= range * 0.5) return undefined;
      if (withSignature(ev, 'eaddrnotavail').length > 0) return undefined;
      return `local ports: ${tw} in TIME_WAIT of ${range}`;
    },
  },
];
