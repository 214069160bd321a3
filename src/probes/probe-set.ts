import { healthProbe } from './defs/health.js';
import { kernelProbe } from './defs/kernel.js';
import { accessLogProbe, errorLogProbe } from './defs/log-tail.js';
import { nginxConfigProbe } from './defs/nginx-config.js';
import { nginxFdsProbe } from './defs/nginx-fds.js';
import { processesProbe } from './defs/processes.js';
import { securityProbe } from './defs/security.js';
import { servicesProbe } from './defs/services.js';
import { socketsProbe } from './defs/sockets.js';
import { systemProbe } from './defs/system.js';
import { upstreamsProbe } from './defs/upstreams.js';
import type { ProbeBatch, ProbeSpec } from './types.js';

/**
 * The fixed, read-only probe set: the only commands diagnose502 ever runs on a host, all on one SSH
 * channel (each channel costs the host an sshd fork and a shell or two). The batch reads the process
 * list and the config first; the client then sends the worker pids and the upstream targets taken from
 * them, which the same batch reads as the input of `nginx-fds` and `upstreams`, and it goes on with
 * the health URLs (in the same bash as the upstream checks), sockets and logs. The CPU sample's first
 * snapshot is taken when the batch starts and its second by `system`, late in the batch, so the
 * probes before it fill the sample's interval instead of a wait.
 * The probes most likely to hang (systemctl waiting on D-Bus) come last, so a hang costs the fewest
 * checks.
 */
export const PROBE_BATCHES: readonly ProbeBatch[] = [
  {
    id: 'host',
    probes: [
      processesProbe,
      nginxConfigProbe,
      nginxFdsProbe,
      upstreamsProbe,
      healthProbe,
      socketsProbe,
      errorLogProbe,
      accessLogProbe,
      kernelProbe,
      securityProbe,
      systemProbe,
      servicesProbe,
    ],
    timeoutMs: 10_000,
  },
];

/** The probes whose results the upstream checks need: the config (targets) and the worker user. */
export const UPSTREAM_INPUTS = [nginxConfigProbe.id, processesProbe.id] as const;

export const ALL_PROBES: readonly ProbeSpec[] = PROBE_BATCHES.flatMap((b) => b.probes);
