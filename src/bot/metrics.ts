/**
 * Prometheus metrics of the bot (prom-client), one registry per process (no global): diagnoses by
 * cause and outcome, their duration, queue depth and wait, Slack API errors and 429s, commands,
 * intake refusals.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { JobOutcome } from '../queue/processor.js';
import type { TargetReport } from '../report/types.js';
import type { SlackMetrics } from '../slack/slack-metrics.js';

export class BotMetrics implements SlackMetrics {
  readonly registry = new Registry();
  private readonly diagnoses = new Counter({
    name: 'diagnose502_diagnoses_total',
    help: 'Diagnosis attempts by outcome, and for completed ones by the first finding of each host',
    labelNames: ['cause', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'diagnose502_diagnosis_duration_seconds',
    help: 'Time from a worker taking a job to its report (or failure)',
    labelNames: ['outcome'] as const,
    buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  private readonly wait = new Histogram({
    name: 'diagnose502_queue_wait_seconds',
    help: 'Time a job waited in the queue before a worker took it',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [this.registry],
  });
  private readonly slackErrors = new Counter({
    name: 'diagnose502_slack_api_errors_total',
    help: 'Slack Web API calls that failed, by method and Slack error code',
    labelNames: ['method', 'error'] as const,
    registers: [this.registry],
  });
  private readonly rateLimited = new Counter({
    name: 'diagnose502_slack_rate_limited_total',
    help: 'HTTP 429 answers of the Slack Web API (each waited out per Retry-After)',
    labelNames: ['method'] as const,
    registers: [this.registry],
  });
  private readonly commands = new Counter({
    name: 'diagnose502_commands_total',
    help: '/diagnose502 commands by how they were answered',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly refused = new Counter({
    name: 'diagnose502_intake_refused_total',
    help: 'Requests refused by an intake limit, by where they came from and which limit (user-rate, channel-rate, queue-full)',
    labelNames: ['source', 'reason'] as const,
    registers: [this.registry],
  });

  constructor(queueCounts?: () => Promise<Record<string, number>>) {
    collectDefaultMetrics({ register: this.registry });
    if (queueCounts) {
      new Gauge({
        name: 'diagnose502_queue_jobs',
        help: 'Jobs in the diagnosis queue by state (read from Redis at scrape time)',
        labelNames: ['state'] as const,
        registers: [this.registry],
        async collect() {
          const counts = await queueCounts();
          for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
        },
      });
    }
  }

  outcome(outcome: JobOutcome, durationMs: number, report?: TargetReport): void {
    this.duration.observe({ outcome }, durationMs / 1000);
    if (!report) {
      this.diagnoses.inc({ cause: 'none', outcome });
      return;
    }
    // An inconclusive host counts under `inconclusive`, never under the cause of a finding it does not have.
    for (const h of report.hosts) {
      const cause = h.verdict === 'inconclusive' ? 'inconclusive' : (h.findings[0]?.cause ?? 'none');
      this.diagnoses.inc({ cause, outcome });
    }
  }

  queueWait(ms: number): void {
    this.wait.observe(Math.max(0, ms) / 1000);
  }

  command(outcome: string): void {
    this.commands.inc({ outcome });
  }

  /** A refusal by an intake limit (src/queue/intake-limits.ts). */
  intakeRefused(source: 'command' | 'rerun' | 'alertmanager' | 'grafana', reason: string): void {
    this.refused.inc({ source, reason });
  }

  slackError(method: string, error: string): void {
    this.slackErrors.inc({ method, error });
  }

  slackRateLimited(method: string): void {
    this.rateLimited.inc({ method });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
