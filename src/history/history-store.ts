/**
 * The report history in Redis: one summary per host and report (a string key that expires with the
 * retention), a sorted set per host and one of all hosts (ids scored by time), trimmed to the
 * retention on every write. Written by the worker when a report is final; read for the next report
 * of the host and by the App Home. Single-key commands only, so it works on Redis Cluster too.
 */
import type { RedisConn } from '../queue/redis.js';
import { historyKeys } from './history-keys.js';
import { type ReportSummary, ReportSummarySchema } from './report-summary.js';

const DAY_MS = 86_400_000;
/** The recent list keeps at most this many reports (the App Home shows the newest few). */
export const RECENT_MAX = 200;
/** A host's lookup reads at most this many of its reports (a host diagnosed more is "50th time"). */
const HOST_MAX = 100;

async function readSummaries(redis: RedisConn, queueName: string, ids: string[]): Promise<ReportSummary[]> {
  const keys = historyKeys(queueName);
  // One GET per id: ids of different hosts live in different Cluster slots.
  const texts = await Promise.all(ids.map((id) => redis.get(keys.report(id))));
  const out: ReportSummary[] = [];
  for (const text of texts) {
    if (text === null) continue; // expired with the retention before its id was trimmed
    try {
      const parsed = ReportSummarySchema.safeParse(JSON.parse(text));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // Not ours or damaged: skipped, like an expired one.
    }
  }
  return out;
}

/** Keeps a summary (again, after a retry: same id, same entry) and trims the host's and the recent set. */
export async function recordReport(
  redis: RedisConn,
  queueName: string,
  summary: ReportSummary,
  retentionDays: number,
  now = Date.now(),
): Promise<void> {
  const keys = historyKeys(queueName);
  const retentionMs = retentionDays * DAY_MS;
  const oldest = now - retentionMs;
  // A retry after the message was posted keeps where it is (the same message is updated).
  const [prior] = await readSummaries(redis, queueName, [summary.id]);
  const link = prior
    ? {
        ...(prior.channel !== undefined ? { channel: prior.channel } : {}),
        ...(prior.ts !== undefined ? { ts: prior.ts } : {}),
        ...(prior.permalink !== undefined ? { permalink: prior.permalink } : {}),
      }
    : {};
  await redis.set(
    keys.report(summary.id),
    JSON.stringify({ ...link, ...summary }),
    'PX',
    Math.max(1, summary.at + retentionMs - now),
  );
  for (const set of [keys.host(summary.host), keys.recent]) {
    await redis.zadd(set, summary.at, summary.id);
    await redis.zremrangebyscore(set, '-inf', `(${oldest}`);
    await redis.pexpire(set, retentionMs);
  }
  await redis.zremrangebyrank(keys.recent, 0, -(RECENT_MAX + 1));
}

/** Adds where the report message is, once posted; its expiry is kept. A summary already gone stays gone. */
export async function setReportLink(
  redis: RedisConn,
  queueName: string,
  id: string,
  link: { channel: string; ts: string; permalink?: string },
): Promise<boolean> {
  const [summary] = await readSummaries(redis, queueName, [id]);
  if (!summary) return false;
  const updated: ReportSummary = { ...summary, ...link };
  return (
    (await redis.set(historyKeys(queueName).report(id), JSON.stringify(updated), 'KEEPTTL', 'XX')) === 'OK'
  );
}

/** The host's kept reports within the retention, newest first. */
export async function hostReports(
  redis: RedisConn,
  queueName: string,
  host: string,
  retentionDays: number,
  now = Date.now(),
): Promise<ReportSummary[]> {
  const ids = await redis.zrevrangebyscore(
    historyKeys(queueName).host(host),
    '+inf',
    `(${now - retentionDays * DAY_MS}`,
    'LIMIT',
    0,
    HOST_MAX,
  );
  return readSummaries(redis, queueName, ids);
}

/** The newest `limit` reports of every host, newest first (the App Home's "recent diagnoses"). */
export async function recentReports(
  redis: RedisConn,
  queueName: string,
  limit: number,
): Promise<ReportSummary[]> {
  const ids = await redis.zrevrange(historyKeys(queueName).recent, 0, Math.max(0, limit - 1));
  return readSummaries(redis, queueName, ids);
}
