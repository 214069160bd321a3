/**
 * The optional `alerts:` section of the inventory: which alert labels name a host, where a host's
 * alert thread goes (by inventory group and severity), and how long one diagnosis covers a host.
 *
 *   alerts:
 *     labels: [instance, host, hostname]   # tried in order; a port (`web-3:9100`) is stripped
 *     dedupWindow: 10m                      # s, m or h
 *     routes:                               # first match wins; ALERT_CHANNEL otherwise
 *       - { group: web, severity: critical, channel: C0PAGE }
 *       - { group: web, channel: C0WEB }
 */
import { z } from 'zod';

export const DEFAULT_ALERT_LABELS = ['instance', 'host', 'hostname'] as const;
export const DEFAULT_DEDUP_WINDOW_S = 600;

const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const AlertRouteRule = z.strictObject({
  group: z.string().min(1).optional(),
  severity: z.string().min(1).optional(),
  channel: z.string().regex(/^[CG][A-Z0-9]{2,}$/, {
    error: 'expected a Slack channel id like C0123ABCD (not a name): copy it from the channel details',
  }),
});
export type AlertRouteRule = z.infer<typeof AlertRouteRule>;

const Duration = z
  .string()
  .regex(/^[1-9][0-9]*[smh]$/, { error: 'expected a duration like 600s, 10m or 1h' })
  .transform((v) => Number(v.slice(0, -1)) * { s: 1, m: 60, h: 3600 }[v.at(-1) as 's' | 'm' | 'h']);

export const AlertsSection = z.strictObject({
  labels: z
    .array(z.string().regex(LABEL_NAME, { error: 'expected a Prometheus label name like instance' }))
    .min(1, { error: 'expected at least one label name' })
    .optional(),
  dedupWindow: Duration.optional(),
  routes: z.array(AlertRouteRule).optional(),
});
export type AlertsSection = z.output<typeof AlertsSection>;

/** The section with its defaults applied, as the intake reads it. */
export interface AlertSettings {
  labels: readonly string[];
  dedupWindowS: number;
  routes: readonly AlertRouteRule[];
}

export function alertSettings(section: AlertsSection | undefined): AlertSettings {
  return {
    labels: section?.labels ?? DEFAULT_ALERT_LABELS,
    dedupWindowS: section?.dedupWindow ?? DEFAULT_DEDUP_WINDOW_S,
    routes: section?.routes ?? [],
  };
}
