/**
 * Every probe script starts here: sbin on PATH (non-login shells lack it), C locale for stable output,
 * and name lookups bounded (glibc's RES_OPTIONS overrides resolv.conf's `options`): a resolver that
 * does not answer costs `nginx -T` (which resolves literal upstream names) and `getent` at most
 * RESOLVE_TIMEOUT_S per nameserver instead of resolv.conf's default 5 s times 2 attempts. The answer
 * is the same, only sooner: nginx itself would wait the full time and then fail the same way.
 */
export const RESOLVE_TIMEOUT_S = 2;
/** How long one upstream connect attempt may take: long enough for a loaded host, short enough to report fast. */
export const CONNECT_TIMEOUT_S = 2;
export const PRELUDE = `PATH="$PATH:/usr/sbin:/sbin"; export LC_ALL=C; RES_OPTIONS="timeout:${RESOLVE_TIMEOUT_S} attempts:1"; export RES_OPTIONS; `;

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

/**
 * bash for the probes that need it, without the user's startup files. Debian's bash sources
 * /etc/bash.bashrc and ~/.bashrc for `bash -c` when it thinks sshd started it (SSH_CLIENT is set and
 * it is the first bash level, which it is again below the `sh -c` batch): a .bashrc that runs
 * `pyenv init` or prints a banner would cost every diagnosis and write into the probe's output.
 * `--norc` turns that off; an empty BASH_ENV keeps bash from reading any other file.
 */
export const BASH = 'BASH_ENV= bash --norc';

/** Same, for scripts that need bash (`/dev/tcp`); sudo resets BASH_ENV itself. */
export function bashScript(script: string): string {
  return `bash --norc -c '${(PRELUDE + script).replaceAll("'", "'\\''")}'`;
}

/** Lines of a section that starts with `marker` and ends at the next `__` marker line. */
export function markedSection(stdout: string, marker: string): string[] {
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
