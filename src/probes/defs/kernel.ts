import { formatWindow } from '../../parse/format-window.js';
import { kernelLogWindow } from '../../parse/log-window.js';
import { KERNEL_LINE_PATTERN } from '../../parse/parse-kernel-log.js';
import type { KernelEvidence } from '../../parse/types.js';
import { type CheckLine, defineProbe, plural } from '../record.js';

const UNREADABLE =
  'neither dmesg nor journalctl -k could be read (kernel.dmesg_restrict? run the probes with sudo)';

/** What a reader prints as its last line when it could not read the log (dmesg restricted, no journal). */
const FAILED = '__FAILED';

/**
 * One reader of the kernel log, filtered as it streams: `grep` keeps only the lines the parser reads
 * and the reader's failure marker, so the shell holds a few lines instead of the whole window (a full
 * ring buffer is ~1-2 MB, and copying it through the shell cost more than reading it).
 */
const filtered = (reader: string) =>
  `o=$({ ${reader} || echo ${FAILED}; } | grep -E "${KERNEL_LINE_PATTERN}|^${FAILED}$"); ` +
  // The marker is a line of its own, and the last one: a kernel message cannot fake it.
  `case "$o" in ${FAILED} | *"\n${FAILED}") ok= ;; *) ok=1 ;; esac; `;

/**
 * The kernel log of the window (`--since`, util-linux 2.38+; older dmesg: all of it), ISO-dated so
 * lines can be windowed, journald where dmesg is restricted; only the lines the parser reads
 * (OOM kills, segfaults, network-stack warnings) leave the host: a firewall that logs every drop can
 * fill the log with lines that would only cost transfer and parsing. `__SOURCE` says what was read.
 * Stdin: the window in seconds.
 */
export const kernelProbe = defineProbe({
  id: 'kernel-log',
  title: 'Kernel log (OOM kills, segfaults)',
  script:
    'read -r since; src=dmesg; ' +
    filtered(
      '$D502_SUDO dmesg --time-format iso --since "-$since"s 2>/dev/null || $D502_SUDO dmesg --time-format iso 2>/dev/null',
    ) +
    'if [ -z "$ok" ]; then src=journal; ' +
    filtered('$D502_SUDO journalctl -k -o short-iso --no-pager --since "-$since"s 2>/dev/null') +
    'fi; if [ -z "$ok" ]; then src=none; o=; fi; ' +
    'echo "__SOURCE $src"; if [ -n "$o" ]; then printf "%s\\n" "$o"; fi; :',
  privileged: true,
  maxBytes: 2_000_000,
  stdin: (ctx) => `${Math.max(1, Math.round(ctx.sinceS))}\n`,
  // Cut to the window once, by the host's clock: the check line and the evidence (and so the OOM
  // finding) read the same events.
  parse: (stdout, { view }): KernelRead => ({
    text: stdout,
    unreadable: /^__SOURCE none$/m.test(stdout),
    events: kernelLogWindow(stdout, view.window.clock, view.window.sinceS),
  }),
  notChecked: ({ unreadable }) => (unreadable ? UNREADABLE : undefined),
  check: ({ unreadable, events }, view): CheckLine => {
    if (unreadable) return { status: 'error', summary: `could not check: ${UNREADABLE}` };
    const since = formatWindow(view.window.sinceS);
    if (events.oomKills.length === 0) return { status: 'ok', summary: `no OOM kills in the last ${since}` };
    const victims = [...new Set(events.oomKills.map((k) => k.process))].join(', ');
    return {
      status: 'warn',
      summary: `${plural(events.oomKills.length, 'OOM kill')} in the last ${since}: ${victims}`,
    };
  },
  evidence: (read): { kernel?: KernelEvidence } => (read ? { kernel: read.events } : {}),
});

/** The kernel log's lines as read (the security part reads AppArmor denials in them) and its events in the window. */
export interface KernelRead {
  text: string;
  /** No reader could read the log (`__SOURCE none`). */
  unreadable: boolean;
  events: KernelEvidence;
}
