import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { logsReadLines } from '../logs-read.js';
import { unavailableLines } from './fallback.js';
import { windowLabel } from './log-signals.js';

interface Gap {
  what: string;
  weight: number;
}

/** Key probes whose absence weakens "no 502 evidence": the error log above all (it is where 502s show). */
function gaps(ev: Evidence): Gap[] {
  const out: Gap[] = [];
  const level = (ev.nginx.config?.errorLogs ?? []).find((l) =>
    ['crit', 'alert', 'emerg'].includes(l.level ?? ''),
  );
  if (!ev.errorLog) out.push({ what: 'the nginx error log could not be read', weight: 0.45 });
  else if (ev.errorLog.truncated)
    out.push({ what: `the error log read stopped at ${ev.errorLog.bytesRead} bytes`, weight: 0.1 });
  if (level) out.push({ what: `error_log level ${level.level} hides [error] upstream lines`, weight: 0.3 });
  if (!ev.accessLog) out.push({ what: 'the access log could not be read', weight: 0.05 });
  if (ev.nginx.running === undefined) out.push({ what: 'the nginx process state is unknown', weight: 0.1 });
  if (ev.nginx.configTestOk === undefined) out.push({ what: 'nginx -t could not run', weight: 0.05 });
  const unchecked = ev.targets.filter((t) => t.state === 'unknown');
  if ((ev.nginx.config?.targets.length ?? 0) > 0 && ev.targets.length === 0)
    out.push({ what: 'no upstream target could be probed', weight: 0.15 });
  else if (unchecked.length > 0)
    out.push({
      what: `${unchecked.length} upstream target(s) could not be probed`,
      weight: 0.05 * Math.min(3, unchecked.length),
    });
  if (!ev.kernel) out.push({ what: 'kernel log (OOM kills) could not be read', weight: 0.05 });
  if (!ev.resources) out.push({ what: 'resource usage could not be read', weight: 0.03 });
  return out;
}

/**
 * No upstream errors and nothing failed: the answer is "no 502 evidence here", as sure as the probes
 * that ran allow. Each key probe that could not run lowers the confidence and is named.
 */
export function no502EvidenceFinding(ev: Evidence): Finding {
  const found = gaps(ev);
  const confidence = Math.max(0.2, 0.9 - found.reduce((s, g) => s + g.weight, 0));
  const window = windowLabel(ev);
  const open = ev.targets.filter((t) => t.state === 'open');
  // Probed and failing now, with no error in the window to tie it to (no request reached it yet).
  const failing = ev.targets.filter((t) => t.state !== 'open' && t.state !== 'unknown');
  const allFine =
    failing.length > 0
      ? failing.length === 1
        ? '1 upstream target fails its check now'
        : `${failing.length} upstream targets fail their checks now`
      : open.length === ev.targets.length && open.length > 0
        ? `all ${open.length} upstream targets answer`
        : 'every check passed';
  const log = ev.errorLog;
  return {
    cause: 'no-502-evidence',
    confidence: Math.round(confidence * 100) / 100,
    title:
      found.length === 0
        ? `No upstream errors in the last ${window} on ${ev.host}: nginx runs and ${allFine}`
        : `No upstream errors found in the last ${window} on ${ev.host}, but ${found.length} check${found.length === 1 ? '' : 's'} could not run`,
    evidence: [
      ...(log
        ? [`${log.path}: 0 upstream errors in the last ${window} (${log.entries.length} lines read)`]
        : []),
      ...(ev.logFiles ? logsReadLines(ev) : []),
      ...open.map((t) => t.detail),
      ...failing.map((t) => `failing now: ${t.detail}`),
      ...found.map((g) => `not checked: ${g.what}`),
      ...unavailableLines(ev),
    ],
    remediation: [
      'If users still see 502/504, they may come from a balancer or CDN in front of nginx, or from another host: check its logs and which host served the request.',
      `Re-run while the errors happen, or with a longer window than ${window}.`,
      ...(found.length > 0
        ? ['Fix the probes that could not run (permissions, sudo -n, missing tools) for a definite answer.']
        : []),
    ],
    actions: [],
  };
}
