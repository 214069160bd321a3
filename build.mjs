// @ts-check
/**
 * `npm run build`, second step (after `tsc` has type-checked src/): bundles the CLI into dist/ with
 * esbuild. One file per command instead of ~90 modules of ours and ~100 of zod's cuts the CLI's
 * start (figures in the README's benchmark section); the dynamic imports of src/cli/commands.ts
 * become chunks, so `--help` loads only dist/diagnose502.js and the small parser chunk.
 */
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry a content hash: clear the old ones out.
rmSync('dist', { recursive: true, force: true });

await build({
  entryPoints: { diagnose502: 'src/cli/main.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  // ssh2 loads its native crypto addon and its helpers by paths relative to its own files; bundled,
  // those paths would break and it would fall back, silently, to slower JavaScript crypto.
  external: ['ssh2'],
  // Bundled CommonJS packages (yaml, picocolors, node-ssh's helpers) require() Node's own modules,
  // and an ES module has no `require`: every output file gets one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
});
