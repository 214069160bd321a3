/**
 * The two webhook payloads, parsed once at the edge into one shape. Objects are loose: Alertmanager
 * and Grafana add fields over versions (`notification_reason`, `routeLabels`, …), which are ignored.
 * Alertmanager: https://prometheus.io/docs/alerting/latest/configuration/#webhook_config (version 4).
 * Grafana: https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/
 */
import { z } from 'zod';

const Labels = z.record(z.string(), z.string());
const Status = z.enum(['firing', 'resolved'], { error: 'expected "firing" or "resolved"' });

const Alert = z.looseObject({
  status: Status,
  labels: Labels,
  annotations: Labels.optional(),
  startsAt: z.string().min(1),
  endsAt: z.string().optional(),
  fingerprint: z.string().optional(),
});

export const AlertmanagerPayload = z.looseObject({
  version: z.literal('4', { error: 'expected version "4" (Alertmanager webhook payload version 4)' }),
  groupKey: z.string().min(1).max(4096),
  status: Status,
  receiver: z.string().optional(),
  groupLabels: Labels.optional(),
  commonLabels: Labels.optional(),
  commonAnnotations: Labels.optional(),
  alerts: z.array(Alert).max(10_000),
});

export const GrafanaPayload = z.looseObject({
  version: z.string().optional(),
  groupKey: z.string().min(1).max(4096),
  status: Status,
  title: z.string().optional(),
  receiver: z.string().optional(),
  groupLabels: Labels.optional(),
  commonLabels: Labels.optional(),
  alerts: z.array(Alert).max(10_000),
});

export type AlertSource = 'alertmanager' | 'grafana';

export interface IncomingAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  startsAt: string;
  /** `0001-01-01T00:00:00Z` (or absent) while firing. */
  endsAt: string | undefined;
  fingerprint: string | undefined;
}

/** One notification, whichever system sent it. */
export interface AlertGroup {
  source: AlertSource;
  groupKey: string;
  status: 'firing' | 'resolved';
  /** What the thread's head calls the group: the alert name, or Grafana's title. */
  title: string;
  alerts: IncomingAlert[];
}

function titleOf(
  common: Record<string, string> | undefined,
  group: Record<string, string> | undefined,
): string {
  return common?.alertname ?? group?.alertname ?? 'alert';
}

/** zod's issues as one line each, with the field path: what the 400 answer says. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.slice(0, 10).map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`);
}

export function parseAlertGroup(
  source: AlertSource,
  body: unknown,
): { ok: true; group: AlertGroup } | { ok: false; issues: string[] } {
  const schema = source === 'alertmanager' ? AlertmanagerPayload : GrafanaPayload;
  const parsed = schema.safeParse(body);
  if (!parsed.success) return { ok: false, issues: describeIssues(parsed.error) };
  const p = parsed.data;
  const title =
    source === 'grafana' && 'title' in p && typeof p.title === 'string' && p.title
      ? p.title
      : titleOf(p.commonLabels, p.groupLabels);
  return {
    ok: true,
    group: {
      source,
      groupKey: p.groupKey,
      status: p.status,
      title: title.slice(0, 120),
      alerts: p.alerts.map((a) => ({
        status: a.status,
        labels: a.labels,
        startsAt: a.startsAt,
        endsAt: a.endsAt,
        fingerprint: a.fingerprint,
      })),
    },
  };
}
