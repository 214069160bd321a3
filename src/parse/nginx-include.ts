import type { ParsedFile } from './nginx-tokenize.js';
import type { NginxDirective } from './types.js';

/**
 * `include` expansion against the files present in an `nginx -T` dump. nginx expands the pattern
 * with glob(3) (`ngx_open_glob()`, src/os/unix/ngx_files.c; flags 0, so matches are sorted and
 * `*` skips dot-files); relative patterns resolve against the configuration prefix, the main
 * file's directory (`ngx_conf_full_name()`).
 */

const MAX_DEPTH = 32;
/**
 * Directives the expanded tree may hold. Each include copies the included file's directives, so
 * a dump whose files include the next one twice doubles per level (memory grew ~4x per two levels):
 * past this, further includes are left out and named in `notRead`. A legitimate dump with a
 * 160,000-line deny list (2.6 MiB) stays far below.
 */
export const MAX_EXPANDED_DIRECTIVES = 1_000_000;

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Absolute, with `.`/`..`/`//` folded, so it compares equal to the dumped path. */
export function resolvePath(pattern: string, baseDir: string): string {
  const full = pattern.startsWith('/') ? pattern : `${baseDir}/${pattern}`;
  const out: string[] = [];
  for (const seg of full.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return `/${out.join('/')}`;
}

function hasGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** glob(3) pattern -> anchored RegExp; `*` and `?` never cross `/`. */
export function globToRegExp(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^/' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = close;
    } else {
      re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
    }
  }
  return new RegExp(`${re}$`);
}

/** A matcher for one glob(3) pattern (compiled once, applied to every dumped path). */
export function globMatcher(pattern: string): (path: string) => boolean {
  const re = globToRegExp(pattern);
  const pSeg = pattern.split('/');
  // glob(3): a leading `.` of a path segment must be matched literally.
  return (path) =>
    re.test(path) &&
    path.split('/').every((seg, i) => !seg.startsWith('.') || (pSeg[i] ?? '').startsWith('.'));
}

/** C-locale order, as glob(3) sorts. */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface IncludeContext {
  files: ReadonlyMap<string, ParsedFile>;
  baseDir: string;
  errors: string[];
  /** Includes left out past MAX_EXPANDED_DIRECTIVES (optional: callers that need no bound omit it). */
  notRead?: string[];
  /** Directives placed so far (counted across the whole expansion). */
  expanded?: { count: number; full: boolean };
}

function countDirectives(directives: readonly NginxDirective[]): number {
  let n = 0;
  const stack: (readonly NginxDirective[])[] = [directives];
  for (let list = stack.pop(); list !== undefined; list = stack.pop()) {
    n += list.length;
    for (const d of list) if (d.block) stack.push(d.block);
  }
  return n;
}

/** `directives` with every `include` replaced by the directives of the dumped files it names. */
export function expandIncludes(
  directives: NginxDirective[],
  ctx: IncludeContext,
  chain: readonly string[] = [],
): NginxDirective[] {
  const out: NginxDirective[] = [];
  for (const d of directives) {
    if (d.name === 'include' && d.block === undefined && d.args.length === 1) {
      const pattern = resolvePath(d.args[0] ?? '', ctx.baseDir);
      const matches = hasGlob(pattern)
        ? [...ctx.files.keys()].filter(globMatcher(pattern)).sort(byteOrder)
        : ctx.files.has(pattern)
          ? [pattern]
          : [];
      if (matches.length === 0 && !hasGlob(pattern)) {
        ctx.errors.push(`${d.file}:${d.line}: include ${d.args[0]} is not in the dump`);
      }
      for (const path of matches) {
        if (chain.includes(path) || chain.length >= MAX_DEPTH) {
          ctx.errors.push(`${d.file}:${d.line}: include ${path} is recursive`);
          continue;
        }
        const parsed = ctx.files.get(path);
        if (!parsed) continue;
        const counter = ctx.expanded ?? { count: 0, full: false };
        ctx.expanded = counter;
        if (counter.full) continue;
        if (counter.count + countDirectives(parsed.directives) > MAX_EXPANDED_DIRECTIVES) {
          // Said once: every include after this one is left out too (a doubling dump has millions).
          counter.full = true;
          ctx.notRead ??= [];
          ctx.notRead.push(
            `${d.file}:${d.line}: include ${path} and every include after it (the configuration would expand past ${MAX_EXPANDED_DIRECTIVES} directives)`,
          );
          continue;
        }
        // One by one: spreading a 160,000-directive file into push() overflows the call stack.
        for (const x of expandIncludes(parsed.directives, ctx, [...chain, path])) out.push(x);
      }
      continue;
    }
    if (ctx.expanded) ctx.expanded.count++;
    out.push(d.block ? { ...d, block: expandIncludes(d.block, ctx, chain) } : d);
  }
  return out;
}
