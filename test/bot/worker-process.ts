/**
 * A worker in a process of its own, for the tests that SIGKILL one (worker-lifecycle,
 * slack-outage-restart, watch-restart): started with tsx, its stderr echoed with its pid, ready
 * when it prints `ready`.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** By default the crash-test worker (worker-child.ts); `args` to run another entry point. */
export function spawnWorker(
  env: Record<string, string>,
  args: string[] = ['test/bot/worker-child.ts'],
): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[worker ${child.pid}] ${d}`));
  return child;
}

export async function untilReady(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
}
