/**
 * Slack's Block Kit limits (docs.slack.dev, "Block Kit" reference; see
 * ../shared/reference/slack-platform.md). Every renderer cuts to these before sending, so Slack
 * never rejects a report with `invalid_blocks`.
 */
export const LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  /** Slack truncates `text` past 40,000; the fallback stays far below. */
  fallbackText: 3000,
  /** `msg_blocks_too_long`: an undocumented total, seen near 13k characters of JSON. Stay under it. */
  totalBlocksJson: 12_000,
} as const;

/** Cuts `text` to at most `max` characters, marking the cut with `…`. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

export { codeBlock, escapeMrkdwn } from './mrkdwn.js';
