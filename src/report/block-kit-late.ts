/**
 * A message delivered after a Slack outage says so, so that nobody reads old evidence as current:
 * "diagnosed at 14:02 UTC; Slack was unreachable until 14:05". Pure: the times are handed in.
 */
import { cut, LIMITS } from './block-kit-limits.js';
import { context } from './block-kit-parts.js';
import type { SlackMessage } from './block-kit-types.js';
import { md } from './mrkdwn.js';

export interface Lateness {
  /** When the diagnosis finished (epoch ms). */
  diagnosedAt: number;
  /** When Slack answered again and took the message (epoch ms). */
  deliveredAt: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `14:02`, with seconds when both times fall in one minute, with the date when not on one day. */
function clock(ms: number, other: number): string {
  const d = new Date(ms);
  const o = new Date(other);
  const sameDay = d.toISOString().slice(0, 10) === o.toISOString().slice(0, 10);
  const sameMinute =
    sameDay && d.getUTCHours() === o.getUTCHours() && d.getUTCMinutes() === o.getUTCMinutes();
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${sameMinute ? `:${pad(d.getUTCSeconds())}` : ''}`;
  return sameDay ? time : `${d.toISOString().slice(0, 10)} ${time}`;
}

export function lateNote(late: Lateness): string {
  return `diagnosed at ${clock(late.diagnosedAt, late.deliveredAt)} UTC; Slack was unreachable until ${clock(late.deliveredAt, late.diagnosedAt)}`;
}

/**
 * The message with the note right under its header (and in its notification text). One block is
 * added: a message already at Slack's 50 blocks gives up the block before its buttons, so that the
 * Re-run button stays.
 */
export function markLate(message: SlackMessage, late: Lateness): SlackMessage {
  const note = lateNote(late);
  const block = context(
    md`:hourglass: *Late:* ${note}. The hosts may have changed since: press *Re-run* for now.`,
  );
  const at = message.blocks[0]?.type === 'header' ? 1 : 0;
  const blocks = [...message.blocks.slice(0, at), block, ...message.blocks.slice(at)];
  if (blocks.length > LIMITS.blocksPerMessage) blocks.splice(blocks.length - 2, 1);
  const text = `${cut(message.text, LIMITS.fallbackText - note.length - 3)} (${note})`;
  return { text, blocks };
}
