/**
 * The ephemeral answer to a request refused by an intake limit (pure): which limit, and when asking
 * again can succeed. Nothing in it comes from the request, so nothing needs escaping.
 */
import { message, section } from './block-kit-parts.js';
import type { SlackMessage } from './block-kit-types.js';
import { md } from './mrkdwn.js';

const clock = (ms: number) => `${new Date(ms).toISOString().slice(11, 19)} UTC`;

/** The shape of queue/intake-limits.ts's Refusal (kept structural: report/ does not import queue/). */
export interface RefusalView {
  reason: 'user-rate' | 'channel-rate' | 'queue-full';
  limit: number;
  retryAfterS: number;
}

export function renderRefusal(refusal: RefusalView, nowMs: number): SlackMessage {
  const when = `try again in ${refusal.retryAfterS} s (at ${clock(nowMs + refusal.retryAfterS * 1000)})`;
  const why =
    refusal.reason === 'user-rate'
      ? `You have asked for ${refusal.limit} diagnoses in this minute, the most one person may`
      : refusal.reason === 'channel-rate'
        ? `This channel has asked for ${refusal.limit} diagnoses in this minute, the most one channel may`
        : `The diagnosis queue already holds ${refusal.limit} waiting diagnoses, the most it takes`;
  const t = md`:hourglass: ${why}: nothing was queued; ${when}.`;
  return message(t, [section(t)]);
}
