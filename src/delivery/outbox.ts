/**
 * The outbox: what could not reach Slack waits here (Redis, through the delivery queue) and is
 * delivered when Slack answers again, by whichever worker takes it. Also the one shared word on
 * whether Slack answers (a hash in Redis every process reads), so that once an outage is seen no
 * process waits on Slack's retries before deferring, and /readyz says so at once.
 *
 * A message that is not posted yet has no ts; it gets a placeholder (`pending-<uuid>`) that stands
 * for it everywhere a ts is kept (an alert group's state, its jobs' `thread`), resolved here once
 * the message is posted. What needs it (a reply in its thread, an edit of it) waits for that.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { MessageRef } from '../queue/job-data.js';
import type { RedisConn } from '../queue/redis.js';
import type { SlackMessage } from '../report/block-kit-types.js';
import type { ReportDelivery } from './delivery-data.js';
import type { DeliveryKeys, DeliveryQueue } from './delivery-queue.js';

const PLACEHOLDER = /^pending-[0-9a-f-]{36}$/;
/** An outage is forgotten this long after the last failure seen, should nobody probe again. */
const OUTAGE_MEMORY_MS = 60_000;
/** Placeholders outlive the alert group state that holds them (7 days after its last notification). */
const THREAD_TTL_S = 30 * 86400;

export const isPlaceholder = (ts: string): boolean => PLACEHOLDER.test(ts);

export type Resolved = { kind: 'posted'; ts: string } | { kind: 'pending' } | { kind: 'expired' };

export class Outbox {
  constructor(
    readonly queue: DeliveryQueue,
    private readonly redis: RedisConn,
    private readonly keys: DeliveryKeys,
    private readonly now: () => number = Date.now,
  ) {}

  /** Since when Slack has not answered (epoch ms), or undefined while it answers. */
  async slackDownSince(): Promise<number | undefined> {
    const since = await this.redis.hget(this.keys.outage, 'since');
    return since ? Number(since) : undefined;
  }

  /** Slack did not answer a call: deferred from now on until something gets an answer. */
  async markDown(): Promise<void> {
    await this.redis
      .multi()
      .hsetnx(this.keys.outage, 'since', String(this.now()))
      .pexpire(this.keys.outage, OUTAGE_MEMORY_MS)
      .exec();
  }

  /** A delivery's probe failed: returns how many probes in a row have (for the backoff). */
  async probeFailed(): Promise<number> {
    const res = await this.redis
      .multi()
      .hsetnx(this.keys.outage, 'since', String(this.now()))
      .hincrby(this.keys.outage, 'failures', 1)
      .pexpire(this.keys.outage, OUTAGE_MEMORY_MS)
      .exec();
    return Number(res?.[1]?.[1] ?? 1);
  }

  /** Slack answered: whatever waits may go. Returns when it was down since, if it was. */
  async markUp(): Promise<number | undefined> {
    const since = await this.slackDownSince();
    if (since !== undefined) await this.redis.del(this.keys.outage);
    return since;
  }

  reportJobId(diagnosisJobId: string): string {
    return `report-${diagnosisJobId}`;
  }

  /** Whether this diagnosis's report is already in the outbox (an earlier attempt deferred it). */
  async hasReport(diagnosisJobId: string): Promise<boolean> {
    return (await this.queue.getJob(this.reportJobId(diagnosisJobId))) !== undefined;
  }

  /** Keeps a finished report (or final failure) for later; a second call for one diagnosis is a no-op. */
  async deferReport(d: ReportDelivery): Promise<void> {
    await this.queue.add('report', d, { jobId: this.reportJobId(d.diagnosisJobId) });
  }

  /** Keeps a message to post later; returns its placeholder ref, usable as a thread or for updates. */
  async deferPost(channel: string, message: SlackMessage, threadTs?: string): Promise<MessageRef> {
    const placeholder = `pending-${randomUUID()}`;
    await this.queue.add(
      'post',
      {
        kind: 'post',
        placeholder,
        channel,
        message,
        createdAt: this.now(),
        ...(threadTs ? { threadTs } : {}),
      },
      { jobId: `post-${placeholder}` },
    );
    return { channel, ts: placeholder };
  }

  /** Whether an update of this message waits in the outbox (a newer one must then wait behind it). */
  async hasPendingUpdate(ref: MessageRef): Promise<boolean> {
    return (await this.redis.exists(this.keys.latest(ref.channel, ref.ts))) === 1;
  }

  /** Keeps the latest state of a message; only the newest one is sent when Slack answers. */
  async deferUpdate(ref: MessageRef, message: SlackMessage): Promise<void> {
    const key = this.keys.latest(ref.channel, ref.ts);
    const res = await this.redis
      .multi()
      .hincrby(key, 'version', 1)
      .hset(key, 'message', JSON.stringify(message))
      .expire(key, THREAD_TTL_S)
      .exec();
    const version = Number(res?.[0]?.[1] ?? 0);
    const id = createHash('sha256').update(`${ref.channel}\n${ref.ts}`).digest('hex').slice(0, 24);
    await this.queue.add(
      'update',
      { kind: 'update', channel: ref.channel, ts: ref.ts, createdAt: this.now() },
      { jobId: `update-${id}-${version}` },
    );
  }

  /** The newest state of a message waiting to be sent, unless it was sent already. */
  async latest(ref: MessageRef): Promise<{ version: number; message: SlackMessage } | undefined> {
    const h = await this.redis.hgetall(this.keys.latest(ref.channel, ref.ts));
    const version = Number(h.version ?? 0);
    if (!h.message || version <= Number(h.sent ?? 0)) return undefined;
    return { version, message: JSON.parse(h.message) as SlackMessage };
  }

  /** Records that `version` was sent; the key goes once nothing newer waits. */
  async sent(ref: MessageRef, version: number): Promise<void> {
    await this.redis.eval(
      `local v = tonumber(redis.call('hget', KEYS[1], 'version') or '0')
       local s = tonumber(redis.call('hget', KEYS[1], 'sent') or '0')
       if tonumber(ARGV[1]) > s then s = tonumber(ARGV[1]) redis.call('hset', KEYS[1], 'sent', s) end
       if s >= v then redis.call('del', KEYS[1]) end
       return s`,
      1,
      this.keys.latest(ref.channel, ref.ts),
      String(version),
    );
  }

  /** A real ts as it is; a placeholder as the ts it became, or pending / expired. */
  async resolve(ts: string): Promise<Resolved> {
    if (!isPlaceholder(ts)) return { kind: 'posted', ts };
    const real = await this.redis.get(this.keys.thread(ts));
    if (!real) return { kind: 'pending' };
    return real === 'expired' ? { kind: 'expired' } : { kind: 'posted', ts: real };
  }

  async posted(placeholder: string, ts: string): Promise<void> {
    await this.redis.set(this.keys.thread(placeholder), ts, 'EX', THREAD_TTL_S);
  }

  async expired(placeholder: string): Promise<void> {
    await this.redis.set(this.keys.thread(placeholder), 'expired', 'EX', THREAD_TTL_S, 'NX');
  }

  /** Deliveries waiting (for Slack, or for the message they belong to), for the metrics. */
  async pending(): Promise<number> {
    const c = await this.queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized', 'paused');
    return Object.values(c).reduce((a, b) => a + b, 0);
  }
}
