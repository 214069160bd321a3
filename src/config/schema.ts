/**
 * The bot's configuration, read from the environment once at start (`loadBotConfig`). Each field
 * says in its message what to set, so a failed start is fixed without reading the code.
 */
import { z } from 'zod';
import { parseRedisTarget } from './redis-target.js';

/** Comma-separated Slack ids (`C0123,C0456`); empty or unset means "everyone". */
const idList = (what: string, example: string) =>
  z
    .string()
    .optional()
    .transform((text) =>
      (text ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^[A-Z][A-Z0-9]{2,}$/,
            `each entry must be a Slack ${what} id like ${example} (not a name): copy it from the ${what}'s details in Slack`,
          ),
      ),
    );

const intFrom = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === '') return fallback;
      const n = Number(text);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

export const BotEnvSchema = z.object({
  SLACK_BOT_TOKEN: z
    .string({ error: 'is not set: set it to the Bot User OAuth Token (xoxb-…) from OAuth & Permissions' })
    .regex(/^xoxb-/, 'must be the Bot User OAuth Token, which starts with xoxb- (OAuth & Permissions)'),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, 'must be an app-level token starting with xapp- (Basic Information > App-Level Tokens)')
    .optional(),
  SLACK_API_URL: z
    .url({ error: 'must be an absolute URL such as https://slack.com/api/' })
    .default('https://slack.com/api/')
    // WebClient joins method names onto it: `…/api` would call `…/apichat.postMessage`.
    .transform((url) => (url.endsWith('/') ? url : `${url}/`)),
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .superRefine((url, ctx) => {
      try {
        parseRedisTarget(url);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
      }
    }),
  DIAGNOSE502_INVENTORY: z.string({
    error: 'is not set: set it to the path of the inventory YAML (see the README, "Inventory")',
  }),
  DIAGNOSE502_SSH_CONFIG: z.string().optional(),
  DIAGNOSE502_QUEUE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"')
    .default('diagnose502'),
  PORT: intFrom('PORT', 0, 65535, 3000),
  WORKER_CONCURRENCY: intFrom('WORKER_CONCURRENCY', 1, 200, 4),
  DIAGNOSE502_JOB_TIMEOUT_S: intFrom('DIAGNOSE502_JOB_TIMEOUT_S', 5, 3600, 120),
  DIAGNOSE502_DELIVERY_LIMIT_S: intFrom('DIAGNOSE502_DELIVERY_LIMIT_S', 10, 7 * 86400, 3600),
  DIAGNOSE502_ALLOWED_CHANNELS: idList('channel', 'C0123ABCD'),
  DIAGNOSE502_ALLOWED_USERS: idList('user', 'U0123ABCD'),
  DIAGNOSE502_RATE_PER_USER: intFrom('DIAGNOSE502_RATE_PER_USER', 1, 100_000, 10),
  DIAGNOSE502_RATE_PER_CHANNEL: intFrom('DIAGNOSE502_RATE_PER_CHANNEL', 1, 100_000, 30),
  DIAGNOSE502_QUEUE_MAX_WAITING: intFrom('DIAGNOSE502_QUEUE_MAX_WAITING', 1, 1_000_000, 200),
  // Watch (issue 20, src/watch/): how long, how often, and how many clean ticks mean "back".
  DIAGNOSE502_WATCH_MINUTES: intFrom('DIAGNOSE502_WATCH_MINUTES', 1, 240, 10),
  DIAGNOSE502_WATCH_TICK_S: intFrom('DIAGNOSE502_WATCH_TICK_S', 1, 600, 60),
  DIAGNOSE502_WATCH_CLEAN_TICKS: intFrom('DIAGNOSE502_WATCH_CLEAN_TICKS', 1, 60, 3),
  /** Days a report's summary is kept for the history line and the App Home (src/history/). */
  DIAGNOSE502_HISTORY_DAYS: intFrom('DIAGNOSE502_HISTORY_DAYS', 1, 365, 30),
  /** Bearer token of /metrics and /readyz; unset: both answer 401 (only /healthz is open). */
  DIAGNOSE502_METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 32`)')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** Issue 20: the report's chart as Slack's data_visualization block too (slack/native-chart-gate.ts). */
  DIAGNOSE502_NATIVE_CHART: z
    .enum(['auto', 'off'], {
      error:
        'must be auto (the chart block where the workspace takes it, the PNG always) or off (the PNG only)',
    })
    .default('auto'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type BotEnv = z.output<typeof BotEnvSchema>;
