/**
 * What every benchmark runs: the CLI and the bot exactly as `npm run build` makes them
 * (dist/diagnose502.js, the file `bin` points at), never the TypeScript sources under tsx, whose
 * loader changes both start-up time and memory. A missing or stale build stops the benchmark with
 * what to run, instead of measuring something that does not ship.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'dist', 'diagnose502.js');

/** The newest file under `dir` (recursively) and its modification time. */
function newest(dir: string): { file: string; mtimeMs: number } {
  let best = { file: dir, mtimeMs: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    const found = entry.isDirectory() ? newest(file) : { file, mtimeMs: statSync(file).mtimeMs };
    if (found.mtimeMs > best.mtimeMs) best = found;
  }
  return best;
}

/** The built CLI's path; throws when it is missing or older than a file of src/. */
export function builtCli(): string {
  if (!existsSync(CLI))
    throw new Error(
      `${CLI} is missing: benchmarks run what \`npm run build\` makes. Run npm run build first (npm run bench and npm run bench:* do).`,
    );
  const src = newest(path.join(ROOT, 'src'));
  if (src.mtimeMs > statSync(CLI).mtimeMs)
    throw new Error(
      `${CLI} is older than ${path.relative(ROOT, src.file)}: the benchmark would measure an old build. Run npm run build first.`,
    );
  return CLI;
}

/**
 * The Node options the container image starts diagnose502 with: the arguments between `node` and
 * `dist/diagnose502.js` in the Dockerfile's ENTRYPOINT (e.g. `--max-semi-space-size=8`). A benchmark of
 * the bot as deployed passes them, so that it measures what the image runs.
 */
export function imageNodeFlags(): string[] {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const line = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1];
  const argv = line === undefined ? [] : (JSON.parse(line) as string[]);
  const node = argv.indexOf('node');
  const entry = argv.indexOf('dist/diagnose502.js');
  if (node < 0 || entry < node)
    throw new Error(`the Dockerfile's ENTRYPOINT does not run node dist/diagnose502.js: ${line}`);
  return argv.slice(node + 1, entry);
}

/** `node [nodeFlags] dist/diagnose502.js <args>` as a child process. */
export function spawnBuilt(
  args: readonly string[],
  env: Record<string, string | undefined>,
  stdio: 'inherit' | 'pipe' = 'inherit',
  nodeFlags: readonly string[] = [],
): ChildProcess {
  return spawn(process.execPath, [...nodeFlags, builtCli(), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', stdio, stdio],
  });
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/**
 * Waits until `url` answers 2xx (e.g. /readyz: Redis and Slack are up, asked with the
 * DIAGNOSE502_METRICS_TOKEN `token`); throws after `timeoutMs`.
 */
export async function waitUntilOk(
  url: string,
  child: ChildProcess,
  token: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${url}: the process exited (${child.exitCode}) before it was ready`);
    const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not answer 2xx within ${timeoutMs} ms`);
}

/** Peak resident memory (VmHWM) of a running process, MB; read before it exits. */
export async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** SIGTERM, then waits for the exit. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
