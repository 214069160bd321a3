import { parseUtcOffset } from '../../diagnosis/parse/time.js';
import type { ProbeSpec } from '../types.js';
import { CLOCK_START } from './common.js';

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

export const errorLogProbe: ProbeSpec = {
  id: 'error-log',
  title: 'nginx error log',
  script: TAIL_SCRIPT,
  start: [CLOCK_START],
  privileged: true,
  maxBytes: LOG_TAIL_BYTES + 4096,
  stdin: (ctx) => `${ctx.host.nginx.errorLog}\n`,
};

export const accessLogProbe: ProbeSpec = {
  id: 'access-log',
  title: 'nginx access log',
  script: TAIL_SCRIPT,
  start: [CLOCK_START],
  privileged: true,
  maxBytes: LOG_TAIL_BYTES + 4096,
  stdin: (ctx) => `${ctx.host.nginx.accessLog}\n`,
};

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
