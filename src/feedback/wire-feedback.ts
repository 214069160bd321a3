/**
 * The feedback listeners' dependencies, built by `serve` from its config, Redis and queue: one call
 * there (`registerFeedback(app, feedbackSlackDeps(...))`).
 */
import type { Logger } from 'pino';
import type { FeedbackMetrics } from '../bot/feedback-metrics.js';
import type { BotConfig } from '../config/load-bot-config.js';
import { CAUSES } from '../parse/causes.js';
import type { RedisConn } from '../queue/redis.js';
import type { TargetReport } from '../report/types.js';
import type { FeedbackSlackDeps } from '../slack/register-feedback.js';

export function feedbackSlackDeps(o: {
  redis: RedisConn;
  config: Pick<BotConfig, 'queueName' | 'feedback' | 'allowedUsers' | 'allowedChannels'>;
  findReport(jobId: string): Promise<TargetReport | undefined>;
  logger: Logger;
  metrics: FeedbackMetrics;
}): FeedbackSlackDeps {
  const { feedback, allowedUsers, allowedChannels } = o.config;
  return {
    redis: o.redis,
    queueName: o.config.queueName,
    retention: { maxEntries: feedback.maxEntries, retentionMs: feedback.retentionMs },
    findReport: o.findReport,
    // The command's allowlists (empty: everyone), as the report's other buttons.
    allowed: (user, channel) =>
      (allowedUsers.length === 0 || allowedUsers.includes(user)) &&
      (allowedChannels.length === 0 || allowedChannels.includes(channel)),
    logger: o.logger.child({ part: 'feedback' }),
    onVote: (vote, cause) => o.metrics.vote(vote, cause),
    causes: CAUSES,
  };
}
