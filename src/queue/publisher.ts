/**
 * What a diagnosis job reports to, handed in by the composition root: Slack in production, a thread
 * of an alert later, an array in a test. The queue never imports Slack code; this is the seam.
 */
import type { TargetReport } from '../report/types.js';
import type { DiagnoseJobData, MessageRef } from './job-data.js';
import type { LiveProgress } from './live-progress.js';

export interface JobContext {
  jobId: string;
  data: DiagnoseJobData;
  /** 1 on the first run, 2 on the first retry … */
  attempt: number;
}

export interface ReportPublisher {
  /**
   * Posts the "diagnosing web-3 …" message at once (listing the target's hosts); returns where it
   * is, or nothing when it cannot be posted now (Slack does not answer): the diagnosis runs anyway.
   */
  begin(ctx: JobContext, hosts: readonly string[]): Promise<MessageRef | undefined>;
  /** Updates that message as checks finish (the caller throttles). */
  progress(ctx: JobContext, ref: MessageRef, progress: LiveProgress): Promise<void>;
  /**
   * Turns the message into the report (and attaches what does not fit in it), or posts it when
   * there is no message; a publisher may keep it to deliver later, but must not lose it.
   */
  finish(ctx: JobContext, ref: MessageRef | undefined, report: TargetReport): Promise<void>;
  /** Says the diagnosis could not be made (never "all clear"); `willRetry` when another attempt follows. */
  fail(ctx: JobContext, ref: MessageRef | undefined, reason: string, willRetry: boolean): Promise<void>;
}

/**
 * A publisher refuses a job it can never deliver (the bot is not in the channel, the channel is
 * archived): the job ends without a retry and nothing reaches SSH. The publisher has told the
 * person already.
 */
export class PublishRefusedError extends Error {
  override readonly name = 'PublishRefusedError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
