import {
  type Logger,
  type RetryOptions,
  type WebAPICallResult,
  WebClient,
  WebClientEvent,
} from '@slack/web-api';
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

/**
 * The live "Diagnosing …" message: one quick retry. Nothing is lost when it fails (the report
 * follows, or waits in the outbox), and the diagnosis must not wait on Slack to start.
 */
export const LIVE_RETRY: RetryOptions = { retries: 1, factor: 2, minTimeout: 500, maxTimeout: 1000 };

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

/** Counts the 429s of a client (Bolt's own `app.client` included): WebClient emits an event for each. */
export function countRateLimits(client: WebClient, metrics: SlackMetrics): WebClient {
  client.on(WebClientEvent.RATE_LIMITED, (_retryAfterS: number, { url }: { url: string }) => {
    metrics.slackRateLimited(url.split('/').pop() ?? 'unknown');
  });
  return client;
}

/**
 * A WebClient that counts failed calls by method and Slack error code. It must be a subclass:
 * WebClient binds every method helper (`chat.postMessage` …) to `this.apiCall` while it is being
 * constructed, so replacing `apiCall` on an instance afterwards would count nothing.
 */
export class CountingWebClient extends WebClient {
  private metrics: SlackMetrics | undefined;

  setMetrics(metrics: SlackMetrics): this {
    this.metrics = metrics;
    return this;
  }

  override async apiCall(method: string, options?: Record<string, unknown>): Promise<WebAPICallResult> {
    try {
      return await super.apiCall(method, options);
    } catch (err) {
      this.metrics?.slackError(method, slackErrorCode(err));
      throw err;
    }
  }
}

export function createWebClient(opts: WebClientOptions): WebClient {
  const client = new CountingWebClient(opts.token, {
    slackApiUrl: opts.apiUrl,
    retryConfig: opts.retryConfig ?? SLACK_RETRY,
    // No request may hang a job forever; WebClient's default timeout is none.
    timeout: 15_000,
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  return countRateLimits(client.setMetrics(opts.metrics), opts.metrics);
}
