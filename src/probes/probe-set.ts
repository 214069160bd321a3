import { kernelProbe } from './defs/kernel.js';
import { accessLogProbe, errorLogProbe } from './defs/log-tail.js';
import { nginxConfigProbe } from './defs/nginx-config.js';
import { nginxFdsProbe } from './defs/nginx-fds.js';
import { processesProbe } from './defs/processes.js';
import { securityProbe } from './defs/security.js';
import { healthProbe, servicesProbe } from './defs/services.js';
import { socketsProbe } from './defs/sockets.js';
import { systemProbe } from './defs/system.js';
import { upstreamsProbe } from './defs/upstreams.js';
import type { ProbeBatch, ProbeSpec } from './types.js';

/**
 * The fixed, read-only probe set: the only commands diagnose502 ever runs on a host, on three SSH
 * channels. The two batches of phase one run at once; the upstream checks follow on a third channel as
 * soon as the `host` batch has named the targets and the worker user (its first probes), while it goes
 * on with the logs. Within a batch the probes most likely to hang (a stuck `nginx -T` include,
 * systemctl waiting on D-Bus) come last, so a hang costs the fewest checks; the CPU sample has a
 * channel of its own so that nothing delays it.
 */
export const PHASE_ONE: readonly ProbeBatch[] = [
  {
    id: 'host',
    probes: [
      processesProbe,
      nginxConfigProbe,
      nginxFdsProbe,
      socketsProbe,
      errorLogProbe,
      accessLogProbe,
      kernelProbe,
      securityProbe,
      healthProbe,
      servicesProbe,
    ],
    timeoutMs: 10_000,
  },
  { id: 'cpu', probes: [systemProbe], timeoutMs: 5000 },
];

/** The probes whose results the upstream checks need: the config (targets) and the worker user. */
export const UPSTREAM_INPUTS = [nginxConfigProbe.id, processesProbe.id] as const;

export const UPSTREAMS_BATCH: ProbeBatch = {
  id: 'upstreams',
  probes: [upstreamsProbe],
  timeoutMs: upstreamsProbe.timeoutMs,
};

export const ALL_PROBES: readonly ProbeSpec[] = [
  ...PHASE_ONE.flatMap((b) => b.probes),
  ...UPSTREAMS_BATCH.probes,
];
