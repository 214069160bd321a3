import type { Evidence, ResourceEvidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action } from './actions.js';
import { upstreamErrors, withSignature } from './log-signals.js';

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
  return out;
}

/**
 * Seed cause 1: CPU, memory, swap, load or I/O saturation makes the app slow (C13/C08 symptoms) or
 * gets it killed. Reported only alongside upstream errors or 5xx: a busy host that serves fine is
 * not why users see 502s.
 */
export function hostOverloadRule(ev: Evidence): Finding[] {
  const facts = saturation(ev.resources);
  if (facts.length === 0) return [];
  const errors = upstreamErrors(ev).length;
  const fivexx = (ev.accessLog?.byStatus['502'] ?? 0) + (ev.accessLog?.byStatus['504'] ?? 0);
  if (errors === 0 && fivexx === 0) return [];
  const slow = withSignature(
    ev,
    'timeout_read_header',
    'timeout_connect',
    'timeout_send',
    'reset_header',
    'premature_header',
  );
  // Saturation explains timeouts and resets well, refusals or config errors poorly.
  const confidence = Math.min(0.7, (slow.length > 0 ? 0.5 : 0.35) + 0.05 * facts.length);
  return [
    {
      cause: 'host-overload',
      confidence,
      title: `${ev.host} is saturated (${facts.join(', ')}) while upstream requests fail`,
      evidence: facts,
      remediation: [
        'Find the consumer: top -o %CPU; ps -eo pid,rss,comm --sort=-rss | head; vmstat 1 5 (r, wa columns); iotop -o',
        'Shed or move load (cron jobs, backups, runaway workers); then size workers to the cores and RAM the host has.',
        'If it is steady-state demand: add capacity (bigger instance or another app server behind the upstream group).',
      ],
      actions: [action('reduce-load', 'human', `Find and reduce what saturates ${ev.host}`)],
    },
  ];
}
