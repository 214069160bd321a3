import type { Cause } from '../../parse/causes.js';
import type { ProbeId } from '../../probes/probe-set.js';
import type { Evidence } from '../evidence.js';

/**
 * One way a cause is excluded: the probes whose results it reads, and the line it gives when they
 * show the cause absent (undefined when they show it present, or cannot say).
 */
export interface Exclusion {
  cause: Cause;
  probes: readonly ProbeId[];
  check: (ev: Evidence) => string | undefined;
}

/** `a, b, c and 2 more`: a few names on one line. */
export function fewNames(names: readonly string[], max = 3): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}
