import { splitNginxDump } from './nginx-dump.js';
import { dirname, expandIncludes } from './nginx-include.js';
import { collectPassSites, passTargets, upstreamGroups } from './nginx-passes.js';
import { type ParsedFile, parseConfigText } from './nginx-tokenize.js';
import type { NginxConfig, NginxDirective } from './types.js';

export { parseNginxTestOutput } from './nginx-dump.js';
export { parseNginxSize, parseNginxTimeS } from './units.js';

/**
 * A dumped file larger than this is not parsed (named in `notRead`; the rest of the dump is). The
 * probe reads at most 4 MB of `nginx -T`, so only a direct caller meets it.
 */
export const MAX_FILE_CHARS = 8 * 1024 * 1024;

/**
 * `nginx -T` -> NginxConfig (catalog section 6, "Parsing `nginx -T`"). The dump holds every file
 * nginx read, so `include`s are expanded from the dump itself, never from the disk. Without any
 * `# configuration file` marker the whole text is taken as the main file (`mainPath`).
 */
export function parseNginxConfig(output: string, opts: { mainPath?: string } = {}): NginxConfig {
  const dump = splitNginxDump(output);
  const dumped =
    dump.files.length > 0 ? dump.files : [{ path: opts.mainPath ?? '/etc/nginx/nginx.conf', text: output }];
  const parsed = new Map<string, ParsedFile>();
  const errors: string[] = [];
  const notRead: string[] = [];
  for (const f of dumped) {
    if (parsed.has(f.path)) continue;
    if (f.text.length > MAX_FILE_CHARS) {
      notRead.push(
        `${f.path} (${(f.text.length / 1048576).toFixed(1)} MiB, over ${MAX_FILE_CHARS / 1048576} MiB)`,
      );
      parsed.set(f.path, { directives: [], errors: [] });
      continue;
    }
    const p = parseConfigText(f.text, f.path);
    parsed.set(f.path, p);
    for (const e of p.errors) errors.push(e);
    if (p.notRead !== undefined) notRead.push(p.notRead);
  }
  const mainPath = dumped[0]?.path ?? '';
  const main = parsed.get(mainPath);
  const ctx = {
    files: parsed,
    baseDir: dirname(mainPath),
    errors,
    notRead,
    expanded: { count: 0, full: false },
  };
  const tree = main ? expandIncludes(main.directives, ctx, [mainPath]) : [];

  const httpBlocks = tree.filter((d) => d.name === 'http' && d.block).map((d) => d.block ?? []);
  const http = httpBlocks.flat();
  const upstreams = upstreamGroups(http);
  const walk = collectPassSites(httpBlocks, upstreams);
  const config: NginxConfig = {
    files: dumped.map((f) => f.path),
    tree,
    errorLogs: [],
    accessLogs: [],
    logFormats: {},
    upstreams,
    passes: walk.sites,
    targets: passTargets(walk, upstreams),
    tempPaths: [],
  };
  const top = (name: string): string | undefined => tree.find((d) => d.name === name)?.args[0];
  const user = top('user');
  if (user !== undefined) config.user = user;
  const workers = top('worker_processes');
  if (workers !== undefined) config.workerProcesses = workers;
  const rlimit = toInt(top('worker_rlimit_nofile'));
  if (rlimit !== undefined) config.workerRlimitNofile = rlimit;
  const events = tree.find((d) => d.name === 'events')?.block ?? [];
  const conns = toInt(events.find((d) => d.name === 'worker_connections')?.args[0]);
  if (conns !== undefined) config.workerConnections = conns;

  collectLogs(tree, http, config);
  if (errors.length > 0) config.parseErrors = errors;
  if (notRead.length > 0) config.notRead = notRead;
  return config;
}

function toInt(v: string | undefined): number | undefined {
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

const LEVELS = new Set(['debug', 'info', 'notice', 'warn', 'error', 'crit', 'alert', 'emerg']);
const TEMP_PATHS = new Set([
  'client_body_temp_path',
  'proxy_temp_path',
  'fastcgi_temp_path',
  'uwsgi_temp_path',
  'scgi_temp_path',
  'proxy_cache_path',
  'fastcgi_cache_path',
  'uwsgi_cache_path',
  'scgi_cache_path',
]);

function walk(directives: readonly NginxDirective[], visit: (d: NginxDirective) => void): void {
  for (const d of directives) {
    visit(d);
    if (d.block) walk(d.block, visit);
  }
}

/**
 * `error_log` anywhere (main, http, server, location, stream); `access_log` and `log_format` from
 * http (stream has its own formats). An `access_log` without a format uses the built-in `combined`
 * (`ngx_http_log_set_log()`, src/http/modules/ngx_http_log_module.c).
 */
function collectLogs(
  tree: readonly NginxDirective[],
  http: readonly NginxDirective[],
  config: NginxConfig,
): void {
  const temp = new Set<string>();
  walk(tree, (d) => {
    const first = d.args[0];
    if (d.name === 'error_log' && first !== undefined) {
      const level = d.args.slice(1).find((a) => LEVELS.has(a));
      config.errorLogs.push(level === undefined ? { path: first } : { path: first, level });
    } else if (TEMP_PATHS.has(d.name) && first !== undefined) {
      temp.add(first);
    }
  });
  config.tempPaths = [...temp];
  walk(http, (d) => {
    const first = d.args[0];
    if (d.name === 'access_log' && first !== undefined) {
      const format = d.args[1];
      if (first === 'off') config.accessLogs.push({ path: 'off' });
      else
        config.accessLogs.push({
          path: first,
          format: format && !format.includes('=') ? format : 'combined',
        });
    } else if (d.name === 'log_format' && first !== undefined && config.logFormats[first] === undefined) {
      config.logFormats[first] = d.args
        .slice(1)
        .filter((a, i) => !(i === 0 && a.startsWith('escape=')))
        .join('');
    }
  });
}
