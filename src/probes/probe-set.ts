import { healthProbe } from './defs/health.js';
import { kernelProbe } from './defs/kernel.js';
import { accessLogProbe, errorLogProbe } from './defs/log-tail.js';
import { nginxConfigProbe } from './defs/nginx-config.js';
import { nginxFdsProbe } from './defs/nginx-fds.js';
import { processesProbe } from './defs/processes.js';
import { securityProbe } from './defs/security.js';
import { servicesProbe } from './defs/services.js';
import { siteLogsProbe } from './defs/site-logs.js';
import { socketsProbe } from './defs/sockets.js';
import { systemProbe } from './defs/system.js';
import { upstreamsProbe } from './defs/upstreams.js';
import type { AnyProbeRecord, EvidencePartOf, OutputOf } from './record.js';
import type { ProbeBatch } from './types.js';

/**
 * The fixed, read-only probe set: the only commands diagnose502 ever runs on a host, all on one SSH
 * channel (each channel costs the host an sshd fork and a shell or two). The evidence that matters
 * most comes first, so that nothing slow can starve it: the error log, the access log and `nginx -T`.
 * Then the process list; the client sends the worker pids and the upstream targets taken from it and
 * the config, which the same batch reads as the input of `nginx-fds` and `upstreams` (`sockets` runs
 * in between, so the input is usually there before it is read); then the health URLs (in the same bash
 * as the upstream checks). The CPU sample's first snapshot is taken when the batch starts and its
 * second by `system`, late in the batch, so the probes before it fill the sample's interval instead of
 * a wait. Every probe has its own time limit (batch.ts); the probes most likely to hang (systemctl
 * waiting on D-Bus) come last all the same.
 *
 * A probe is one record (record.ts) in its own file under defs/; listing it here is all the rest of the
 * code needs: collection, the check list and the evidence are typed from these records.
 */
export const PROBE_BATCHES = [
  {
    id: 'host',
    probes: [
      errorLogProbe,
      accessLogProbe,
      nginxConfigProbe,
      processesProbe,
      socketsProbe,
      nginxFdsProbe,
      // After every probe whose input waits for another (batch.ts sends the run-time inputs together).
      siteLogsProbe,
      // The two bash probes side by side: one `bash` runs both (batch.ts).
      upstreamsProbe,
      healthProbe,
      kernelProbe,
      securityProbe,
      systemProbe,
      servicesProbe,
    ],
    // Behind the probes' own limits (one stuck probe costs its limit, the rest takes well under 1 s).
    timeoutMs: 10_000,
  },
] as const satisfies readonly ProbeBatch<AnyProbeRecord>[];

/** Every probe's record, in batch order. */
export type ProbeRecords = (typeof PROBE_BATCHES)[number]['probes'][number];
export type ProbeId = ProbeRecords['id'];

export const ALL_PROBES: readonly ProbeRecords[] = PROBE_BATCHES.flatMap((b) => b.probes);

/** The parsed output of each probe, by id: what collection stores. */
export type ProbeOutputs = { [R in ProbeRecords as R['id']]: OutputOf<R> };

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;

/** The evidence the probes give together: each record's part (the Evidence the rules read adds the host and window). */
export type EvidenceParts = UnionToIntersection<EvidencePartOf<ProbeRecords>>;

/**
 * The checks without which "no cause found" cannot be said: the error log is where nginx writes every
 * 502/504 it makes, and the config (`nginx -T`/`nginx -t`) says which upstreams there are, and whether
 * nginx can even load it. When either could not run, a host with no finding is inconclusive, not
 * clear. The access log, the upstream checks and the rest add evidence but do not decide alone.
 */
export const ESSENTIAL_PROBES: readonly ProbeId[] = [errorLogProbe.id, nginxConfigProbe.id];
