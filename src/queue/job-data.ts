/**
 * What a diagnosis job carries through Redis. Parsed with zod when the worker takes it, since the
 * data crossed a process boundary (and may have been written by an older version of the bot).
 */
import { z } from 'zod';
import { TARGET_PATTERN } from '../inventory/resolve-target.js';

/** Where the live report lives once the worker has posted it (kept so a retry updates the same one). */
export const MessageRefSchema = z.object({ channel: z.string().min(1), ts: z.string().min(1) });
export type MessageRef = z.infer<typeof MessageRefSchema>;

export const DiagnoseJobDataSchema = z.object({
  target: z.string().regex(TARGET_PATTERN),
  sinceS: z
    .number()
    .int()
    .min(1)
    .max(7 * 86400),
  /** Who asked: the report names them. */
  requestedBy: z.object({ userId: z.string().min(1) }),
  channelId: z.string().min(1),
  teamId: z.string().optional(),
  /** Slack's response_url of the command (ephemeral answers to the person, 30 minutes). */
  responseUrl: z.string().url().optional(),
  message: MessageRefSchema.optional(),
  /** Post the report as a reply in this thread (an alert group's message) instead of a new message. */
  thread: MessageRefSchema.optional(),
});
export type DiagnoseJobData = z.infer<typeof DiagnoseJobDataSchema>;

export const DIAGNOSE_JOB_NAME = 'diagnose';

/**
 * The windows a person's request is rounded up to, so that near-identical requests (`web 1s`,
 * `web 2s`, … `web 30s`) are one job instead of one each: at most a dozen jobs per target.
 */
export const WINDOW_STEPS_S = [
  30,
  60,
  300,
  900,
  1800,
  3600,
  3 * 3600,
  6 * 3600,
  12 * 3600,
  86_400,
  3 * 86_400,
  7 * 86_400,
] as const;

/** The smallest step that covers the window asked for (never less than asked). */
export function roundWindow(sinceS: number): number {
  return WINDOW_STEPS_S.find((step) => step >= sinceS) ?? 7 * 86_400;
}

/** One job per target and rounded window: the dedup key. Names are case-insensitive in the inventory. */
export function dedupKey(target: string, sinceS: number): string {
  return `diagnose:${target.toLowerCase()}:${roundWindow(sinceS)}`;
}
