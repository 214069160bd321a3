/**
 * The restarts of a host, from the restart audit stream (actions/audit.ts): who restarted which
 * service, when, and whether the verification passed. Only runs that ran (succeeded, failed,
 * unknown) count; refusals, dry runs and blocked ones are not restarts.
 */
import { AuditEntrySchema } from '../actions/audit.js';
import type { RedisConn } from '../queue/redis.js';
import type { RestartFact } from './history-line.js';

/** Audit records read back per lookup (newest first): restarts are rare next to refusals' own stream. */
const SCAN = 1000;

/** The restarts of each of `hosts` since `sinceMs`, newest first; one read of the stream for all. */
export async function restartsByHost(
  redis: RedisConn,
  auditStream: string,
  hosts: ReadonlySet<string>,
  sinceMs: number,
): Promise<Map<string, RestartFact[]>> {
  const rows = await redis.xrevrange(
    auditStream,
    '+',
    String(Math.max(0, Math.floor(sinceMs))),
    'COUNT',
    SCAN,
  );
  const out = new Map<string, RestartFact[]>();
  for (const [id, fields] of rows) {
    const i = fields.indexOf('entry');
    let parsed: ReturnType<typeof AuditEntrySchema.safeParse>;
    try {
      parsed = AuditEntrySchema.safeParse(JSON.parse(fields[i + 1] ?? '{}'));
    } catch {
      continue;
    }
    if (!parsed.success || !hosts.has(parsed.data.host)) continue;
    const e = parsed.data;
    if (e.result !== 'succeeded' && e.result !== 'failed' && e.result !== 'unknown') continue;
    const at = Date.parse(e.at);
    out.set(e.host, [
      ...(out.get(e.host) ?? []),
      {
        at: Number.isFinite(at) ? at : Number(id.split('-')[0]),
        who: e.who,
        service: e.service,
        action: e.action,
        result: e.result,
      },
    ]);
  }
  return out;
}
