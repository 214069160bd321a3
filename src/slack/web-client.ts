import { type Logger, type RetryOptions, WebClient, WebClientEvent } from '@slack/web-api';
import type { SlackMetrics } from './slack-metrics.js';

/**
 * A deliberate retry policy instead of WebClient's default (10 retries over about 30 minutes, see
 * slack-platform.md): a few quick retries for 5xx and network errors; 429s wait for Retry-After
 * (WebClient pauses its queue for it) and then count as one retry.
 */
export const SLACK_RETRY: RetryOptions = {
  retries: 4,
  factor: 2,
  minTimeout: 500,
  maxTimeout: 8000,
  randomize: true,
};

export interface WebClientOptions {
  token: string;
  apiUrl: string;
  metrics: SlackMetrics;
  retryConfig?: RetryOptions;
  /** Bolt/WebClient-style logger (see pino-bolt-logger.ts); WebClient logs to the console otherwise. */
  logger?: Logger;
}

/** The slack error code of a failed Web API call (`not_in_channel`, `ratelimited`, …). */
export function slackErrorCode(err: unknown): string {
  const e = err as { data?: { error?: unknown }; code?: unknown } | undefined;
  if (typeof e?.data?.error === 'string') return e.data.error;
  if (typeof e?.code === 'string') return e.code;
  return 'unknown';
}

/** Counts every failed call and every 429 of a client (Bolt's own `app.client` included). */
export function instrumentWebClient(client: WebClient, metrics: SlackMetrics): WebClient {
  client.on(WebClientEvent.RATE_LIMITED, (_retryAfterS: number, { url }: { url: string }) => {
    metrics.slackRateLimited(url.split('/').pop() ?? 'unknown');
  });
  // Every method helper goes through apiCall: one place to count errors by method and code.
  const apiCall = client.apiCall.bind(client);
  client.apiCall = async (method, options) => {
    try {
      return await apiCall(method, options);
    } catch (err) {
      metrics.slackError(method, slackErrorCode(err));
      throw err;
    }
  };
  return client;
}

export function createWebClient(opts: WebClientOptions): WebClient {
  const client = new WebClient(opts.token, {
    slackApiUrl: opts.apiUrl,
    retryConfig: opts.retryConfig ?? SLACK_RETRY,
    // No request may hang a job forever; WebClient's default timeout is none.
    timeout: 15_000,
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  return instrumentWebClient(client, opts.metrics);
}
