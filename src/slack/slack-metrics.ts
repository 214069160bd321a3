/** What the Slack layer counts; the composition root passes the Prometheus implementation. */
export interface SlackMetrics {
  slackError(method: string, error: string): void;
  slackRateLimited(method: string): void;
}

export const NO_SLACK_METRICS: SlackMetrics = { slackError: () => {}, slackRateLimited: () => {} };
