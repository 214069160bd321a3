/**
 * What a watch keeps in Redis between its ticks. Parsed with zod when read back: it crossed a process
 * boundary and may have been written by an older worker.
 */
import { z } from 'zod';

/** One tick's reading of the host. */
export const WatchSampleSchema = z.object({
  /** When the tick read the host (epoch ms). */
  at: z.number(),
  /** 502 and 504 answers in the access log over the last interval; null when the log could not be read. */
  rate: z.number().int().min(0).nullable(),
  /** Upstream targets checked, and those that did not answer (their labels). */
  checked: z.number().int().min(0),
  failing: z.array(z.string()),
  /** Why the upstream checks did not run (no config read, timed out): such a tick is not clean. */
  unchecked: z.string().optional(),
  /** Why the host could not be read at all (SSH refused): the tick is neither clean nor worse. */
  error: z.string().optional(),
});
export type WatchSample = z.infer<typeof WatchSampleSchema>;

export const WatchStatusSchema = z.enum(['active', 'back', 'stopped', 'ended']);
export type WatchStatus = z.infer<typeof WatchStatusSchema>;

/** A thread message of the watch: it got worse (and why), the host is back, or the time ran out. */
export const WatchNoticeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('worse'),
    tick: z.number().int(),
    /** The rate before and now, when it rose by a clear margin. */
    rate: z.object({ from: z.number(), to: z.number() }).optional(),
    /** Upstream targets that answered at the tick before and do not now. */
    upstreams: z.array(z.string()).optional(),
  }),
  z.object({ kind: z.literal('back'), tick: z.number().int(), cleanTicks: z.number().int() }),
  z.object({ kind: z.literal('ended'), tick: z.number().int() }),
]);
export type WatchNotice = z.infer<typeof WatchNoticeSchema>;

export const WatchStateSchema = z.object({
  v: z.literal(1),
  id: z.string().regex(/^[a-f0-9]{8,32}$/),
  host: z.string().min(1),
  startedBy: z.string().min(1),
  startedAt: z.number(),
  endsAt: z.number(),
  /** The report's channel and message: the watch line is a reply in its thread. */
  channel: z.string().min(1),
  threadTs: z.string().min(1),
  /** The watch's own message (the line), once the first tick posted it. */
  messageTs: z.string().optional(),
  intervalMs: z.number().int().min(1000),
  /** Clean ticks in a row after which the host is back and the watch stops. */
  cleanNeeded: z.number().int().min(1),
  /** Ticks done: tick n is done once this is n, and is never counted twice. */
  tick: z.number().int().min(0),
  samples: z.array(WatchSampleSchema),
  cleanStreak: z.number().int().min(0),
  status: WatchStatusSchema,
  /** Who pressed Stop (status `stopped`). */
  stoppedBy: z.string().optional(),
  /** Thread messages this watch has decided to post, in order; `posted` of them are posted. */
  notices: z.array(z.lazy(() => WatchNoticeSchema)),
  posted: z.number().int().min(0),
});
export type WatchState = z.infer<typeof WatchStateSchema>;

/** What App Home shows of a watch (the agreed interface of issue 20; times in epoch ms). */
export interface ActiveWatch {
  host: string;
  startedBy: string;
  startedAt: number;
  endsAt: number;
  channel: string;
  messageTs: string;
  lastRate?: number;
}

/** The last rate read (a tick whose log could not be read has none). */
export function lastRate(state: WatchState): number | undefined {
  for (let i = state.samples.length - 1; i >= 0; i--) {
    const r = state.samples[i]?.rate;
    if (r !== null && r !== undefined) return r;
  }
  return undefined;
}

export function toActiveWatch(state: WatchState): ActiveWatch {
  const rate = lastRate(state);
  return {
    host: state.host,
    startedBy: state.startedBy,
    startedAt: state.startedAt,
    endsAt: state.endsAt,
    channel: state.channel,
    messageTs: state.messageTs ?? state.threadTs,
    ...(rate !== undefined ? { lastRate: rate } : {}),
  };
}
