/** The running state of a diagnosis, folded from the pipeline's progress events (pure). */
import type { CheckResult } from '../probes/check.js';
import type { ProgressEvent } from '../report/types.js';

export interface LiveHost {
  host: string;
  checks: CheckResult[];
  done: boolean;
}

export interface LiveProgress {
  target: string;
  sinceS: number;
  hosts: LiveHost[];
}

export function startProgress(target: string, sinceS: number, hostNames: readonly string[]): LiveProgress {
  return { target, sinceS, hosts: hostNames.map((host) => ({ host, checks: [], done: false })) };
}

/** Returns a new state; the old one is left as it was (it may be in flight to Slack). */
export function applyProgress(state: LiveProgress, event: ProgressEvent): LiveProgress {
  return {
    ...state,
    hosts: state.hosts.map((h) => {
      if (h.host !== event.host) return h;
      if (event.type === 'check') return { ...h, checks: [...h.checks, event.check] };
      if (event.type === 'host-done') return { ...h, done: true };
      return h;
    }),
  };
}
