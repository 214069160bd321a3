/**
 * The feedback protocol, apart from Slack (the listener only adapts the payload): a "right" click is
 * counted at once; a "wrong" click asks what it was (the modal), and the answer is stored with the
 * report's evidence. One vote per person and report: a second click is told it was noted.
 */
import type { Logger } from 'pino';
import type { RedisConn } from '../queue/redis.js';
import type { FeedbackRef } from '../report/block-kit-feedback.js';
import type { TargetReport } from '../report/types.js';
import type { FeedbackEntry } from './feedback-entry.js';
import { type FeedbackRetention, hasVoted, recordFeedback } from './feedback-store.js';
import { reportEvidence } from './report-evidence.js';

export interface FeedbackDeps {
  redis: RedisConn;
  queueName: string;
  retention: FeedbackRetention;
  /** The finished report, while the queue keeps it (its evidence is stored with a "wrong"). */
  findReport(jobId: string): Promise<TargetReport | undefined>;
  logger: Logger;
  /** Counts a stored vote (metrics). */
  onVote(vote: 'right' | 'wrong', cause: string): void;
}

export interface Voter {
  userId: string;
  channel: string;
  messageTs: string;
}

export type ClickOutcome = 'counted-right' | 'ask-what' | 'noted-before' | 'not-stored';

/** What every stored vote says: when, who, which report and its verdict, and where the click was. */
function entryOf(kind: 'right' | 'wrong', ref: FeedbackRef, who: Voter): Omit<FeedbackEntry, 'evidence'> {
  return {
    at: new Date().toISOString(),
    kind,
    who: who.userId,
    reportId: ref.reportId,
    host: ref.host,
    givenCause: ref.cause,
    confidence: ref.confidence,
    channel: who.channel,
    messageTs: who.messageTs,
  };
}

/** A click on Right or Wrong. */
export async function feedbackClick(
  deps: FeedbackDeps,
  vote: 'right' | 'wrong',
  ref: FeedbackRef,
  who: Voter,
): Promise<ClickOutcome> {
  try {
    if (await hasVoted(deps.redis, deps.queueName, ref.reportId, who.userId)) return 'noted-before';
    if (vote === 'wrong') return 'ask-what';
    const { stored } = await recordFeedback(
      deps.redis,
      deps.queueName,
      { ...entryOf('right', ref, who), evidence: [] },
      deps.retention,
    );
    if (!stored) return 'noted-before';
    deps.onVote('right', ref.cause);
    return 'counted-right';
  } catch (err) {
    deps.logger.warn({ err: String(err) }, 'feedback not stored');
    return 'not-stored';
  }
}

/** The modal's answer to a "wrong": stored with the report's evidence. */
export async function feedbackAnswer(
  deps: FeedbackDeps,
  ref: FeedbackRef,
  who: Voter,
  answer: { cause?: string; text?: string },
): Promise<'stored-wrong' | 'noted-before' | 'not-stored'> {
  try {
    const report = await deps.findReport(ref.reportId).catch(() => undefined);
    const { stored } = await recordFeedback(
      deps.redis,
      deps.queueName,
      {
        ...entryOf('wrong', ref, who),
        ...(answer.cause ? { answerCause: answer.cause } : {}),
        ...(answer.text ? { answerText: answer.text } : {}),
        evidence: report
          ? reportEvidence(report)
          : ['(the report had expired from the queue: no evidence kept)'],
      },
      deps.retention,
    );
    if (!stored) return 'noted-before';
    deps.onVote('wrong', ref.cause);
    return 'stored-wrong';
  } catch (err) {
    deps.logger.warn({ err: String(err) }, 'feedback not stored');
    return 'not-stored';
  }
}
