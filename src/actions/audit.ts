/**
 * Step 7 of the restart protocol, the record: who, what, where, when, result and output of every
 * click (refusals included), appended to a Redis stream (refusals to a second one) and written to the
 * JSON log. Output is redacted and cut before it is stored.
 */

import type { Logger } from 'pino';
import { z } from 'zod';
import { redact } from '../parse/redact.js';
import type { RedisConn } from '../queue/redis.js';

export const AuditResult = z.enum([
  'refused',
  'queued',
  'locked-out',
  'fault-gone',
  'blocked',
  'dry-run',
  'succeeded',
  'failed',
  'unknown',
]);
export type AuditResult = z.infer<typeof AuditResult>;

export const AuditEntrySchema = z.object({
  at: z.string(),
  who: z.string(),
  action: z.string(),
  host: z.string(),
  service: z.string(),
  command: z.string(),
  actionId: z.string(),
  result: AuditResult,
  detail: z.string(),
  output: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** Stream length kept (approximately, XADD MAXLEN ~). */
const KEEP = 10_000;
/**
 * Refused clicks go to a stream of their own (`<audit>:refused`, capped alike): anyone in the
 * channel can click, and clicks that change nothing must not push real restart records out of the
 * capped trail. `readAudit` shows both, in time order.
 */
export const refusedStream = (streamKey: string) => `${streamKey}:refused`;
const MAX_OUTPUT = 4000;

export async function appendAudit(
  redis: RedisConn,
  streamKey: string,
  logger: Logger,
  entry: Omit<AuditEntry, 'at'>,
): Promise<AuditEntry> {
  const full: AuditEntry = {
    at: new Date().toISOString(),
    ...entry,
    detail: redact(entry.detail),
    ...(entry.output !== undefined ? { output: redact(entry.output).slice(-MAX_OUTPUT) } : {}),
  };
  logger.info({ audit: full }, 'restart audit');
  const key = full.result === 'refused' ? refusedStream(streamKey) : streamKey;
  await redis.xadd(key, 'MAXLEN', '~', String(KEEP), '*', 'entry', JSON.stringify(full));
  return full;
}

/** Stream ids are `<ms>-<seq>`: compared as numbers, not as text. */
function idBefore(a: string, b: string): boolean {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am < bm || (am === bm && as < bs);
}

export async function readAudit(
  redis: RedisConn,
  streamKey: string,
  count: number,
): Promise<Array<AuditEntry & { id: string }>> {
  // The newest `count` of both streams (real records and refusals), oldest first.
  const rows = [
    ...(await redis.xrevrange(streamKey, '+', '-', 'COUNT', count)),
    ...(await redis.xrevrange(refusedStream(streamKey), '+', '-', 'COUNT', count)),
  ]
    .sort(([a], [b]) => (idBefore(a, b) ? 1 : idBefore(b, a) ? -1 : 0))
    .slice(0, count);
  const out: Array<AuditEntry & { id: string }> = [];
  for (const [id, fields] of rows.reverse()) {
    const i = fields.indexOf('entry');
    const parsed = AuditEntrySchema.safeParse(JSON.parse(fields[i + 1] ?? '{}'));
    if (parsed.success) out.push({ id, ...parsed.data });
  }
  return out;
}

export function formatAudit(e: AuditEntry): string {
  const head = `${e.at}  ${e.result.padEnd(10)} ${e.who.padEnd(11)} ${e.action} ${e.service} on ${e.host}: ${e.detail}`;
  return e.output ? `${head}\n    output: ${e.output.replace(/\n/g, '\n            ')}` : head;
}
