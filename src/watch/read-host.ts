/**
 * One reading of a watched host, over SSH: the cheap part of the fixed probe set (probes/defs/), no
 * text of its own. The access log's tail (its 502/504 over the last interval, in the `log_format`
 * `nginx -T` shows), the config (the upstream targets) and the process list (nginx's worker user), then
 * the upstream connectivity checks: the same records, scripts and parsers as a diagnosis, in one batch.
 */
import { HostFacts } from '../facts/host-facts.js';
import { redact } from '../parse/redact.js';
import type { Connect } from '../pipeline/diagnose-host.js';
import { collectHost } from '../probes/collect-host.js';
import { accessLogProbe } from '../probes/defs/log-tail.js';
import { nginxConfigProbe } from '../probes/defs/nginx-config.js';
import { processesProbe } from '../probes/defs/processes.js';
import { upstreamsProbe } from '../probes/defs/upstreams.js';
import type { ProbeRecords } from '../probes/probe-set.js';
import { describeTarget } from '../probes/target-state.js';
import type { ProbeBatch, ProbeHost } from '../probes/types.js';
import type { WatchSample } from './watch-state.js';

export const WATCH_BATCH: ProbeBatch<ProbeRecords> = {
  id: 'watch',
  probes: [accessLogProbe, nginxConfigProbe, processesProbe, upstreamsProbe],
  timeoutMs: 10_000,
};

const reasonOf = (err: unknown) => redact(err instanceof Error ? err.message : String(err));

/** Reads `host` once; never throws for a host problem (an unreachable host is a sample with `error`). */
export async function readHost(
  host: ProbeHost,
  connect: Connect,
  intervalMs: number,
  signal?: AbortSignal,
  now: () => number = Date.now,
): Promise<WatchSample> {
  const at = now();
  let session: Awaited<ReturnType<Connect>>;
  try {
    session = await connect(host, signal);
  } catch (err) {
    return { at, rate: null, checked: 0, failing: [], error: reasonOf(err) };
  }
  try {
    // The window is the interval, measured on the host's clock as a diagnosis measures it.
    const facts = new HostFacts({ host, sinceS: Math.max(1, Math.round(intervalMs / 1000)) }, now);
    await collectHost(session, facts, { signal, batches: [WATCH_BATCH] });
    const tail = facts.result(accessLogProbe);
    const stats = accessLogProbe.evidence(tail, facts).accessLog;
    const rate = stats ? (stats.byStatus['502'] ?? 0) + (stats.byStatus['504'] ?? 0) : null;
    const ran = facts.result(upstreamsProbe);
    const targets = ran ? upstreamsProbe.evidence(ran, facts).targets : [];
    // Failed, or ran without a config to read targets from (notChecked): not a clean reading.
    const unchecked =
      facts.unavailable[upstreamsProbe.id] ?? (ran ? undefined : 'the upstream checks did not run');
    return {
      at,
      rate,
      ...(unchecked !== undefined ? { unchecked: redact(unchecked) } : {}),
      checked: targets.length,
      failing: targets.filter((t) => t.state !== 'open').map((t) => redact(describeTarget(t.target))),
    };
  } finally {
    await Promise.resolve()
      .then(() => session.close())
      .catch(() => {});
  }
}
