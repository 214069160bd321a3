/** What a probe needs from an SSH session: run one fixed command on its own channel. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  /** Exit code; null when the channel closed without one (timeout, cap, abort). */
  code: number | null;
  timedOut: boolean;
  truncated: boolean;
  /** Stopped by the caller's AbortSignal. */
  aborted?: boolean;
  durationMs: number;
}

export interface RunOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Data for the command (paths, targets): never interpolated into the command text. */
  stdin?: string;
  signal?: AbortSignal;
  /** Prefixed with `sudo -n` when the inventory asks for sudo. */
  privileged?: boolean;
  /**
   * A script that runs unprivileged and calls its privileged programs as `$D502_SUDO program`: on
   * `sudo: true` hosts the runner sets D502_SUDO to `sudo -n` (one fixed command line per program,
   * which a narrow sudoers rule can name: `diagnose502 sudoers`); elsewhere it is empty.
   */
  sudoInside?: boolean;
  /** The rest of the input, written when it resolves (stdin stays open until then). */
  stdinLater?: Promise<string>;
  /** Sees each piece of stdout as it arrives. */
  onStdout?: (chunk: Buffer) => void;
}

export interface CommandRunner {
  run(command: string, options: RunOptions): Promise<CommandResult>;
}

/** The inventory facts a probe may use; data only, never shell text. */
export interface ProbeHost {
  name: string;
  address: string;
  nginx: { errorLog: string; accessLog: string };
  services: ProbeService[];
}

export interface ProbeService {
  name: string;
  kind?: string;
  unit?: string;
  process?: string;
  health?: string;
  logs: Array<{ kind: 'file'; path: string } | { kind: 'journal'; unit: string }>;
}

export interface ProbeContext {
  host: ProbeHost;
  /** The window: how far back logs are read, in seconds. */
  sinceS: number;
}

/**
 * A probe is data: a fixed script from this list, its limits, and what it reads as input. The script is
 * a constant; everything that varies (paths, targets, URLs) is its input, sent on stdin, never spliced
 * into command text. Probes travel to the host in batches (see batch.ts): one SSH channel runs several
 * probe scripts in turn, each still reported as its own check.
 */
export interface ProbeSpec {
  id: string;
  title: string;
  /** A fixed shell fragment (POSIX sh unless `shell` says bash); reads its input, if any, from stdin. */
  script: string;
  shell?: 'sh' | 'bash';
  /** For a bash probe: a POSIX sh script that does the same where bash is missing (BusyBox). */
  fallback?: string;
  /**
   * Calls programs that need root, as `$D502_SUDO program` (privileged-commands.ts lists them): the
   * batch is then run with `sudoInside`, so they go through `sudo -n` on `sudo: true` hosts.
   */
  privileged: boolean;
  /** Cap on the probe's output; more is cut and the probe marked truncated. */
  maxBytes: number;
  /** The probe's input, newline-terminated lines. */
  stdin?: (ctx: ProbeContext) => string;
  /** Its input is made at run time from other probes' results (the upstream targets), not by `stdin`. */
  runtimeInput?: true;
  /**
   * Fragments run once when the probe's batch starts (or right before the script when the probe runs
   * alone): they set shell variables the script reads later, print nothing, and are shared by every
   * probe of the batch that names the same fragment (the host's clock, the CPU sample's first snapshot).
   * A bash probe inside an sh batch runs in a child `bash` and does not see them.
   */
  start?: readonly string[];
  /**
   * The probe's own wall time inside its batch (default DEFAULT_PROBE_TIMEOUT_MS in batch.ts): past
   * it, the batch's watchdog stops the probe's programs and the next probe runs.
   */
  timeoutMs?: number;
}

/** Probes that share one channel, run one after another in this order, after their `start` fragments. */
export interface ProbeBatch<P extends ProbeSpec = ProbeSpec> {
  id: string;
  probes: readonly P[];
  /**
   * Wall time for the whole batch, a last resort behind each probe's own limit (a probe stuck in a
   * builtin of the batch's shell cannot be stopped alone); the probes finished before it runs out
   * keep their results.
   */
  timeoutMs: number;
}
