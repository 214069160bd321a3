import type { ProbeSpec } from '../types.js';

/** Catalog C23: the worker's own limit matters, not `ulimit -n` of the SSH shell. */
export const nginxFdsProbe: ProbeSpec = {
  id: 'nginx-fds',
  title: 'nginx worker file descriptors',
  // Shell builtins only: the worker's argv says `nginx: worker process`, its fds are /proc/PID/fd/*.
  script:
    'k=0; for f in /proc/[0-9]*/cmdline; do c=; { read -r c < "$f"; } 2>/dev/null; ' +
    'case "$c" in "nginx: worker"*) ;; *) continue ;; esac; ' +
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansions in the remote script
    'p=${f%/cmdline}; p=${p#/proc/}; set -- /proc/$p/fd/*; n=$#; [ -e "$1" ] || n=0; lim=; ' +
    '{ while read -r a b c d e; do [ "$a $b $c" = "Max open files" ] && lim=$d; done < /proc/$p/limits; } 2>/dev/null; ' +
    'echo "__W $p $n $lim"; k=$((k + 1)); [ $k -ge 8 ] && break; done; echo __END',
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
