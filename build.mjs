// @ts-check
/**
 * `npm run build`, second step (after `tsc` has type-checked src/): bundles the CLI into dist/ with
 * esbuild. One file per command instead of ~90 modules of ours and ~100 of zod's halves the time the
 * CLI spends loading its code (figures in the README's benchmark section); the dynamic imports of
 * src/cli/commands.ts become chunks, so `--help` loads only dist/diagnose502.js and a small chunk.
 */
import { existsSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * Packages bundled, with what they import: pure JavaScript that reads no files of its own at run
 * time. Every other package is imported from node_modules, as from tsc's output, so a package added
 * later (the Slack bot's: bullmq reads its Lua scripts next to its own files) runs built as it runs
 * under tsx, and joins this list only once measured and checked. ssh2 is never bundled: it finds
 * its native crypto addon by a path relative to its own files, and bundled it would fall back,
 * silently, to slower JavaScript crypto.
 */
const BUNDLED = new Set(['zod', 'yaml', 'picocolors']);
const NEVER_BUNDLED = new Set(['ssh2']);

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageName = (/** @type {string} */ spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

/**
 * @param {ReadonlySet<string>} bundled packages bundled, with their own dependencies
 * @param {ReadonlySet<string>} never packages never bundled, even when a bundled one imports them
 * @returns {import('esbuild').Plugin}
 */
const bundleOnly = (bundled, never) => ({
  name: 'bundle-only-listed-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = packageName(args.path);
      if (name.startsWith('node:') || builtinModules.includes(name)) return undefined;
      if (never.has(name)) return { external: true };
      // A listed package's own dependencies come along; our code's other imports stay outside.
      if (bundled.has(name) || args.importer.includes('/node_modules/')) return undefined;
      return { external: true };
    });
  },
});
const bundleOnlyListedPackages = bundleOnly(BUNDLED, NEVER_BUNDLED);

/**
 * zod's error messages in 40-odd languages (`z.locales`, ~370 KB of the bundle, half of zod in it)
 * are re-exported by its `z` namespace, so esbuild cannot drop them although nothing here uses
 * them: every diagnosis paid for parsing them at start-up. Its English messages, the default, are
 * imported by zod on their own (`locales/en.js`) and stay; `z.locales` keeps only `en`.
 */
/** @type {import('esbuild').Plugin} */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /\/node_modules\/zod\/v4\/(classic|core)$/.test(args.resolveDir)
        ? { path: `${args.resolveDir}/../locales/en-only.js`, namespace: 'zod-en-only' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-en-only' }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: args.path.replace(/\/[^/]+$/, ''),
    }));
  },
};

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
  plugins: [zodEnglishOnly, bundleOnlyListedPackages],
  // Bundled CommonJS packages (yaml, picocolors) require() Node's own modules,
  // and an ES module has no `require`: every output file gets one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
});

/**
 * ssh2's files are bundled into the diagnosis's CommonJS bundle, but its native addons (its crypto
 * binding, cpu-features') and its WebAssembly fallback are required from node_modules by package
 * path: relative to the bundle they would not be found, and ssh2 would fall back, silently, to slower
 * JavaScript crypto.
 */
/** @type {import('esbuild').Plugin} */
const ssh2NativeFromNodeModules = {
  name: 'ssh2-native-from-node-modules',
  setup(b) {
    b.onResolve({ filter: /(\.node|\/poly1305\.js)$/ }, (args) => {
      const at = args.resolveDir.lastIndexOf('/node_modules/');
      if (at < 0) return undefined;
      const file = path.join(args.resolveDir, args.path);
      // Loudly here, not silently at run time (ssh2 catches the failed require and goes on without).
      if (!existsSync(file)) throw new Error(`${file} is missing: run npm ci (ssh2's native crypto)`);
      return { path: file.slice(at + '/node_modules/'.length), external: true };
    });
    b.onResolve({ filter: /^cpu-features$/ }, () => ({ path: 'cpu-features', external: true }));
  },
};

/**
 * `diagnose502 <target>`, the CLI's hot path, as one CommonJS file: Node 20 can hand V8 a code cache
 * only to scripts (vm.Script `cachedData`), not to ES modules, so src/cli/main.ts runs this bundle
 * through src/cli/compile-cache.ts and the next run skips compiling it (figures in the README's
 * benchmark section). It carries ssh2 as well, whose compile was a fifth of a run.
 */
await build({
  entryPoints: { diagnose: 'src/cli/run-cli.ts' },
  outdir: 'dist/chunks',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.18',
  // ssh2 joins the listed packages here (its addons stay outside, above); the rest stays outside as
  // in the ES module build (e.g. resvg, which a chart may load, from node_modules).
  plugins: [zodEnglishOnly, ssh2NativeFromNodeModules, bundleOnly(new Set([...BUNDLED, 'ssh2']), new Set())],
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
});
