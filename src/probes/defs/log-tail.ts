import { computeErrorSeries, type ErrorSeries } from '../../parse/error-series.js';
import { formatWindow } from '../../parse/format-window.js';
import { type ErrorWindow, errorLogWindow, upstreamErrorEntries } from '../../parse/log-window.js';
import { computeAccessStats, parseAccessLine } from '../../parse/parse-access-log.js';
import { type HostClock, parseUtcOffset } from '../../parse/time.js';
import type { AccessStats, ErrorLogEntry, NginxConfig } from '../../parse/types.js';
import { type CheckLine, defineProbe, plural } from '../record.js';
import { CLOCK_START } from './common.js';
import { nginxConfigProbe } from './nginx-config.js';

/** Byte cap per log read: a 10 GB log is never read whole, only its tail. */
export const LOG_TAIL_BYTES = 4 * 1024 * 1024;

/**
 * `tail` first, the shell's own tests only after it failed: a test is a builtin, and a builtin that
 * stats a log on a stalled file system (a hung NFS or FUSE mount) would hold the batch's shell itself,
 * where the watchdog cannot stop it; `tail` is a program of this probe, which it can. A tail stopped by
 * a signal (status above 128) is not asked about again.
 */
const TAIL_SCRIPT =
  `echo "__DATE $__clock"; read -r f; echo __TAIL; $D502_SUDO tail -c ${LOG_TAIL_BYTES} -- "$f" 2>/dev/null; r=$?; ` +
  'if [ "$r" -ne 0 ] && [ "$r" -lt 128 ]; then ' +
  'if [ ! -e "$f" ]; then echo "__MISSING"; elif [ ! -r "$f" ]; then echo "__UNREADABLE"; else echo "__FAILED $r"; fi; fi';

export const errorLogProbe = defineProbe({
  id: 'error-log',
  title: 'nginx error log',
  script: TAIL_SCRIPT,
  start: [CLOCK_START],
  privileged: true,
  maxBytes: LOG_TAIL_BYTES + 4096,
  stdin: (ctx) => `${ctx.host.nginx.errorLog}\n`,
  // Cut to the window once, by the host's clock as the tail read it: the check line and the evidence
  // read the same entries.
  parse: (stdout, { view }): ErrorLogRead => {
    const tail = parseLogTail(stdout);
    if (tail.state !== 'ok') return { tail };
    const clock = tailClock(tail) ?? { ...view.window.clock, utcOffsetMinutes: tail.utcOffsetMinutes };
    return { tail, window: errorLogWindow(tail.text, tail.cut, clock, view.window.sinceS) };
  },
  clock: ({ tail }) => tailClock(tail),
  notChecked: ({ tail }, view) =>
    tail.state === 'ok' ? undefined : `${view.ctx.host.nginx.errorLog} is ${tail.state}`,
  check: ({ tail, window }, view): CheckLine => {
    if (tail.state !== 'ok' || !window) return { status: 'error', summary: `error log ${tail.state}` };
    const since = formatWindow(view.window.sinceS);
    const errors = upstreamErrorEntries(window.entries);
    if (errors.length === 0) return { status: 'ok', summary: `no upstream errors in the last ${since}` };
    const counts = new Map<string, number>();
    for (const e of errors) counts.set(e.signature ?? '?', (counts.get(e.signature ?? '?') ?? 0) + 1);
    const top = [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([sig, n]) => `${n}× ${sig}`)
      .join(', ');
    return {
      status: 'warn',
      summary: `${plural(errors.length, 'upstream error')} in the last ${since}: ${top}`,
    };
  },
  evidence: (read, view): { errorLog?: LogWindow<ErrorLogEntry> } =>
    read?.window
      ? {
          errorLog: {
            path: view.ctx.host.nginx.errorLog,
            entries: read.window.entries,
            truncated: read.window.truncated,
            bytesRead: read.tail.text.length,
          },
        }
      : {},
});

