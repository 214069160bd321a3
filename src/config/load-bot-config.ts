import { formatFieldPath } from '../inventory/errors.js';
import { type AlertsConfig, loadAlertsConfig } from './alerts-config.js';
import { type FeedbackConfig, loadFeedbackConfig } from './feedback-config.js';
import { type BotEnv, BotEnvSchema } from './schema.js';

/** Which process is starting: each needs a different part of the configuration. */
export type BotRole = 'serve' | 'worker' | 'start';

export interface BotConfig {
  slack: {
    botToken: string;
    /** Absent only in Socket Mode, where requests are not signed over HTTP. */
    signingSecret: string | undefined;
    appToken: string | undefined;
    apiUrl: string;
    /** DIAGNOSE502_NATIVE_CHART: `auto` sends the data_visualization block where the workspace takes it. */
    nativeChart: 'auto' | 'off';
  };
  redisUrl: string;
  queueName: string;
  inventoryPath: string;
  /** DIAGNOSE502_SSH_CONFIG: hosts resolved through this ssh config (issue 19); none when unset. */
  sshConfigPath?: string | undefined;
  port: number;
  workerConcurrency: number;
  jobTimeoutMs: number;
  /** A report Slack has not taken within this (an outage) is dropped, logged and counted. */
  deliveryLimitMs: number;
  allowedChannels: readonly string[];
  allowedUsers: readonly string[];
  logLevel: BotEnv['LOG_LEVEL'];
  /** Per person, per channel (a minute) and queue-wide: see src/queue/intake-limits.ts. */
  limits: { perUserPerMin: number; perChannelPerMin: number; maxWaiting: number };
  /** Bearer token of /metrics and /readyz; undefined: both answer 401. */
  metricsToken: string | undefined;
  /** Report history (src/history/): summaries older than `retentionDays` are dropped. */
  history: { retentionDays: number };
  /** Alert webhooks (issue 11); undefined when ALERT_CHANNEL is not set. */
  alerts: AlertsConfig | undefined;
  /** Watch (issue 20): a watch lasts `durationMs`, reads the host every `tickMs`, ends after `cleanTicks` clean ones. */
  watch: { durationMs: number; tickMs: number; cleanTicks: number };
  /** The feedback control on reports and what is kept of the votes (issue 20). */
  feedback: FeedbackConfig;
}

export class BotConfigError extends Error {
  override readonly name = 'BotConfigError';
  readonly code = 'bot-config-invalid';
  constructor(readonly issues: readonly string[]) {
    super(`the bot's configuration is invalid:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
  }
}

/** Validates the environment; every problem is reported at once, each with what to set. */
export function loadBotConfig(env: NodeJS.ProcessEnv, role: BotRole): BotConfig {
  const parsed = BotEnvSchema.safeParse(env);
  const issues: string[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${formatFieldPath(i.path)} ${i.message}`);
  // HTTP mode verifies every request with the signing secret; Bolt refuses to start without it.
  const needsSecret = role !== 'worker' && !env.SLACK_APP_TOKEN;
  if (needsSecret && !env.SLACK_SIGNING_SECRET?.trim()) {
    issues.push(
      'SLACK_SIGNING_SECRET is not set: set it to the Signing Secret from Basic Information > App Credentials ' +
        '(or set SLACK_APP_TOKEN to use Socket Mode)',
    );
  }
  const alerts = loadAlertsConfig(env);
  issues.push(...alerts.issues);
  const feedback = loadFeedbackConfig(env);
  issues.push(...feedback.issues);
  if (!parsed.success || issues.length > 0) throw new BotConfigError(issues);
  const e = parsed.data;
  return {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET?.trim() || undefined,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
      nativeChart: e.DIAGNOSE502_NATIVE_CHART,
    },
    redisUrl: e.REDIS_URL,
    queueName: e.DIAGNOSE502_QUEUE,
    inventoryPath: e.DIAGNOSE502_INVENTORY,
    sshConfigPath: e.DIAGNOSE502_SSH_CONFIG,
    port: e.PORT,
    workerConcurrency: e.WORKER_CONCURRENCY,
    jobTimeoutMs: e.DIAGNOSE502_JOB_TIMEOUT_S * 1000,
    deliveryLimitMs: e.DIAGNOSE502_DELIVERY_LIMIT_S * 1000,
    allowedChannels: e.DIAGNOSE502_ALLOWED_CHANNELS,
    allowedUsers: e.DIAGNOSE502_ALLOWED_USERS,
    logLevel: e.LOG_LEVEL,
    limits: {
      perUserPerMin: e.DIAGNOSE502_RATE_PER_USER,
      perChannelPerMin: e.DIAGNOSE502_RATE_PER_CHANNEL,
      maxWaiting: e.DIAGNOSE502_QUEUE_MAX_WAITING,
    },
    metricsToken: e.DIAGNOSE502_METRICS_TOKEN,
    history: { retentionDays: e.DIAGNOSE502_HISTORY_DAYS },
    alerts: alerts.config,
    watch: {
      durationMs: e.DIAGNOSE502_WATCH_MINUTES * 60_000,
      tickMs: e.DIAGNOSE502_WATCH_TICK_S * 1000,
      cleanTicks: e.DIAGNOSE502_WATCH_CLEAN_TICKS,
    },
    feedback: feedback.config,
  };
}
