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
import type { ProbeSpec } from './types.js';

/**
 * The fixed, read-only probe set: the only commands diagnose502 ever runs on a host.
 * Phase one runs all at once; `upstreams` follows once the config says what to check.
 */
export const PHASE_ONE: readonly ProbeSpec[] = [
  nginxConfigProbe,
  errorLogProbe,
  accessLogProbe,
  processesProbe,
  socketsProbe,
  systemProbe,
  kernelProbe,
  servicesProbe,
  healthProbe,
  securityProbe,
  nginxFdsProbe,
];

export const PHASE_TWO: readonly ProbeSpec[] = [upstreamsProbe];

export const ALL_PROBES: readonly ProbeSpec[] = [...PHASE_ONE, ...PHASE_TWO];
