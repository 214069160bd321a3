/**
 * Runs one command on its own exec channel of an established ssh2 connection. Timeouts, the byte
 * cap and aborts never throw and never hang: the remote process group gets SIGTERM (then SIGKILL),
 * the channel is closed, and the promise resolves with what was read so far.
 */
import type { Logger } from 'pino';
import type { Client, ClientChannel } from 'ssh2';
import { SshError } from './errors.js';

export interface SshRunOptions {
  /** Wall time for the command, from when its channel is requested. */
  timeoutMs: number;
  /** Cap on each of stdout and stderr; more output stops the command and sets `truncated`. */
  maxBytes: number;
  /** Data for the command (paths, targets): never interpolated into the command text. */
  stdin?: string | Buffer;
  signal?: AbortSignal;
  /** Prefixed with `sudo -n` when the host's inventory entry says `sudo: true`. */
  privileged?: boolean;
  /**
   * A script that runs unprivileged and calls its privileged programs as `$D502_SUDO program`: on
   * `sudo: true` hosts the runner sets D502_SUDO to `sudo -n` (one fixed command line per program,
   * which a narrow sudoers rule can name: `diagnose502 sudoers`); elsewhere it is empty.
   */
  sudoInside?: boolean;
  /** The rest of the input, written when it resolves (stdin stays open until then). */
  stdinLater?: Promise<string>;
  /** Sees each piece of stdout as it arrives (within the cap), for progress while the command runs. */
  onStdout?: (chunk: Buffer) => void;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Exit code; null when the channel closed without one (timeout, cap, abort, killed). */
  code: number | null;
  /** Signal that ended the process, e.g. `SIGTERM`. */
  signal?: string;
  timedOut: boolean;
  truncated: boolean;
  aborted: boolean;
  durationMs: number;
}

/** How long to wait for the process to die after SIGTERM, and for the channel to close after SIGKILL. */
const TERM_GRACE_MS = 500;
const KILL_GRACE_MS = 500;

/**
 * Quotes one argument for a POSIX shell. Commands come from a fixed list and data goes via stdin;
 * this is for the rare argument built from inventory data.
 */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('shellQuote: an argument cannot contain a NUL byte');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command as sent: `sudo -n` (never prompt, fail instead) for privileged commands on sudo hosts;
 * for a script that calls sudo itself (`sudoInside`), D502_SUDO set for it.
 */
export function commandLine(
  command: string,
  options: { sudo: boolean; privileged: boolean; sudoInside?: boolean },
): string {
  if (!options.sudo) return command;
  if (options.privileged) return `sudo -n ${command}`;
  return options.sudoInside ? `D502_SUDO='sudo -n'; export D502_SUDO; ${command}` : command;
}

interface ChannelInternals {
  outgoing?: { id?: number; state?: string };
  _client?: { _protocol?: { signal?: (id: number, name: string) => void } };
}

/**
 * Sends a signal request (sshd delivers it to the command's process group). ssh2's
 * `channel.signal()` refuses once stdin has been ended, which is always the case here (commands
 * get EOF right away so they never wait for input); the SSH protocol allows the request after
 * EOF, so fall back to ssh2's protocol object, guarded in case its internals change.
 */
function sendSignal(channel: ClientChannel, name: 'TERM' | 'KILL'): void {
  try {
    const internals = channel as unknown as ChannelInternals;
    const state = internals.outgoing?.state;
    const id = internals.outgoing?.id;
    const protocol = internals._client?._protocol;
    if (state === 'open' && channel.writable) channel.signal(name);
    else if (state === 'eof' && typeof id === 'number' && typeof protocol?.signal === 'function') {
      protocol.signal(id, name);
    }
  } catch {
    // The channel is already gone; closing it below is all that is left to do.
  }
}

export interface RunContext {
  /** Inventory name of the host, for errors and logs. */
  host: string;
  logger?: Logger | undefined;
}

