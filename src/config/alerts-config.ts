/**
 * The alert intake's part of the configuration (`POST /alerts/alertmanager`, `POST /alerts/grafana`).
 * Intake is on when `ALERT_CHANNEL` is set; it never runs without credentials: each route is mounted
 * only with its own, and at least one must be set. Every problem says what to set.
 */
import { z } from 'zod';

export interface AlertsConfig {
  /** Default channel of alert threads (inventory `alerts.routes` may pick another). */
  channel: string;
  alertmanager:
    | { token: string | undefined; basic: { user: string; password: string } | undefined }
    | undefined;
  grafana:
    | {
        secret: string;
        signatureHeader: string;
        /** When set, the HMAC covers `timestamp:body` and a timestamp older than maxAgeS is refused. */
        timestampHeader: string | undefined;
        maxAgeS: number;
      }
    | undefined;
  maxBodyBytes: number;
}

const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;
const HEADER_NAME = /^[A-Za-z0-9-]{1,100}$/;

const AlertsEnvSchema = z.object({
  ALERT_CHANNEL: z
    .string()
    .regex(
      CHANNEL_ID,
      'must be a Slack channel id like C0123ABCD (not a name): copy it from the channel details',
    )
    .optional(),
  ALERT_WEBHOOK_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 32`)')
    .optional(),
  ALERT_WEBHOOK_USER: z.string().min(1).optional(),
  ALERT_WEBHOOK_PASSWORD: z
    .string()
    .min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 32`)')
    .optional(),
  GRAFANA_WEBHOOK_SECRET: z
    .string()
    .min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 32`)')
    .optional(),
  GRAFANA_WEBHOOK_SIGNATURE_HEADER: z
    .string()
    .regex(HEADER_NAME, 'must be an HTTP header name')
    .default('X-Grafana-Alerting-Signature'),
  GRAFANA_WEBHOOK_TIMESTAMP_HEADER: z.string().regex(HEADER_NAME, 'must be an HTTP header name').optional(),
  GRAFANA_WEBHOOK_MAX_AGE_S: z.coerce
    .number({ error: 'must be a whole number of seconds' })
    .int('must be a whole number of seconds')
    .min(10)
    .max(3600)
    .default(300),
  ALERT_WEBHOOK_MAX_BYTES: z.coerce
    .number({ error: 'must be a whole number of bytes' })
    .int('must be a whole number of bytes')
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
});

/** Empty strings count as unset (a `.env` line `ALERT_WEBHOOK_TOKEN=` must not become a credential). */
function present(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== ''),
  );
}

/** Returns the config (undefined when intake is off) or the problems, each naming what to set. */
export function loadAlertsConfig(env: NodeJS.ProcessEnv): {
  config: AlertsConfig | undefined;
  issues: string[];
} {
  const parsed = AlertsEnvSchema.safeParse(present(env));
  if (!parsed.success)
    return { config: undefined, issues: parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`) };
  const e = parsed.data;
  const issues: string[] = [];
  const anyCredential =
    e.ALERT_WEBHOOK_TOKEN ?? e.ALERT_WEBHOOK_USER ?? e.ALERT_WEBHOOK_PASSWORD ?? e.GRAFANA_WEBHOOK_SECRET;
  if (!e.ALERT_CHANNEL) {
    if (anyCredential)
      issues.push(
        'ALERT_CHANNEL is not set but alert webhook credentials are: set it to the channel id (C0123ABCD) where alert threads go',
      );
    return { config: undefined, issues };
  }
  if ((e.ALERT_WEBHOOK_USER === undefined) !== (e.ALERT_WEBHOOK_PASSWORD === undefined))
    issues.push('ALERT_WEBHOOK_USER and ALERT_WEBHOOK_PASSWORD go together: set both, or neither');
  const basic =
    e.ALERT_WEBHOOK_USER && e.ALERT_WEBHOOK_PASSWORD
      ? { user: e.ALERT_WEBHOOK_USER, password: e.ALERT_WEBHOOK_PASSWORD }
      : undefined;
  if (!e.ALERT_WEBHOOK_TOKEN && !basic && !e.GRAFANA_WEBHOOK_SECRET)
    issues.push(
      'ALERT_CHANNEL is set, so the alert webhooks are on, but no credentials are: set ALERT_WEBHOOK_TOKEN ' +
        '(or ALERT_WEBHOOK_USER and ALERT_WEBHOOK_PASSWORD) for Alertmanager, and/or GRAFANA_WEBHOOK_SECRET for Grafana',
    );
  if (issues.length > 0) return { config: undefined, issues };
  return {
    issues,
    config: {
      channel: e.ALERT_CHANNEL,
      alertmanager: e.ALERT_WEBHOOK_TOKEN || basic ? { token: e.ALERT_WEBHOOK_TOKEN, basic } : undefined,
      grafana: e.GRAFANA_WEBHOOK_SECRET
        ? {
            secret: e.GRAFANA_WEBHOOK_SECRET,
            signatureHeader: e.GRAFANA_WEBHOOK_SIGNATURE_HEADER,
            timestampHeader: e.GRAFANA_WEBHOOK_TIMESTAMP_HEADER,
            maxAgeS: e.GRAFANA_WEBHOOK_MAX_AGE_S,
          }
        : undefined,
      maxBodyBytes: e.ALERT_WEBHOOK_MAX_BYTES,
    },
  };
}
