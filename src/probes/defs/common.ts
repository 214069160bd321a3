/** Every probe script starts here: sbin on PATH (non-login shells lack it), C locale for stable output. */
export const PRELUDE = 'PATH="$PATH:/usr/sbin:/sbin"; export LC_ALL=C; ';

/**
 * A `start` fragment: the host's clock and zone, read once per batch (one `date` instead of one per
 * probe). Probes print it as `__DATE $__clock`; a batch lasts seconds at most, so a clock read at its
 * start moves a 15-minute window's start by no more than that.
 */
export const CLOCK_START = '__clock=$(date "+%s %z" 2>/dev/null); ';

/** Quote a constant script for `sh -c` so that sudo can prefix the whole thing. */
export function shScript(script: string): string {
  return `sh -c '${(PRELUDE + script).replaceAll("'", "'\\''")}'`;
}

/** Same, for scripts that need bash (`/dev/tcp`). */
export function bashScript(script: string): string {
  return `bash -c '${(PRELUDE + script).replaceAll("'", "'\\''")}'`;
}

/** Lines of a section that starts with `marker` and ends at the next `__` marker line. */
export function section(stdout: string, marker: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('__')) {
      inside = line === marker;
      continue;
    }
    if (inside && line.length > 0) out.push(line);
  }
  return out;
}

/** Values of lines `__KEY rest`. */
export function tagged(stdout: string, key: string): string[] {
  const prefix = `__${key} `;
  return stdout
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .map((l) => l.slice(prefix.length));
}
