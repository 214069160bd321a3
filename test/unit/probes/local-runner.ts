import { spawn } from 'node:child_process';
import type { CommandResult, CommandRunner, RunOptions } from '../../../src/probes/types.js';

/**
 * Runs commands with the machine's real sh, as sshd would run them: stdin, later stdin, timeout,
 * streaming. `path` replaces PATH, to show what a probe does on a host that lacks some tool; `env`
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
        const timer = setTimeout(() => {
          timedOut = true;
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        }, options.timeoutMs);
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
          resolve({
            stdout,
            stderr,
            code: timedOut ? null : code,
            timedOut,
            truncated: false,
            durationMs: Math.round(performance.now() - started),
          });
        });
      });
    },
  };
}

export const localRunner = shRunner();
