/**
 * Runs the CLI's CommonJS bundle (dist/chunks/diagnose.cjs, build.mjs) with a V8 code cache, as
 * v8-compile-cache does and as Node 22's `module.enableCompileCache()` does for every module (Node 20
 * has neither for ES modules): compiling ~1.5 MB of JavaScript (ssh2, zod, yaml and ours) is most of
 * what a one-host diagnosis spends after Node's own start. The first run compiles as usual and, once
 * its command has finished (so the functions it used are compiled too), writes V8's cached data to
 * the cache directory; later runs hand it to `vm.Script` and skip the compile.
 *
 * Safe by construction: the cache is keyed by the bundle's path, size and mtime and by Node's version
 * and architecture, and V8 itself rejects data made for other source or flags (`cachedDataRejected`:
 * compiled as usual, the data rewritten). A directory that cannot be made or written costs nothing but
 * the cache. `DIAGNOSE502_COMPILE_CACHE=0` turns it off (and the CLI's inventory cache, which shares
 * the directory: inventory-file-cache.ts); `DIAGNOSE502_CACHE_DIR` moves it (default
 * `$XDG_CACHE_HOME/diagnose502`, else `~/.cache/diagnose502`).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

export interface CachedModule {
  exports: Record<string, unknown>;
  /** The file's identity when it was read (size and mtime): what was built, for other caches' keys. */
  id: string;
  /** How it was compiled: no cache data to offer, from the cache, or the data refused by V8. */
  cache: 'none' | 'used' | 'rejected';
  /** Writes the code cache when this run had none (or V8 refused it); never throws. */
  saveCache(): void;
}

/** The cache directory, or undefined when turned off. */
export function compileCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.DIAGNOSE502_COMPILE_CACHE === '0') return undefined;
  if (env.DIAGNOSE502_CACHE_DIR) return env.DIAGNOSE502_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'diagnose502');
}

/**
 * Where the cached data of `file` (as it is now, on this Node) lives. No hash of the path (node:crypto
 * would cost more start-up than it saves): two installs of the same bundle share one entry, which is
 * right, since V8 checks the data against the source and its own flags.
 */
function cacheFile(dir: string, file: string, size: number, mtimeMs: number): string {
  return join(
    dir,
    `${entryPrefix(file)}${size}-${Math.trunc(mtimeMs)}-${process.version}-${process.arch}.v8cache`,
  );
}

const entryPrefix = (file: string) => `${basename(file).replace(/[^\w.-]/g, '_')}-`;

/**
 * Removes the entries of this bundle's other builds (each upgrade or rebuild would leave ~1.3 MB).
 * Two installs of different versions used by one user take turns rewriting theirs: correct, only slower.
 */
function removeOtherBuilds(dir: string, file: string, keep: string): void {
  const prefix = entryPrefix(file);
  for (const name of readdirSync(dir)) {
    if (name.startsWith(prefix) && name.endsWith('.v8cache') && join(dir, name) !== keep)
      rmSync(join(dir, name), { force: true });
  }
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Loads the CommonJS file `file` as Node's own loader would (the same wrapper and `require`
 * relative to it), compiled from the cache in `dir` when there is usable data.
 */
export function requireWithCodeCache(file: string, dir: string | undefined): CachedModule {
  const source = readFileSync(file, 'utf8');
  const { size, mtimeMs } = statSync(file);
  const where = dir === undefined ? undefined : cacheFile(dir, file, size, mtimeMs);
  const cachedData = where === undefined ? undefined : readOrUndefined(where);
  // Node's CommonJS wrapper: the same line and column offsets, so stack traces and source maps hold.
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;
  const script = new Script(wrapped, { filename: file, cachedData });
  const module = { exports: {} as Record<string, unknown> };
  const fn = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: unknown,
    filename: string,
    dirname: string,
  ) => void;
  fn(module.exports, createRequire(file), module, file, dirname(file));
  const cache = cachedData === undefined ? 'none' : script.cachedDataRejected === true ? 'rejected' : 'used';
  const needsWrite = where !== undefined && cache !== 'used';
  return {
    exports: module.exports,
    id: `${size}-${mtimeMs}`,
    cache,
    saveCache() {
      if (!needsWrite || dir === undefined || where === undefined) return;
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        // Written beside and renamed: a run reading at the same moment sees the old file or the new.
        const tmp = `${where}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        renameSync(tmp, where);
        removeOtherBuilds(dir, file, where);
      } catch {
        // No cache this time: the next run compiles as this one did.
      }
    },
  };
}
