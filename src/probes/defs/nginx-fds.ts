import { defineProbe, type NoEvidence } from '../record.js';
import type { ProcessRow } from './processes.js';
import { isNginxWorker, processesProbe } from './processes.js';

/**
 * Catalog C23: the worker's own limit matters, not `ulimit -n` of the SSH shell. Stdin: the worker
 * pids, which the client took from the `processes` probe (no scan of /proc here). Open fds are counted
 * by a glob and each worker's limit is read by `read` (builtins: no program is started).
 */
export const nginxFdsProbe = defineProbe({
  id: 'nginx-fds',
  title: 'nginx worker file descriptors',
  script:
    'while read -r p; do case "$p" in "" | *[!0-9]*) continue ;; esac; ' +
    // Under sudo (the batch runs as a plain user): one `ls` per worker, and no line when it is refused.
    'if [ -n "$D502_SUDO" ]; then l=$($D502_SUDO ls /proc/$p/fd 2>/dev/null) && { set -- $l; echo "__W $p $#"; }; ' +
    'else set -- /proc/$p/fd/*; n=$#; [ -e "$1" ] || n=0; echo "__W $p $n"; fi; ' +
    'while IFS= read -r x; do case $x in "Max open files"*) echo "/proc/$p/limits:$x"; break ;; esac; ' +
    'done 2>/dev/null < /proc/$p/limits; done; echo __END',
  privileged: true,
  runtimeInput: true,
  maxBytes: 100_000,
  // The worker pids, sent once the process list is read.
  inputAfter: [processesProbe],
  input: (view) => `${nginxWorkerPids(view.result(processesProbe)).join('\n')}\n`,
  parse: (stdout) => parseNginxFds(stdout),
  check: (fds) => {
    if (!fds) return { status: 'skipped', summary: 'no nginx worker to inspect' };
    const tight = fds.limit !== undefined && fds.maxOpen >= fds.limit * 0.9;
    return { status: tight ? 'warn' : 'ok', summary: `worker fds ${fds.maxOpen} of ${fds.limit ?? '?'}` };
  },
  // Read by the nginx part (nginx-config.ts): a worker's open fds and its limit.
  evidence: (): NoEvidence => ({}),
});

/** Up to eight nginx worker pids from the process list: the probe's input. */
export function nginxWorkerPids(processes: readonly ProcessRow[] | undefined): number[] {
  return (processes ?? [])
    .filter(isNginxWorker)
    .slice(0, 8)
    .map((p) => p.pid);
}

/** `__W <pid> <open fds>` and `/proc/<pid>/limits:Max open files <soft> <hard> files`. */
export function parseNginxFds(stdout: string): { maxOpen: number; limit?: number } | undefined {
  const limits = new Map<string, number>();
  for (const m of stdout.matchAll(/^\/proc\/(\d+)\/limits:Max open files\s+(\d+|unlimited)/gm)) {
    if (m[1] && m[2] && m[2] !== 'unlimited') limits.set(m[1], Number(m[2]));
  }
  let maxOpen = -1;
  let limit: number | undefined;
  for (const m of stdout.matchAll(/^__W (\d+) (\d+)/gm)) {
    const open = Number(m[2]);
    if (open > maxOpen) {
      maxOpen = open;
      limit = m[1] ? limits.get(m[1]) : undefined;
    }
  }
  return maxOpen < 0 ? undefined : { maxOpen, limit };
}
