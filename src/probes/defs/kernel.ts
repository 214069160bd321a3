import type { ProbeSpec } from '../types.js';

/**
 * ISO timestamps so lines can be windowed, and only the window's lines (`--since`, util-linux 2.38+);
 * older dmesg: its last 3000 lines; journald where dmesg is restricted. Stdin: the window in seconds.
 */
export const kernelProbe: ProbeSpec = {
  id: 'kernel-log',
  title: 'Kernel log (OOM kills, segfaults)',
  script:
    'read -r since; dmesg --time-format iso --since "-$since"s 2>/dev/null && exit 0; ' +
    'o=$(dmesg --time-format iso 2>/dev/null) && { printf "%s\\n" "$o" | tail -n 3000; exit 0; }; ' +
    'journalctl -k -o short-iso --no-pager --since "-$since"s 2>&1 | tail -n 3000',
  privileged: true,
  timeoutMs: 4000,
  maxBytes: 2_000_000,
  stdin: (ctx) => `${Math.max(1, Math.round(ctx.sinceS))}\n`,
};
