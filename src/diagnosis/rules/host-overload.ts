import type { CpuProcess } from '../../probes/defs/system.js';
import type { Evidence, ResourceEvidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action } from './actions.js';
import { windowUpstreamErrors, withSignature } from './log-signals.js';

/** Saturation facts, each a verbatim-able line; thresholds are the usual "this hurts latency" marks. */
export function saturation(r: ResourceEvidence | undefined): string[] {
  if (!r) return [];
  const out: string[] = [];
  if (r.load1 !== undefined && r.cpus && r.load1 >= r.cpus * 2)
    out.push(`load1 ${r.load1} on ${r.cpus} CPUs`);
  if (r.memAvailableKb !== undefined && r.memTotalKb && r.memAvailableKb / r.memTotalKb < 0.05)
    out.push(
      `MemAvailable ${Math.round(r.memAvailableKb / 1024)} MB of ${Math.round(r.memTotalKb / 1024)} MB`,
    );
  if (r.swapTotalKb && r.swapFreeKb !== undefined && r.swapFreeKb / r.swapTotalKb < 0.5)
    out.push(`swap ${Math.round((1 - r.swapFreeKb / r.swapTotalKb) * 100)}% used`);
  if ((r.psi?.cpu ?? 0) >= 50) out.push(`PSI cpu some avg10 ${r.psi?.cpu}%`);
  if ((r.psi?.memory ?? 0) >= 20) out.push(`PSI memory some avg10 ${r.psi?.memory}%`);
  if ((r.psi?.io ?? 0) >= 30) out.push(`PSI io some avg10 ${r.psi?.io}%`);
  if (cpuHogs(r).length > 0) out.push(`CPU ${r.cpuBusyPct}% busy right now`);
  return out;
}

/** CPU busy at or above this share of the sample is saturation. */
const CPU_SATURATED_PCT = 90;
/** Share of one CPU a process used during the sample to count as hogging it. */
const HOG_CPU_PCT = 30;

/**
 * Processes hogging the CPUs right now: the CPUs are saturated and these used a real share of one
 * during the same sample (top's %CPU, so the probes' own short commands do not count). Naming them
 * is what makes "the host is busy" actionable, and what tells a runaway process on this host from
 * a busy neighbour on shared hardware.
 */
export function cpuHogs(r: ResourceEvidence | undefined): CpuProcess[] {
  if ((r?.cpuBusyPct ?? 0) < CPU_SATURATED_PCT) return [];
  return (r?.topCpu ?? []).filter((p) => p.cpuPct >= HOG_CPU_PCT);
}

/**
 * Seed cause 1: CPU, memory, swap, load or I/O saturation makes the app slow (C13/C08 symptoms) or
 * gets it killed. Alongside upstream errors or 5xx any saturation counts. Without them a busy host
 * that serves fine is not why users see 502s, unless processes are hogging its CPUs right now:
 * then they are the lead to follow for intermittent 502/504s (the errors may be elsewhere in time),
 * reported below any error-backed cause.
 */
export function hostOverloadRule(ev: Evidence): Finding[] {
  const facts = saturation(ev.resources);
  if (facts.length === 0) return [];
  const hogs = cpuHogs(ev.resources);
  const errors = windowUpstreamErrors(ev).length;
  const fivexx = (ev.accessLog?.byStatus['502'] ?? 0) + (ev.accessLog?.byStatus['504'] ?? 0);
  const quiet = errors === 0 && fivexx === 0;
  if (quiet && hogs.length === 0) return [];
  const slow = withSignature(
    ev,
    'timeout_read_header',
    'timeout_connect',
    'timeout_send',
    'reset_header',
    'premature_header',
  );
  // Saturation explains timeouts and resets well, refusals or config errors poorly.
  const confidence = quiet ? 0.45 : Math.min(0.7, (slow.length > 0 ? 0.5 : 0.35) + 0.05 * facts.length);
  const top = hogs
    .slice(0, 3)
    .map((p) => `${p.args.split(/\s+/)[0] ?? p.pid} (pid ${p.pid}, ${p.cpuPct}% of a CPU)`)
    .join(', ');
  return [
    {
      cause: 'host-overload',
      confidence,
      title: quiet
        ? `${ev.host} is saturated (${facts.join(', ')})${top ? `: ${top}` : ''}; no upstream errors in the window yet`
        : `${ev.host} is saturated (${facts.join(', ')}) while upstream requests fail`,
      evidence: [...facts, ...hogs.map((p) => p.line)],
      remediation: [
        ...hogSteps(ev, hogs, top),
        'Find the consumer: top -o %CPU; ps -eo pid,rss,comm --sort=-rss | head; vmstat 1 5 (r, wa columns); iotop -o',
        'Shed or move load (cron jobs, backups, runaway workers); then size workers to the cores and RAM the host has.',
        'If it is steady-state demand: add capacity (bigger instance or another app server behind the upstream group).',
      ],
      actions: [action('reduce-load', 'human', `Find and reduce what saturates ${ev.host}`)],
    },
  ];
}

/** What to do about the hogs: foreign processes may be stopped, nginx and the app servers never. */
function hogSteps(ev: Evidence, hogs: CpuProcess[], top: string): string[] {
  const served = new Set([
    ...ev.services.flatMap((s) => s.pids),
    ...ev.nginx.workerPids,
    ...(ev.nginx.masterPid !== undefined ? [ev.nginx.masterPid] : []),
  ]);
  const foreign = hogs.filter((p) => !served.has(p.pid)).map((p) => p.pid);
  const steps: string[] = [];
  if (foreign.length > 0)
    steps.push(
      `Deal with what hogs the CPUs now (${top}): stop what is a runaway (kill ${foreign.join(' ')}), or cap it (systemd CPUQuota=, nice, or move the work off this host).`,
    );
  if (foreign.length < hogs.length)
    steps.push(
      'nginx or an app server itself is CPU-bound: find the hot endpoint (access log by path and time), then add cores or workers.',
    );
  return steps;
}
