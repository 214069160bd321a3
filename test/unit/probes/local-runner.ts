import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandResult, CommandRunner, RunOptions } from '../../../src/probes/types.js';

/**
 * Runs commands with the machine's real sh, as sshd would run them: stdin, later stdin, timeout,
 * streaming, abort. `path` replaces PATH, to show what a probe does on a host that lacks some tool; `env`
 * adds to the environment (what sshd would set).
 */
export function shRunner(path?: string, env: Record<string, string> = {}): CommandRunner {
  return {
    run(command: string, options: RunOptions): Promise<CommandResult> {
      return new Promise((resolve) => {
        const started = performance.now();
        const childEnv = { ...process.env, ...env, ...(path === undefined ? {} : { PATH: path }) };
        const child = spawn('sh', ['-c', command], {
          stdio: ['pipe', 'pipe', 'pipe'],
          detached: true,
          env: childEnv,
        });
        let stdout = '';
        let stderr = '';
        let timedOut = false;
        let aborted = false;
        const kill = () => {
          try {
            if (child.pid) process.kill(-child.pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        };
        const timer = setTimeout(() => {
          timedOut = true;
          kill();
        }, options.timeoutMs);
        // As the SSH runner does: an abort stops the command's whole process group.
        const onAbort = () => {
          aborted = true;
          kill();
        };
        if (options.signal?.aborted) onAbort();
        else options.signal?.addEventListener('abort', onAbort, { once: true });
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          options.onStdout?.(d);
        });
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        child.stdin.on('error', () => {});
        if (options.stdin !== undefined) child.stdin.write(options.stdin);
        if (options.stdinLater) options.stdinLater.then((rest) => child.stdin.end(rest));
        else child.stdin.end();
        child.on('close', (code) => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          resolve({
            stdout,
            stderr,
            code: timedOut || aborted ? null : code,
            timedOut,
            aborted,
            truncated: false,
            durationMs: Math.round(performance.now() - started),
          });
        });
      });
    },
  };
}

export const localRunner = shRunner();

/**
 * Links these programs into `dir` (made if missing), for a PATH of a host that has only them: each is
 * the file on this machine's PATH, never a shell builtin of the same name (`test`, which runuser execs).
 */
export function linkTools(dir: string, tools: readonly string[]): string {
  mkdirSync(dir, { recursive: true });
  for (const tool of tools) {
    const where = (process.env.PATH ?? '').split(':').find((d) => d && existsSync(join(d, tool)));
    if (!where) throw new Error(`${tool} is not installed on this machine`);
    symlinkSync(join(where, tool), join(dir, tool));
  }
  return dir;
}
