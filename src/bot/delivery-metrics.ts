/**
 * Metrics of the outbox (src/delivery/): deliveries waiting for Slack, those dropped past the limit,
 * those delivered late, and whether Slack is down now. Registered once per registry (`start` runs
 * serve and worker on one).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Outbox } from '../delivery/outbox.js';
import { withDeadline } from '../queue/deadline.js';

export interface DeliveryMetrics {
  expired(kind: string): void;
  delivered(kind: string, lateMs: number): void;
}

const made = new WeakMap<Registry, DeliveryMetrics>();

export function deliveryMetrics(registry: Registry, outbox: Outbox): DeliveryMetrics {
  const existing = made.get(registry);
  if (existing) return existing;
  new Gauge({
    name: 'diagnose502_deliveries_pending',
    help: 'Reports and messages waiting in the outbox for Slack to answer (read from Redis at scrape time)',
    registers: [registry],
    async collect() {
      this.set(await withDeadline(outbox.pending(), 2000, 'Redis (outbox counts)'));
    },
  });
  new Gauge({
    name: 'diagnose502_slack_down',
    help: '1 while Slack does not answer (as seen by the last call of any process), else 0',
    registers: [registry],
    async collect() {
      this.set((await withDeadline(outbox.slackDownSince(), 2000, 'Redis (outage state)')) ? 1 : 0);
    },
  });
  const expired = new Counter({
    name: 'diagnose502_deliveries_expired_total',
    help: 'Deliveries dropped because Slack did not take them within DIAGNOSE502_DELIVERY_LIMIT_S',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const late = new Counter({
    name: 'diagnose502_deliveries_late_total',
    help: 'Deliveries made from the outbox after Slack answered again, by kind (report, post, update)',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const m: DeliveryMetrics = {
    expired: (kind) => expired.inc({ kind }),
    delivered: (kind) => late.inc({ kind }),
  };
  made.set(registry, m);
  return m;
}
