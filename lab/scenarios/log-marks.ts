/**
 * "What did this host log since then?": byte offsets of log files taken before a scenario, and the
 * complete lines written after them. Read from the machine through the host's private /var/log.
 */
import { open, stat } from 'node:fs/promises';
import type { Lab } from '../fleet.js';

export type LogMarks = Map<string, number>;

export async function markLogs(lab: Lab, host: string, files: string[]): Promise<LogMarks> {
  const marks: LogMarks = new Map();
  for (const file of files) {
    const size = await stat(lab.path(host, file)).then(
      (s) => s.size,
      () => 0,
    );
    marks.set(file, size);
  }
  return marks;
}

/** Complete lines appended to `file` since its mark (a log rotated or truncated since reads from 0). */
export async function linesSince(lab: Lab, host: string, file: string, marks: LogMarks): Promise<string[]> {
  const handle = await open(lab.path(host, file), 'r').catch(() => undefined);
  if (!handle) return [];
  try {
    const { size } = await handle.stat();
    let from = marks.get(file) ?? 0;
    if (size < from) from = 0;
    const buf = Buffer.alloc(size - from);
    await handle.read(buf, 0, buf.length, from);
    const text = buf.toString('utf8');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    return complete.split('\n').filter((l) => l !== '');
  } finally {
    await handle.close();
  }
}
