import type { LogRead } from '../report/types.js';
import type { Evidence } from './evidence.js';
import { windowUpstreamErrors } from './rules/log-signals.js';

/**
 * Which logs the diagnosis read and which not (issue 18 item 1): the inventory's error and access
 * logs first, then every other file `nginx -T` names, rotated predecessors, and the targets that are
 * no file (off, syslog, stderr) with what to do.
 */
export function logsRead(ev: Evidence, inventory: { errorLog: string; accessLog: string }): LogRead[] {
  const main: LogRead[] = [
    ev.errorLog
      ? {
          path: ev.errorLog.path,
          kind: 'error',
          sites: [],
          read: true,
          upstreamErrors: (ev.errorLog.entries ?? []).filter((e) => e.signature !== undefined).length,
        }
      : {
          path: inventory.errorLog,
          kind: 'error',
          sites: [],
          read: false,
          why: ev.unavailable['error-log'] ?? 'not read',
        },
    ev.accessLog
      ? {
          path: inventory.accessLog,
          kind: 'access',
          sites: [],
          read: true,
          failures502: (ev.accessLog.byStatus['502'] ?? 0) + (ev.accessLog.byStatus['504'] ?? 0),
        }
      : {
          path: inventory.accessLog,
          kind: 'access',
          sites: [],
          read: false,
          why: ev.unavailable['access-log'] ?? 'not read',
        },
  ];
  // The inventory's files keep the sites the config gives them.
  const more = ev.logFiles?.files ?? [];
  for (const m of main) {
    const same = more.find((f) => f.path === m.path && f.kind === m.kind && !f.rotatedFrom);
    if (same) m.sites = same.sites;
  }
  const rest = more.filter((f) => !main.some((m) => m.path === f.path && m.kind === f.kind));
  return [
    ...main,
    ...rest.map((f): LogRead => {
      const { bytesRead: _bytes, ...report } = f;
      return report;
    }),
  ];
}

/** One line per log for "where the 502s were looked for". */
export function logsReadLines(ev: Evidence): string[] {
  const files = ev.logFiles?.files ?? [];
  const read = [ev.errorLog?.path, ...files.filter((f) => f.read).map((f) => f.path)].filter(
    (p): p is string => !!p,
  );
  const upstream = windowUpstreamErrors(ev).length;
  return [
    read.length > 0
      ? `logs read: ${[...new Set(read)].join(', ')} (${upstream} upstream error lines in the window)`
      : 'no error log could be read',
    ...files.filter((f) => !f.read).map((f) => `not read: ${f.path} (${f.why ?? 'not readable'})`),
  ];
}
