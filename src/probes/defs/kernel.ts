import { KERNEL_LINE_PATTERN } from '../../diagnosis/parse/parse-kernel-log.js';
import type { ProbeSpec } from '../types.js';

/**
 * The kernel log of the window (`--since`, util-linux 2.38+; older dmesg: all of it), ISO-dated so
 * lines can be windowed, journald where dmesg is restricted; only the lines the parser reads
 * (OOM kills, segfaults, network-stack warnings) leave the host: a firewall that logs every drop can
 * fill the log with lines that would only cost transfer and parsing. `__SOURCE` says what was read.
 * Stdin: the window in seconds.
 */
export const kernelProbe: ProbeSpec = {
  id: 'kernel-log',
  title: 'Kernel log (OOM kills, segfaults)',
  script:
    'read -r since; src=none; ' +
    'if o=$(dmesg --time-format iso --since "-$since"s 2>/dev/null); then src=dmesg; ' +
    'elif o=$(dmesg --time-format iso 2>/dev/null); then src=dmesg; ' +
    'elif o=$(journalctl -k -o short-iso --no-pager --since "-$since"s 2>/dev/null); then src=journal; fi; ' +
    `echo "__SOURCE $src"; if [ -n "$o" ]; then printf "%s\\n" "$o" | grep -E "${KERNEL_LINE_PATTERN}"; fi; :`,
  privileged: true,
  maxBytes: 2_000_000,
  stdin: (ctx) => `${Math.max(1, Math.round(ctx.sinceS))}\n`,
};
