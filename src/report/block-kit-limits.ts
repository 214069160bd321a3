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

/** Escapes what Slack's mrkdwn treats as control characters (`&`, `<`, `>`). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Lines in a code block, as many as fit in `max` characters with the trailer; the rest are named
 * in the trailer (e.g. a pointer to the evidence file in the thread).
 */
export function codeBlock(
  lines: readonly string[],
  max: number,
  trailer: (omitted: number) => string,
): string {
  const fence = '```';
  const kept: string[] = [];
  let size = fence.length * 2 + 2;
  // Room for the trailer of the worst case (every line omitted).
  const reserve = trailer(lines.length).length + 1;
  for (const [i, raw] of lines.entries()) {
    // Three backticks inside evidence would close the block early.
    const line = escapeMrkdwn(raw.replace(/```/g, "'''"));
    const room = max - size - reserve;
    if (line.length + 1 > room) {
      // A very long first line is cut rather than dropped, so the block never comes out empty.
      if (i === 0 && room > 20) kept.push(cut(line, room - 1));
      const omitted = lines.length - kept.length;
      return `${fence}\n${kept.join('\n')}\n${fence}\n${trailer(omitted)}`;
    }
    kept.push(line);
    size += line.length + 1;
  }
  return `${fence}\n${kept.join('\n')}\n${fence}`;
}
