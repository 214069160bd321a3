/**
 * Metrics of the feedback control (issue 20): votes stored, by vote (right, wrong) and by the cause
 * the report gave. Registered once per registry (`start` runs serve and worker on one). The totals
 * across restarts and replicas are the Redis tally (feedbackTally); this counts what this process saw.
 */
import { Counter, type Registry } from 'prom-client';

export interface FeedbackMetrics {
  vote(vote: 'right' | 'wrong', cause: string): void;
}

const made = new WeakMap<Registry, FeedbackMetrics>();

export function feedbackMetrics(registry: Registry): FeedbackMetrics {
  const existing = made.get(registry);
  if (existing) return existing;
  const votes = new Counter({
    name: 'diagnose502_feedback_total',
    help: 'Feedback on reports stored, by vote (right, wrong) and by the cause the report gave',
    labelNames: ['vote', 'cause'] as const,
    registers: [registry],
  });
  const metrics: FeedbackMetrics = { vote: (vote, cause) => votes.inc({ vote, cause }) };
  made.set(registry, metrics);
  return metrics;
}
