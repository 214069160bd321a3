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

/** One job per target and window: the dedup key. Names are case-insensitive in the inventory. */
export function dedupKey(target: string, sinceS: number): string {
  return `diagnose:${target.toLowerCase()}:${sinceS}`;
}
