import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileCacheDir, requireWithCodeCache } from '../../../src/cli/compile-cache.js';

const LOADER = fileURLToPath(new URL('../../../src/cli/compile-cache.ts', import.meta.url));

/** A CommonJS file like the built bundle: it requires a Node module and its own sibling, exports a function. */
function bundle(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'd502-cc-'));
  writeFileSync(join(dir, 'sibling.cjs'), 'module.exports = { six: 6 };\n');
  const file = join(dir, 'bundle.cjs');
  writeFileSync(
    file,
    [
      "const path = require('node:path');",
      "const { six } = require('./sibling.cjs');",
      'exports.answer = (x) => x * six;',
      'exports.where = () => path.basename(__filename) + " in " + path.basename(__dirname);',
      'exports.isModule = typeof module === "object" && module.exports === exports;',
      '',
    ].join('\n'),
  );
  return { dir, file };
}

/**
 * Loads `file` through the cache in a process of its own, as each CLI run does (within one process
 * V8 reuses its own in-memory compilation and never reads the data), and saves the cache.
 */
function runOnce(file: string, cacheDir: string): { answer: number; cache: string } {
  const script = `import { requireWithCodeCache } from ${JSON.stringify(LOADER)};
const m = requireWithCodeCache(${JSON.stringify(file)}, ${JSON.stringify(cacheDir)});
const answer = m.exports.answer(7);
m.saveCache();
console.log(JSON.stringify({ answer, cache: m.cache }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { answer: number; cache: string };
}

const cacheFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.v8cache'));

describe('requireWithCodeCache', () => {
  it('runs the file as CommonJS (require relative to it, __filename, module) without a cache', () => {
    const { dir, file } = bundle();
    const loaded = requireWithCodeCache(file, undefined);
    expect((loaded.exports.answer as (x: number) => number)(7)).toBe(42);
    expect((loaded.exports.where as () => string)()).toBe(`bundle.cjs in ${dir.split('/').at(-1)}`);
    expect(loaded.exports.isModule).toBe(true);
    expect(loaded.cache).toBe('none');
    loaded.saveCache(); // no directory: nothing to write, no error
  });

  it('writes the cache after the first run; the next run is compiled from it and writes nothing', () => {
    const { file } = bundle();
    const cache = join(mkdtempSync(join(tmpdir(), 'd502-cc-dir-')), 'nested');
    expect(runOnce(file, cache)).toEqual({ answer: 42, cache: 'none' });
    const [written] = cacheFiles(cache);
    expect(written).toMatch(/^bundle\.cjs-\d+-\d+-v\d+\.\d+\.\d+-\w+\.v8cache$/);
    const before = readFileSync(join(cache, written ?? ''));
    expect(runOnce(file, cache)).toEqual({ answer: 42, cache: 'used' });
    expect(readFileSync(join(cache, written ?? ''))).toEqual(before);
    expect(cacheFiles(cache)).toHaveLength(1);
  });

  it("a new build's entry replaces the old build's", () => {
    const { file } = bundle();
    const cache = mkdtempSync(join(tmpdir(), 'd502-cc-dir-'));
    runOnce(file, cache);
    const [old] = cacheFiles(cache);
    writeFileSync(file, `${readFileSync(file, 'utf8')}// rebuilt\n`);
    expect(runOnce(file, cache)).toEqual({ answer: 42, cache: 'none' });
    const now = cacheFiles(cache);
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(old);
  });

  it('data V8 refuses (damaged, or made for other source) is ignored and replaced', () => {
    const { file } = bundle();
    const cache = mkdtempSync(join(tmpdir(), 'd502-cc-dir-'));
    runOnce(file, cache);
    const [name] = cacheFiles(cache);
    writeFileSync(join(cache, name ?? ''), Buffer.from('not V8 data at all'));
    expect(runOnce(file, cache)).toEqual({ answer: 42, cache: 'rejected' });
    expect(runOnce(file, cache)).toEqual({ answer: 42, cache: 'used' });
  });

  it('a cache directory that cannot be made costs only the cache', () => {
    const { file } = bundle();
    const notADir = join(mkdtempSync(join(tmpdir(), 'd502-cc-dir-')), 'file');
    writeFileSync(notADir, '');
    const loaded = requireWithCodeCache(file, join(notADir, 'cache'));
    expect((loaded.exports.answer as (x: number) => number)(1)).toBe(6);
    expect(() => loaded.saveCache()).not.toThrow();
  });
});

describe('compileCacheDir', () => {
  it('is off with DIAGNOSE502_COMPILE_CACHE=0, else the named, XDG or home cache directory', () => {
    expect(compileCacheDir({ DIAGNOSE502_COMPILE_CACHE: '0', DIAGNOSE502_CACHE_DIR: '/x' })).toBeUndefined();
    expect(compileCacheDir({ DIAGNOSE502_CACHE_DIR: '/var/cache/d502' })).toBe('/var/cache/d502');
    expect(compileCacheDir({ XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/diagnose502');
    expect(compileCacheDir({})).toMatch(/\/\.cache\/diagnose502$/);
  });
});
