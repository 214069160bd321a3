import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The stages between a host's raw output and a diagnosis import one way only:
 * parse ← probes ← facts ← diagnosis ← pipeline (a stage may import the stages before it, never
 * after). Biome's noImportCycles keeps files free of cycles; this keeps the stages in their order.
 */
const ORDER = ['parse', 'probes', 'facts', 'diagnosis', 'pipeline'];
const SRC = join(dirname(fileURLToPath(import.meta.url)), '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** `probes/defs/kernel.ts` imports `parse/log-window.ts`, ...: every relative import, type imports included. */
function imports(): { from: string; to: string }[] {
  return sources(SRC).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => ({
      from: relative(SRC, file),
      to: relative(SRC, normalize(join(dirname(file), m[1] ?? ''))),
    })),
  );
}

const stage = (path: string) => ORDER.indexOf(path.split('/')[0] ?? '');

describe('the stages import one way', () => {
  it('parse <- probes <- facts <- diagnosis <- pipeline: no stage imports a later one', () => {
    const all = imports();
    expect(all.length).toBeGreaterThan(100);
    const backwards = all
      .filter(({ from, to }) => stage(from) >= 0 && stage(to) > stage(from))
      .map(({ from, to }) => `${from} -> ${to}`);
    expect(backwards).toEqual([]);
  });

  it('the text parsers read nothing but text: parse/ imports only parse/', () => {
    const outside = imports()
      .filter(({ from, to }) => from.startsWith('parse/') && !to.startsWith('parse/'))
      .map(({ from, to }) => `${from} -> ${to}`);
    expect(outside).toEqual([]);
  });
});
