/**
 * The worker's job: one diagnosis, reported live through the publisher the composition root hands
 * in. Runs the core `diagnoseTarget` unchanged, with the job's AbortSignal and a job timeout.
 */
import { type Job, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { InventoryError } from '../inventory/errors.js';
import type { ResolvedHost } from '../inventory/types.js';
import type { Connect } from '../pipeline/diagnose-host.js';
import { diagnoseTarget } from '../pipeline/diagnose-target.js';
import type { TargetReport } from '../report/types.js';
import { type DiagnoseJobData, DiagnoseJobDataSchema, type MessageRef } from './job-data.js';
import { LatestOnly } from './latest-only.js';
import { applyProgress, startProgress } from './live-progress.js';
import { type JobContext, PublishRefusedError, type ReportPublisher } from './publisher.js';

export type JobOutcome = 'completed' | 'failed' | 'retrying' | 'timeout' | 'refused';

export interface ProcessorDeps {
  publisher: ReportPublisher;
  /** Target text to inventory hosts and how to reach them (the inventory is read per job, so edits apply). */
  resolve(target: string): Promise<{ hosts: ResolvedHost[]; connect: Connect }>;
  jobTimeoutMs: number;
  /** Minimum gap between two live updates of one message. */
  progressIntervalMs: number;
  logger: Logger;
  /** Metrics hook: every attempt ends with exactly one outcome. */
  onOutcome?(outcome: JobOutcome, durationMs: number, report?: TargetReport): void;
  /** Metrics hook: how long the job waited in the queue before this attempt. */
  onStart?(waitMs: number): void;
}

export type DiagnoseProcessor = (
  job: Job<DiagnoseJobData, TargetReport>,
  token?: string,
  signal?: AbortSignal,
) => Promise<TargetReport>;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function createProcessor(deps: ProcessorDeps): DiagnoseProcessor {
  return async (job, _token, signal) => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const parsed = DiagnoseJobDataSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid job data: ${parsed.error.message}`);
    const data = parsed.data;
    const jobId = job.id ?? 'unknown';
    const ctx: JobContext = { jobId, data, attempt: job.attemptsMade + 1 };
    const log = deps.logger.child({ jobId, target: data.target, attempt: ctx.attempt });
    const lastAttempt = ctx.attempt >= (job.opts.attempts ?? 1);
    deps.onStart?.((job.processedOn ?? Date.now()) - job.timestamp);

    let ref: MessageRef | undefined = data.message;
    let resolved: Awaited<ReturnType<ProcessorDeps['resolve']>>;
    try {
      resolved = await deps.resolve(data.target);
      // A retry after a crash finds the message in the job data and updates it instead of posting again.
      if (!ref) {
        ref = await deps.publisher.begin(
          ctx,
          resolved.hosts.map((h) => h.name),
        );
        if (ref) await job.updateData({ ...data, message: ref });
      }
    } catch (err) {
      if (err instanceof PublishRefusedError) {
        log.warn({ code: err.code }, 'report refused by the publisher; job dropped');
        deps.onOutcome?.('refused', elapsed());
        throw new UnrecoverableError(err.message);
      }
      if (err instanceof InventoryError) {
        // The inventory changed between the command and the job: no retry can fix that.
        await deps.publisher
          .fail(ctx, ref, err.message, false)
          .catch((e) => log.warn({ err: e }, 'fail post'));
        deps.onOutcome?.('failed', elapsed());
        throw new UnrecoverableError(err.message);
      }
      deps.onOutcome?.(lastAttempt ? 'failed' : 'retrying', elapsed());
      throw err;
    }

    const timeout = AbortSignal.timeout(deps.jobTimeoutMs);
    const stop = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const live = new LatestOnly(
      // Without a message (Slack did not answer) there is nothing to update: progress is dropped.
      async (p: ReturnType<typeof startProgress>) => {
        if (ref) await deps.publisher.progress(ctx, ref, p);
      },
      deps.progressIntervalMs,
      (err) => log.warn({ err: message(err) }, 'live update failed; the next one or the report replaces it'),
    );
    let state = startProgress(
      data.target,
      data.sinceS,
      resolved.hosts.map((h) => h.name),
    );
    try {
      log.info({ hosts: resolved.hosts.length }, 'diagnosis started');
      const report = await diagnoseTarget(data.target, resolved.hosts, resolved.connect, {
        sinceS: data.sinceS,
        signal: stop,
        onProgress: (event) => {
          state = applyProgress(state, event);
          live.push(state);
        },
      });
      await live.flush();
      // A cancelled diagnosis may come back with what it had: never publish that as the answer.
      if (stop.aborted) throw stop.reason ?? new Error('cancelled');
      await deps.publisher.finish(ctx, ref, report);
      log.info({ durationMs: elapsed() }, 'diagnosis reported');
      deps.onOutcome?.('completed', elapsed(), report);
      return report;
    } catch (err) {
      await live.flush();
      if (timeout.aborted) {
        const why = `the diagnosis did not finish within ${Math.round(deps.jobTimeoutMs / 1000)} s, so nothing is concluded`;
        await deps.publisher
          .fail(ctx, ref, why, false)
          .catch((e) => log.warn({ err: message(e) }, 'fail post'));
        deps.onOutcome?.('timeout', elapsed());
        throw new UnrecoverableError(why);
      }
      const willRetry = !lastAttempt;
      log.warn({ err: message(err), willRetry }, 'diagnosis attempt failed');
      await deps.publisher
        .fail(ctx, ref, message(err), willRetry)
        .catch((e) => log.warn({ err: message(e) }, 'fail post'));
      deps.onOutcome?.(willRetry ? 'retrying' : 'failed', elapsed());
      throw err;
    }
  };
}
