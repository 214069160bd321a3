import type { NginxConfig, NginxDirective } from './types.js';

/** Where in `nginx -T` a log directive sits. */
export type LogLevelContext = 'main' | 'http' | 'server' | 'location' | 'if' | 'stream' | 'mail' | 'other';

/** One `error_log` or `access_log` directive as nginx -T shows it, with where it applies. */
export interface LogDirective {
  kind: 'error' | 'access';
  /** The target as written: a path, `off`, `syslog:server=...`, `stderr`, `memory:32m`. */
  target: string;
  context: LogLevelContext;
  /** `server_name`s of the enclosing server block (empty outside one). */
  serverNames: string[];
  /** The enclosing `location`'s argument, when inside one. */
  location?: string;
  /** error_log: its level (`error` by default). */
  level?: string;
  /** access_log: the `log_format` name (`combined` by default) and its format string when known. */
  format?: string;
  formatString?: string;
  /** A file diagnose502 can read; otherwise why not and what to do. */
  readable: boolean;
  why?: string;
  file: string;
  line: number;
}

const LEVELS = new Set(['debug', 'info', 'notice', 'warn', 'error', 'crit', 'alert', 'emerg']);

/** Why a target is no file to read, and what to do; undefined for a plain file path. */
export function unreadableTarget(target: string, kind: 'error' | 'access'): string | undefined {
  if (target === 'off')
    return `logging is off here: nothing is written (turn it on, e.g. ${kind}_log /var/log/nginx/${kind}.log, then nginx -s reload)`;
  if (target === 'stderr')
    return 'written to stderr: read it where nginx runs (journalctl -u nginx, docker logs <container>)';
  if (target.startsWith('syslog:'))
    return `sent to syslog (${target.slice(7)}): read it on that syslog server or with journalctl -t nginx`;
  if (target.startsWith('memory:'))
    return 'kept in a memory buffer (debug builds): read it with gdb, or log to a file';
  if (target.includes('$'))
    return 'the path holds variables: nginx writes one file per value; list them with ls and read them by hand';
  if (!target.startsWith('/'))
    return 'a relative path (under the nginx prefix, nginx -V: --prefix): give the absolute path in the config';
  return undefined;
}

/**
 * Every `error_log` and `access_log` of `nginx -T` at every level (main, http, server, location,
 * `if`, stream, mail), with the enclosing server's names and the access log's format (issue 18 item 1).
 * A directive with several targets per level is listed once per directive, as nginx writes to each.
 */
export function logDirectives(config: Pick<NginxConfig, 'tree' | 'logFormats'>): LogDirective[] {
  const out: LogDirective[] = [];
  const visit = (
    list: readonly NginxDirective[],
    context: LogLevelContext,
    serverNames: string[],
    location: string | undefined,
  ): void => {
    const names =
      context === 'server'
        ? list.filter((d) => d.name === 'server_name').flatMap((d) => d.args)
        : serverNames;
    for (const d of list) {
      const target = d.args[0];
      if ((d.name === 'error_log' || d.name === 'access_log') && target !== undefined) {
        const kind = d.name === 'error_log' ? 'error' : 'access';
        const why = unreadableTarget(target, kind);
        const base = {
          kind,
          target,
          context,
          serverNames: names,
          ...(location === undefined ? {} : { location }),
          readable: why === undefined,
          ...(why === undefined ? {} : { why }),
          file: d.file,
          line: d.line,
        } as const;
        if (kind === 'error') {
          out.push({ ...base, level: d.args.slice(1).find((a) => LEVELS.has(a)) ?? 'error' });
        } else {
          const named = d.args[1];
          const format = named && !named.includes('=') ? named : 'combined';
          const formatString = config.logFormats[format];
          out.push({ ...base, format, ...(formatString === undefined ? {} : { formatString }) });
        }
      }
      if (!d.block) continue;
      const inner = innerContext(d.name, context);
      const loc = d.name === 'location' ? d.args.join(' ') : location;
      visit(d.block, inner, inner === 'server' && d.name === 'server' ? [] : names, loc);
    }
  };
  visit(config.tree, 'main', [], undefined);
  return out;
}

function innerContext(block: string, outer: LogLevelContext): LogLevelContext {
  switch (block) {
    case 'http':
      return 'http';
    case 'stream':
      return 'stream';
    case 'mail':
      return 'mail';
    case 'server':
      return outer === 'http' ? 'server' : outer;
    case 'location':
      return 'location';
    case 'if':
      return 'if';
    case 'limit_except':
      return 'location';
    default:
      return 'other';
  }
}

/** A file nginx writes, with every site (server_name) and directive that writes to it. */
export interface LogFile {
  path: string;
  kind: 'error' | 'access';
  sites: string[];
  /** access: the first format this file is written in (one file, one format is what works). */
  format?: string;
  formatString?: string;
  directives: string[];
}

/** The distinct readable files, per kind, in config order; the sites that write to each. */
export function logFiles(directives: readonly LogDirective[]): LogFile[] {
  const byKey = new Map<string, LogFile>();
  for (const d of directives) {
    if (!d.readable || d.context === 'stream' || d.context === 'mail') continue;
    const key = `${d.kind} ${d.target}`;
    const at = `${d.file}:${d.line}`;
    const f = byKey.get(key);
    const sites = d.serverNames.length > 0 ? d.serverNames : [];
    if (f) {
      for (const s of sites) if (!f.sites.includes(s)) f.sites.push(s);
      f.directives.push(at);
      continue;
    }
    byKey.set(key, {
      path: d.target,
      kind: d.kind,
      sites: [...sites],
      ...(d.format === undefined ? {} : { format: d.format }),
      ...(d.formatString === undefined ? {} : { formatString: d.formatString }),
      directives: [at],
    });
  }
  return [...byKey.values()];
}
