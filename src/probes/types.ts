/** What a probe needs from an SSH session: run one fixed command on its own channel. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  /** Exit code; null when the channel closed without one (timeout, cap, abort). */
  code: number | null;
  timedOut: boolean;
  truncated: boolean;
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
 * A probe is data: a fixed command from this list, its limits, and what to send on stdin.
 * The command text is a constant; everything that varies (paths, targets, URLs) goes through stdin.
 */
export interface ProbeSpec {
  id: string;
  title: string;
  command: string;
  privileged: boolean;
  timeoutMs: number;
  maxBytes: number;
  stdin?: (ctx: ProbeContext) => string;
}
