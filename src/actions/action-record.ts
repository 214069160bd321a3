/**
 * Step 1 of the restart protocol, storage: what a restart button stands for. The button carries only
 * the record's opaque id; host, service and command live here, written by the worker from the
 * inventory, so nothing that comes back from Slack can choose what runs.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { RedisConn } from '../queue/redis.js';
import type { ActionKeys } from './keys.js';
import { LINE_MARKER_PATTERN } from './request-line.js';

export const ACTION_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export const ActionRecordSchema = z.object({
  id: z.string().regex(ACTION_ID_PATTERN),
  kind: z.enum(['restart-service', 'reload-nginx']),
  host: z.string().min(1),
  address: z.string().min(1),
  /** Inventory service name; `nginx` for a reload. */
  service: z.string().min(1),
  /** The inventory's restart command (or the fixed nginx reload), shown in the confirm dialog. */
  command: z.string().min(1),
  /** The finding the button belongs to: the diagnosis job and its cause. */
  diagnosis: z.object({ jobId: z.string(), cause: z.string(), title: z.string() }),
  /**
   * Which error-log line holds the request that failed through nginx: its marker (time, level,
   * pid#tid, *conn), none of the client's text. The checks read that line again on the host and
   * replay its request (request-line.ts); the request itself is never stored nor sent to Slack.
   */
  failing: z.object({ marker: z.string().regex(LINE_MARKER_PATTERN) }).optional(),
  createdAt: z.number().int(),
  expiresAt: z.number().int(),
  dryRun: z.boolean(),
});
export type ActionRecord = z.infer<typeof ActionRecordSchema>;

/** Records outlive their expiry by this much, so a late click is told "expired", not "unknown". */
const KEEP_AFTER_EXPIRY_MS = 24 * 3600_000;

export const newActionId = (): string => randomBytes(16).toString('base64url');

export async function saveActionRecord(
  redis: RedisConn,
  keys: ActionKeys,
  record: ActionRecord,
): Promise<void> {
  const ttl = Math.max(1, record.expiresAt - Date.now()) + KEEP_AFTER_EXPIRY_MS;
  await redis.set(keys.record(record.id), JSON.stringify(record), 'PX', ttl);
}

/** The record, or undefined when the id is unknown (never issued, or long gone). */
export async function loadActionRecord(
  redis: RedisConn,
  keys: ActionKeys,
  id: string,
): Promise<ActionRecord | undefined> {
  if (!ACTION_ID_PATTERN.test(id)) return undefined;
  const text = await redis.get(keys.record(id));
  if (text === null) return undefined;
  const parsed = ActionRecordSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

/**
 * Marks the record used by `userId`; only the first caller gets true. Kept as long as the record,
 * so a replay of the same click (or of the same request body) is refused.
 */
export async function claimAction(
  redis: RedisConn,
  keys: ActionKeys,
  record: ActionRecord,
  userId: string,
): Promise<{ claimed: true } | { claimed: false; by: string; at: number }> {
  const value = JSON.stringify({ by: userId, at: Date.now() });
  const ttl = Math.max(1, record.expiresAt - Date.now()) + KEEP_AFTER_EXPIRY_MS;
  const ok = await redis.set(keys.used(record.id), value, 'PX', ttl, 'NX');
  if (ok === 'OK') return { claimed: true };
  const prior = JSON.parse((await redis.get(keys.used(record.id))) ?? '{}') as { by?: string; at?: number };
  return { claimed: false, by: prior.by ?? 'someone', at: prior.at ?? 0 };
}
