/**
 * Drops the alerts of a notification that are older than what the group has already seen, so that a
 * replayed (or late) notification cannot override a newer one. Alertmanager's bearer-authenticated
 * webhook carries no timestamp of its own, but each alert does: `startsAt` names its episode (a
 * fingerprint is the hash of the labels, the same in every episode), and within an episode
 * "resolved" comes after "firing". So an alert's order is (startsAt, firing < resolved); the group
 * keeps the highest seen per alert, and an alert below it is stale. A resolved notification captured
 * during an earlier episode, replayed while the group fires again, is dropped whole.
 */
import { createHash } from 'node:crypto';
import type { RedisConn } from '../queue/redis.js';
import type { IncomingAlert } from './payloads.js';

/** Sortable as text: zero-padded milliseconds, then 0 (firing) or 1 (resolved). */
export function alertOrder(alert: IncomingAlert): string {
  const ms = Date.parse(alert.startsAt);
  const t = Number.isFinite(ms) && ms > 0 ? ms : 0;
  return `${String(t).padStart(15, '0')}:${alert.status === 'resolved' ? 1 : 0}`;
}

/** The alert's identity in its group: Alertmanager's fingerprint, or a hash of its labels. */
export function alertIdentity(alert: IncomingAlert): string {
  if (alert.fingerprint && /^[0-9a-zA-Z]{1,64}$/.test(alert.fingerprint)) return alert.fingerprint;
  const labels = Object.entries(alert.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(labels)).digest('hex').slice(0, 32);
}

/**
 * One round trip, atomic: for each alert, keep it (and record its order) unless the group has seen
 * a higher one. Equal orders are kept, so Alertmanager's re-sends and retries of the same state pass.
 */
const KEEP_FRESH = `
local out = {}
for i = 2, #ARGV, 2 do
  local seen = redis.call('hget', KEYS[1], ARGV[i])
  if (not seen) or seen <= ARGV[i + 1] then
    redis.call('hset', KEYS[1], ARGV[i], ARGV[i + 1])
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
redis.call('expire', KEYS[1], tonumber(ARGV[1]))
return out
`;

export async function freshAlerts(
  redis: RedisConn,
  key: string,
  ttlS: number,
  alerts: readonly IncomingAlert[],
): Promise<IncomingAlert[]> {
  if (alerts.length === 0) return [];
  const args = alerts.flatMap((a) => [alertIdentity(a), alertOrder(a)]);
  const kept = (await redis.eval(KEEP_FRESH, 1, key, String(ttlS), ...args)) as number[];
  return alerts.filter((_, i) => kept[i] === 1);
}
