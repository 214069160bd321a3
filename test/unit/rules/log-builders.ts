import type { AppLogLine, KernelEvidence } from '../../../src/diagnosis/evidence.js';
import { computeAccessStats, parseAccessLog } from '../../../src/parse/parse-access-log.js';
import { parseAppLog } from '../../../src/parse/parse-app-log.js';
import { parseKernelLog } from '../../../src/parse/parse-kernel-log.js';
import type { AccessStats } from '../../../src/parse/types.js';

/** App-server log lines through the real app-log parser; throws when a line matches no signature, so a case cannot pass vacuously. */
export function appLog(kind: string, text: string): AppLogLine[] {
  const lines = parseAppLog(kind, text, { utcOffsetMinutes: 0 });
  const wanted = text.split('\n').filter((l) => l.trim() !== '').length;
  if (lines.length !== wanted)
    throw new Error(`app-log parser matched ${lines.length} of ${wanted} ${kind} lines`);
  return lines;
}

/** `dmesg -T` / `journalctl -k` lines through the real kernel-log parser. */
export function kernelLog(text: string): KernelEvidence {
  return parseKernelLog(text);
}

export const HEALTHY_ACCESS = [
  '203.0.113.7 - - [21/Nov/2026:10:05:01 +0000] "GET /cart HTTP/1.1" 200 5120 "-" "Mozilla/5.0" rt=0.031 ua="127.0.0.1:8081" us="200" uct="0.000" uht="0.030" urt="0.030" ul="5120" cs=- host="shop.example.com"',
  '203.0.113.8 - - [21/Nov/2026:10:06:11 +0000] "POST /checkout HTTP/1.1" 200 312 "-" "Mozilla/5.0" rt=0.120 ua="127.0.0.1:8081" us="200" uct="0.000" uht="0.119" urt="0.119" ul="312" cs=- host="shop.example.com"',
].join('\n');

/** Access-log text in the catalog 5.1 `upstream_time` format, through the real parser. */
export function accessStats(text: string): AccessStats {
  const { records, unparsed } = parseAccessLog(text, 'upstream_time');
  return computeAccessStats(records, { unparsed });
}
