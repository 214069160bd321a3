/**
 * Whether a failed Web API call means "Slack is not answering" (an outage: keep the message and
 * deliver it later) or "Slack answered no" (answered as before: a retry would get the same no).
 *
 * Outage: HTTP 5xx (Slack's edge answers 503 in its outages), no HTTP answer at all (refused,
 * reset, DNS, our 15 s timeout), and the bodies Slack documents as its own transient failures
 * (`fatal_error`, `internal_error`, `service_unavailable`, `request_timeout`; docs.slack.dev,
 * chat.postMessage "Errors"). Not an outage: 429 (WebClient waits out `Retry-After` itself, as
 * before), `invalid_blocks`, `channel_not_found`, `not_in_channel`, auth errors and every other
 * `ok: false` body.
 */
import { ErrorCode } from '@slack/web-api';

const TRANSIENT_BODIES = new Set(['fatal_error', 'internal_error', 'service_unavailable', 'request_timeout']);

export function isSlackOutage(err: unknown): boolean {
  const e = err as { code?: unknown; statusCode?: unknown; data?: { error?: unknown } } | undefined;
  if (!e || typeof e !== 'object') return false;
  if (e.code === ErrorCode.HTTPError) return typeof e.statusCode === 'number' && e.statusCode >= 500;
  // WebClient wraps what went wrong below HTTP as a request error, and so a 429 whose retries ran
  // out ("A rate limit was exceeded"): that one is Slack answering, handled as before.
  if (e.code === ErrorCode.RequestError)
    return !/^A rate limit was exceeded/.test(String((err as { original?: Error }).original?.message));
  if (e.code === ErrorCode.PlatformError)
    return typeof e.data?.error === 'string' && TRANSIENT_BODIES.has(e.data.error);
  return false;
}

/** Thrown by delivery steps when Slack did not answer: the caller keeps what is left for later. */
export class SlackOutageError extends Error {
  override readonly name = 'SlackOutageError';
  constructor(cause: unknown) {
    super(`Slack did not answer: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
