import type { SlackMessage } from '../report/block-kit-types.js';

/**
 * An ephemeral answer through a command's `response_url` (valid 30 minutes, 5 uses): how the worker
 * tells the person something when it cannot post in the channel.
 */
export async function respondEphemeral(responseUrl: string, message: SlackMessage): Promise<void> {
  const res = await fetch(responseUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, ...message }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`response_url answered HTTP ${res.status}`);
}
