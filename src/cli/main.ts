#!/usr/bin/env node
import { setMaxListeners } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './run-cli.js';

/** The package version, found by walking up from this file (src/ under tsx, dist/src/ once built). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    dir = dirname(dir);
  }
  return 'unknown';
}

/** Composition root of the CLI: real process streams, real environment, real SSH. */
const controller = new AbortController();
// One listener per open SSH channel and connection: a group of 100 hosts legitimately holds many.
setMaxListeners(0, controller.signal);
process.once('SIGINT', () => controller.abort(new Error('interrupted')));
process.once('SIGTERM', () => controller.abort(new Error('terminated')));

// `serve | worker | start`: the Slack bot, imported only here so its dependencies never load for the CLI.
const botRole = process.argv[2];
if (botRole === 'serve' || botRole === 'worker' || botRole === 'start') {
  const { runBot } = await import('../bot/run-bot.js');
  const code = await runBot(botRole, { env: process.env, stderr: process.stderr, signal: controller.signal });
  process.exit(code);
}

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    version: packageVersion(),
    signal: controller.signal,
  });
} catch (err) {
  process.stderr.write(
    `diagnose502: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 2;
}