export const accessLogProbe = defineProbe({
  id: 'access-log',
  title: 'nginx access log',
  script: TAIL_SCRIPT,
  start: [CLOCK_START],
  privileged: true,
  maxBytes: LOG_TAIL_BYTES + 4096,
  stdin: (ctx) => `${ctx.host.nginx.accessLog}\n`,
  parse: (stdout) => parseLogTail(stdout),
  clock: (tail) => tailClock(tail),
  notChecked: (tail, view) =>
    tail.state === 'ok' ? undefined : `${view.ctx.host.nginx.accessLog} is ${tail.state}`,
  check: (tail): CheckLine => {
    if (tail.state !== 'ok') return { status: 'error', summary: `access log ${tail.state}` };
    const lines = tail.text.split('\n');
    const bad = lines.filter((l) => /" 50[24] /.test(l) || /"status":50[24]\b/.test(l)).length;
    return bad > 0
      ? { status: 'warn', summary: `${bad} of ${lines.length - 1} lines read are 502/504` }
      : { status: 'ok', summary: `${lines.length - 1} lines read, no 502/504` };
  },
  // Lines are parsed here, once the config (and so the `log_format`) is known.
  evidence: (tail, view): { accessLog?: AccessStats; accessSeries?: ErrorSeries } => {
    if (tail?.state !== 'ok') return {};
    const format = accessFormat(view.result(nginxConfigProbe)?.config, view.ctx.host.nginx.accessLog);
    const records = tail.text
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => parseAccessLine(l, format));
    const { startMs, endMs } = view.window;
    return {
      accessLog: computeAccessStats(records, { sinceMs: startMs }),
      accessSeries: computeErrorSeries(records, { sinceMs: startMs, untilMs: endMs }),
    };
  },
});

/** The error log as read, and its entries inside the window when it could be read. */
export interface ErrorLogRead {
  tail: LogTail;
  window?: ErrorWindow;
}

export interface LogWindow<T> {
  path: string;
  entries: T[];
  /** The read stopped at the byte cap before reaching the window start. */
  truncated: boolean;
  bytesRead: number;
}

/** The host's clock as the tail printed it (`__DATE`), when it did. */
function tailClock(tail: LogTail): HostClock | undefined {
  return tail.nowS === undefined ? undefined : { nowS: tail.nowS, utcOffsetMinutes: tail.utcOffsetMinutes };
}

/** The `log_format` the access log is written in, when `nginx -T` says. */
function accessFormat(cfg: NginxConfig | undefined, path: string): string | undefined {
  if (!cfg) return undefined;
  const log = cfg.accessLogs.find((a) => a.path === path) ?? cfg.accessLogs[0];
  const name = log?.format ?? 'combined';
  return cfg.logFormats[name] ?? (name === 'combined' ? undefined : name);
}

export interface LogTail {
  state: 'ok' | 'missing' | 'unreadable';
  sizeBytes: number;
  /** The tail, starting at the first whole line when the read began mid-file. */
  text: string;
  /** The file is larger than what was read. */
  cut: boolean;
  /** The host's clock when it was read: nginx logs local time without a zone. */
  nowS?: number;
  utcOffsetMinutes: number;
}

export function parseLogTail(output: string): LogTail {
  const dateEnd = output.startsWith('__DATE ') ? output.indexOf('\n') + 1 : 0;
  const [nowS, zone] = output.slice(7, Math.max(7, dateEnd - 1)).split(' ');
  const clock = { nowS: Number(nowS) || undefined, utcOffsetMinutes: parseUtcOffset(zone ?? '') ?? 0 };
  const stdout = output.slice(dateEnd);
  // After a failed tail, its only output is the marker line (older probes printed it instead of __TAIL).
  const failure = /^(?:__TAIL\n)?(__MISSING|__UNREADABLE|__FAILED \d+)\n?$/.exec(stdout)?.[1];
  if (failure === '__MISSING') return { state: 'missing', sizeBytes: 0, text: '', cut: false, ...clock };
  if (failure !== undefined) return { state: 'unreadable', sizeBytes: 0, text: '', cut: false, ...clock };
  const nl = stdout.indexOf('\n');
  let text = nl >= 0 ? stdout.slice(nl + 1) : '';
  // A full read of LOG_TAIL_BYTES means the file was longer (one `stat` less on the host; a file of
  // exactly that size loses its first line, which is harmless).
  const size = Buffer.byteLength(text);
  const cut = size >= LOG_TAIL_BYTES;
  if (cut) {
    const first = text.indexOf('\n');
    text = first >= 0 ? text.slice(first + 1) : '';
  }
  return { state: 'ok', sizeBytes: size, text, cut, ...clock };
}
