import type { ProbeSpec } from '../types.js';
import { shScript } from './common.js';

/** Catalog C23: the worker's own limit matters, not `ulimit -n` of the SSH shell. */
export const nginxFdsProbe: ProbeSpec = {
  id: 'nginx-fds',
  title: 'nginx worker file descriptors',
  command: shScript(
    'for p in $(pgrep -f "^nginx: worker" 2>/dev/null | head -n 8); do ' +
      'echo "__W $p $(ls /proc/$p/fd 2>/dev/null | wc -l) $(awk "/Max open files/{print \\$4}" /proc/$p/limits 2>/dev/null)"; done; echo __END',
  ),
  privileged: true,
  timeoutMs: 4000,
  maxBytes: 100_000,
};

export function parseNginxFds(stdout: string): { maxOpen: number; limit?: number } | undefined {
  let maxOpen = -1;
  let limit: number | undefined;
  for (const m of stdout.matchAll(/^__W \d+ (\d+) (\d+)?/gm)) {
    const open = Number(m[1]);
    if (open > maxOpen) {
      maxOpen = open;
      limit = m[2] ? Number(m[2]) : undefined;
    }
  }
  return maxOpen < 0 ? undefined : { maxOpen, limit };
}
