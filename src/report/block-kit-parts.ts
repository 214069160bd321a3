import type { CheckResult, CheckStatus } from '../probes/check.js';
import { cut, LIMITS } from './block-kit-limits.js';
import type { Block, Button, SlackMessage } from './block-kit-types.js';
import { code, cutMd, emoji, joinMd, type Md, md, plainText } from './mrkdwn.js';

export const header = (text: string): Block => ({
  type: 'header',
  // Headers are built from host names and alert titles: their emoji codes are neutralised too.
  text: { type: 'plain_text', text: cut(plainText(text), LIMITS.headerText), emoji: true },
});

/** Mrkdwn blocks take `Md` only (mrkdwn.ts): host, alert and person text reaches them escaped. */
export const section = (text: Md): Block => ({
  type: 'section',
  text: { type: 'mrkdwn', text: cutMd(text, LIMITS.sectionText).text },
});

export const context = (...texts: Md[]): Block => ({
  type: 'context',
  elements: texts
    .slice(0, LIMITS.contextElements)
    .map((t) => ({ type: 'mrkdwn', text: cutMd(t, 2000).text })),
});

/** A message: Slack reads the `text` fallback as mrkdwn too (a mention there notifies), so it is `Md`. */
export const message = (text: Md, blocks: Block[]): SlackMessage => ({
  text: cutMd(text, LIMITS.fallbackText).text,
  blocks,
});

export const button = (text: string, actionId: string, value: string, style?: 'primary'): Button => ({
  type: 'button',
  text: { type: 'plain_text', text: cut(text, LIMITS.buttonText) },
  action_id: actionId,
  value: cut(value, LIMITS.buttonValue),
  ...(style ? { style } : {}),
});

export const pct = (confidence: number): string => `${Math.round(confidence * 100)}%`;

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

export function windowText(sinceS: number): string {
  if (sinceS % 86400 === 0) return `${sinceS / 86400}d`;
  if (sinceS % 3600 === 0) return `${sinceS / 3600}h`;
  if (sinceS % 60 === 0) return `${sinceS / 60}m`;
  return `${sinceS}s`;
}

const MARK: Record<CheckStatus, Md> = {
  ok: emoji('white_check_mark'),
  warn: emoji('warning'),
  fail: emoji('x'),
  error: emoji('exclamation'),
  skipped: emoji('heavy_minus_sign'),
};

/** Checks on a few lines: problems named with their summary, passing checks only by id. */
export function compactChecks(checks: readonly CheckResult[]): Md {
  const bad = checks.filter((c) => c.status !== 'ok' && c.status !== 'skipped');
  const ok = checks.filter((c) => c.status === 'ok').map((c) => c.id);
  const skipped = checks.filter((c) => c.status === 'skipped').map((c) => c.id);
  const lines = bad.map((c) => md`${MARK[c.status]} ${code(c.id)} ${c.summary}`);
  if (ok.length > 0) lines.push(md`${MARK.ok} ${ok.join(', ')}`);
  if (skipped.length > 0) lines.push(md`${MARK.skipped} skipped: ${skipped.join(', ')}`);
  return joinMd(lines, '\n');
}
