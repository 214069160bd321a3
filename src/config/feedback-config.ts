/**
 * The feedback control's part of the configuration (issue 20): which control a report carries, and
 * how long and how many votes are kept. Every problem says what to set.
 */
import { z } from 'zod';

/**
 * `native`: Slack's feedback_buttons in a context_actions block (a report Slack refuses with
 * `invalid_blocks` is sent again with plain buttons); `buttons`: plain buttons in an actions block
 * (Slack apps or surfaces without context_actions); `off`: no control.
 */
export const FeedbackControl = z.enum(['native', 'buttons', 'off']);
export type FeedbackControl = z.infer<typeof FeedbackControl>;

export interface FeedbackConfig {
  control: FeedbackControl;
  /** Votes older than this are dropped from the stream; a person's mark on a report expires then. */
  retentionMs: number;
  /** Votes kept at most (approximately). */
  maxEntries: number;
}

const whole = (min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === '') return fallback;
      const n = Number(text);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

const FeedbackEnvSchema = z.object({
  DIAGNOSE502_FEEDBACK: z
    .string()
    .optional()
    .transform((t) => (t === undefined || t.trim() === '' ? 'native' : t.trim()))
    .pipe(z.enum(['native', 'buttons', 'off'], { error: 'must be native, buttons or off' })),
  DIAGNOSE502_FEEDBACK_RETENTION_DAYS: whole(1, 3650, 90),
  DIAGNOSE502_FEEDBACK_MAX_ENTRIES: whole(100, 1_000_000, 10_000),
});

export function loadFeedbackConfig(env: NodeJS.ProcessEnv): {
  config: FeedbackConfig;
  issues: string[];
} {
  const parsed = FeedbackEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${String(i.path[0] ?? 'DIAGNOSE502_FEEDBACK')} ${i.message}`,
    );
    return { config: { control: 'native', retentionMs: 90 * 86_400_000, maxEntries: 10_000 }, issues };
  }
  const e = parsed.data;
  return {
    config: {
      control: e.DIAGNOSE502_FEEDBACK,
      retentionMs: e.DIAGNOSE502_FEEDBACK_RETENTION_DAYS * 86_400_000,
      maxEntries: e.DIAGNOSE502_FEEDBACK_MAX_ENTRIES,
    },
    issues: [],
  };
}
