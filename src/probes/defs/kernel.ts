import type { ProbeSpec } from '../types.js';
import { shScript } from './common.js';

/** ISO timestamps so lines can be windowed; journald as the fallback where dmesg is restricted. */
export const kernelProbe: ProbeSpec = {
  id: 'kernel-log',
  title: 'Kernel log (OOM kills, segfaults)',
  command: shScript(
    'dmesg --time-format iso 2>/dev/null | tail -n 3000 || journalctl -k -o short-iso --no-pager -n 3000 2>&1',
  ),
  privileged: true,
  timeoutMs: 4000,
  maxBytes: 2_000_000,
};
