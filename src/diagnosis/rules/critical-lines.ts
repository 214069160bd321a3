import type { Cause } from '../../parse/causes.js';
import type { ErrorLogEntry } from '../../parse/types.js';
import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action } from './actions.js';
import { entries, representative, windowLabel } from './log-signals.js';

const CRITICAL = new Set(['crit', 'alert', 'emerg']);

/**
 * The cause id for a critical line no signature knows (causes.md has no "unclassified" id): the
 * resource its errno names when it names one, else what the level says of nginx itself. The title
 * says "unclassified", so the id is a pointer to where to look, not a claim.
 */
function causeOf(e: ErrorLogEntry): Cause {
  switch (e.errno) {
    case 24:
    case 23:
      return 'fd-exhausted';
    case 28:
    case 122:
      return 'disk-full';
    case 99:
      return 'ephemeral-ports-exhausted';
    case 12:
      return 'host-overload';
  }
  // EACCES/EROFS on a file path: nginx may not write where it must (temp, cache, log: catalog C25).
  if ((e.errno === 13 || e.errno === 30) && /"\//.test(e.message)) return 'disk-full';
  if (e.level === 'emerg') return 'nginx-config-invalid';
  if (/worker process \d+ exited on signal/.test(e.message)) return 'nginx-down';
  return 'host-overload';
}

/**
 * A `[crit]`, `[alert]` or `[emerg]` line in the window is never "all clear", even when no signature
 * knows its shape (issue 18 item 7): it is reported as an unclassified critical error, with the line,
 * at low confidence, so a confirmed cause still ranks first.
 */
export function criticalLinesRule(ev: Evidence): Finding[] {
  const unknown = entries(ev).filter((e) => CRITICAL.has(e.level) && e.signature === undefined);
  if (unknown.length === 0) return [];
  const byCause = new Map<Cause, ErrorLogEntry[]>();
  for (const e of unknown) byCause.set(causeOf(e), [...(byCause.get(causeOf(e)) ?? []), e]);
  return [...byCause].map(([cause, list]) => {
    const levels = [...new Set(list.map((e) => `[${e.level}]`))].join('/');
    const first = list[0];
    return {
      cause,
      confidence: 0.25,
      title: `Unclassified critical error: ${list.length} × ${levels} line${list.length === 1 ? '' : 's'} in the last ${windowLabel(ev)} that no rule knows${first ? `: ${first.message.slice(0, 120)}` : ''}`,
      evidence: representative(list).map((e) => e.raw),
      remediation: [
        'nginx logs at crit/alert/emerg only when a system call or its own state failed: read the line, its errno and the file or address it names.',
        `Look at the minutes around it: grep -nE '\\[(crit|alert|emerg)\\]' ${ev.errorLog?.path ?? '/var/log/nginx/error.log'} | tail -20`,
        'If it recurs with 502s, report the line shape so a rule can classify it.',
      ],
      actions: [action('investigate-manually', 'human', 'Read the critical line and its context')],
    };
  });
}
