/**
 * Redis keys of the feedback on reports. Every key carries the bot's queue name (as actionKeys does),
 * so that two bots, or two tests, on one Redis never count each other's clicks.
 */
export const feedbackKeys = (queueName: string) => {
  const base = `d502:${queueName}:feedback`;
  return {
    /** Hash: cause given by a report → how many people said it was right. */
    right: `${base}:right`,
    /** Hash: cause given by a report → how many people said it was wrong. */
    wrong: `${base}:wrong`,
    /** Stream: one entry per "wrong" (who, when, the report, its evidence, the answer): what export reads. */
    stream: `${base}:stream`,
    /**
     * Stream: one entry per "right" (who, when, the report). Apart, and capped alike, so that many
     * quick "right" clicks never push the "wrong" answers (the ones that become tests) out of the cap.
     */
    rightStream: `${base}:right-stream`,
    /** Set once per person and report: the second click is told it was noted. */
    voted: (reportId: string, userId: string) => `${base}:voted:${reportId}:${userId}`,
  };
};
export type FeedbackKeys = ReturnType<typeof feedbackKeys>;
