#!/usr/bin/env node
/**
 * Composition root of the CLI: real process streams, real environment, real SSH. Deliberately
 * small: its static imports are Node's own and the argument parser, so `--help`, `--version` and
 * usage errors answer without loading anything else; the command that runs is imported on demand
 * (commands.ts).
 */
import { setMaxListeners } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BOT_ROLES, type Command, pickCommand } from './commands.js';
import { compileCacheDir, requireWithCodeCache } from './compile-cache.js';
import { earlyAnswer } from './parse-args.js';

/** The package version, found by walking up from this file (src/ under tsx, dist/ once built). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    dir = dirname(dir);
  }
  return 'unknown';
}

async function main(argv: string[]): Promise<number> {
  const picked = pickCommand(argv);
  const version = packageVersion();
  if (picked.name === 'diagnose') {
    const early = earlyAnswer(picked.argv, version);
    if (early) {
      process.stdout.write(early.stdout);
      process.stderr.write(early.stderr);
      return early.code;
    }
  }
  const controller = new AbortController();
  // One listener per open SSH channel and connection: a group of 100 hosts legitimately holds many.
  setMaxListeners(0, controller.signal);
  process.once('SIGINT', () => controller.abort(new Error('interrupted')));
  process.once('SIGTERM', () => controller.abort(new Error('terminated')));
  // Built, a diagnosis runs from its CommonJS bundle through the code cache (compile-cache.ts); under
  // tsx, and for the other commands, the command's module is imported.
  const bundle = picked.name === 'diagnose' ? diagnoseBundle() : undefined;
  const cacheDir = compileCacheDir(process.env);
  const loaded = bundle === undefined ? undefined : requireWithCodeCache(bundle, cacheDir);
  const command = (loaded?.exports.runCli as Command | undefined) ?? (await picked.load());
  try {
    return await command(picked.argv, {
      env: process.env,
      stdout: process.stdout,
      stderr: process.stderr,
      version,
      signal: controller.signal,
      // The loaded inventory is kept beside the code cache, for this build only.
      ...(loaded !== undefined && cacheDir !== undefined
        ? { inventoryCache: { dir: cacheDir, codeId: loaded.id } }
        : {}),
    });
  } finally {
    loaded?.saveCache();
  }
}

/** dist/chunks/diagnose.cjs beside the built entry point (build.mjs); absent under tsx. */
function diagnoseBundle(): string | undefined {
  const file = join(dirname(fileURLToPath(import.meta.url)), 'chunks', 'diagnose.cjs');
  return existsSync(file) ? file : undefined;
}

try {
  const code = await main(process.argv.slice(2));
  // A bot role returns once it has shut down; ioredis and Bolt may still hold sockets, so it exits here.
  if (BOT_ROLES.has(process.argv[2] ?? '')) process.exit(code);
  process.exitCode = code;
} catch (err) {
  process.stderr.write(
    `diagnose502: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 2;
}
