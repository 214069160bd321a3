import { setMaxListeners } from 'node:events';
import type { ProbeHost } from '../probes/types.js';
import type { HostReport, TargetReport } from '../report/types.js';
import type { Connect, DiagnoseHostOptions } from './diagnose-host.js';
import { diagnoseHost } from './diagnose-host.js';
import { targetVerdict } from './verdict.js';

/** A group runs its hosts in parallel, at most `concurrency` at once, and keeps the inventory order. */
export async function diagnoseTarget(
  target: string,
  hosts: ProbeHost[],
  connect: Connect,
  options: DiagnoseHostOptions & { concurrency?: number },
): Promise<TargetReport> {
  // Every SSH channel of every host listens on the one signal; the default cap of 10 is a false alarm here.
  if (options.signal) setMaxListeners(0, options.signal);
  const startedAt = new Date((options.now ?? Date.now)()).toISOString();
  const limit = Math.max(1, options.concurrency ?? 10);
  const reports: HostReport[] = new Array(hosts.length);
  let next = 0;
  const worker = async () => {
    while (next < hosts.length) {
      const i = next++;
      const host = hosts[i];
      if (host) reports[i] = await diagnoseHost(host, connect, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, hosts.length) }, worker));
  return { target, verdict: targetVerdict(reports), sinceS: options.sinceS, startedAt, hosts: reports };
}