/** Runs `command` (already prefixed as needed) on a new channel of `client`. */
export function runOnClient(
  client: Client,
  command: string,
  options: SshRunOptions,
  context: RunContext,
): Promise<RunResult> {
  const started = performance.now();
  const { maxBytes, signal } = options;
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const bytes = { stdout: 0, stderr: 0 };

  return new Promise<RunResult>((resolve, reject) => {
    let channel: ClientChannel | undefined;
    let stopped: 'timeout' | 'cap' | 'abort' | undefined;
    let truncated = false;
    let code: number | null = null;
    let exitSignal: string | undefined;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    const cleanup = () => {
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      client.removeListener('close', onConnectionClose);
    };
    const finish = () => {
      if (settled) return;
      cleanup();
      const result: RunResult = {
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        code,
        timedOut: stopped === 'timeout',
        truncated,
        aborted: stopped === 'abort',
        durationMs: Math.round(performance.now() - started),
      };
      if (exitSignal !== undefined) result.signal = exitSignal;
      context.logger?.debug(
        { host: context.host, command, code, timedOut: result.timedOut, truncated, aborted: result.aborted },
        'ssh command finished',
      );
      resolve(result);
    };
    const stop = (reason: 'timeout' | 'cap' | 'abort') => {
      if (stopped !== undefined || settled) return;
      stopped = reason;
      const open = channel;
      // Not open yet: resolve now; the exec callback closes the channel if it still arrives.
      if (open === undefined) return finish();
      sendSignal(open, 'TERM');
      timers.push(
        setTimeout(() => {
          sendSignal(open, 'KILL');
          open.close();
          timers.push(setTimeout(finish, KILL_GRACE_MS));
        }, TERM_GRACE_MS),
      );
    };
    const onAbort = () => stop('abort');
    // The connection went away under a running command: that is a failure to check, not a result
    // (unless the command was being stopped anyway, then it is the timeout/cap/abort result).
    const onConnectionClose = () => {
      if (settled) return;
      if (stopped !== undefined) return finish();
      cleanup();
      reject(
        new SshError('session-closed', context.host, `the SSH connection closed while running: ${command}`),
      );
    };

    const collect = (which: 'stdout' | 'stderr', chunk: Buffer) => {
      if (settled || truncated) return;
      const room = maxBytes - bytes[which];
      const take = chunk.length > room ? chunk.subarray(0, Math.max(0, room)) : chunk;
      (which === 'stdout' ? stdout : stderr).push(take);
      bytes[which] += take.length;
      if (which === 'stdout' && take.length > 0) options.onStdout?.(take);
      if (take.length < chunk.length) {
        truncated = true;
        stop('cap');
      }
    };

    if (signal?.aborted) {
      stopped = 'abort';
      finish();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    client.once('close', onConnectionClose);
    timers.push(setTimeout(() => stop('timeout'), options.timeoutMs));

    const onChannel = (error: Error | undefined, opened: ClientChannel) => {
      if (error !== undefined) {
        if (settled) return;
        cleanup();
        reject(
          new SshError('channel-failed', context.host, `could not open an SSH channel: ${error.message}`, {
            cause: error,
          }),
        );
        return;
      }
      opened.on('error', (channelError: Error) => {
        context.logger?.debug({ host: context.host, err: channelError }, 'ssh channel error');
      });
      if (settled || stopped !== undefined) {
        opened.close();
        return finish();
      }
      channel = opened;
      opened.on('data', (chunk: Buffer) => collect('stdout', chunk));
      opened.stderr.on('data', (chunk: Buffer) => collect('stderr', chunk));
      opened.on('exit', (exitCode: number | null, signalName?: string) => {
        if (typeof exitCode === 'number') code = exitCode;
        if (typeof signalName === 'string') exitSignal = signalName;
      });
      opened.on('close', finish);
      // EOF right away when there is no input, so a command that reads stdin cannot wait forever.
      if (options.stdinLater !== undefined) {
        if (options.stdin !== undefined) opened.write(options.stdin);
        options.stdinLater.then(
          (rest) => {
            if (!settled && stopped === undefined) opened.end(rest);
          },
          () => {
            if (!settled && stopped === undefined) opened.end();
          },
        );
      } else if (options.stdin === undefined) opened.end();
      else opened.end(options.stdin);
    };

    try {
      client.exec(command, (error, opened) => onChannel(error, opened));
    } catch (error) {
      cleanup();
      reject(
        new SshError(
          'session-closed',
          context.host,
          `the SSH connection is closed: ${(error as Error).message}`,
          {
            cause: error,
          },
        ),
      );
    }
  });
}
