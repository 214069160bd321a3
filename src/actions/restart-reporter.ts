/**
 * Where a restart job shows its steps, handed in by the composition root (a Slack thread message in
 * production). The actions code never imports Slack.
 */
import type { ActionRecord } from './action-record.js';
import type { RestartStep } from './restart-step.js';

export interface RestartView {
  record: ActionRecord;
  userId: string;
  channel: string;
  threadTs: string;
  /** The message already posted by an earlier attempt, if any. */
  statusTs?: string;
}

export interface RestartReporter {
  /** Shows the steps so far (and the outcome at the end); returns the message's ts. */
  show(
    view: RestartView,
    steps: readonly RestartStep[],
    outcome?: { result: string; summary: string },
  ): Promise<string>;
}
