/**
 * Block Kit of the safe restarts: the button (with Slack's `confirm` dialog naming exactly what runs
 * where) and the step-by-step message in the report's thread. Pure functions of plain data.
 */
import type { RestartOffer } from '../actions/restart-offer.js';
import type { RestartStep, StepState } from '../actions/restart-step.js';
import { redact } from '../parse/redact.js';
import { cut, LIMITS } from './block-kit-limits.js';
import { button, context, message, section } from './block-kit-parts.js';
import type { Block, Button, SlackMessage } from './block-kit-types.js';
import { code, cutMd, emoji, joinMd, type Md, md, text as mdText, mention } from './mrkdwn.js';

export const ACTION_RESTART = 'd502_restart';

export function restartButton(offer: RestartOffer): Button {
  // Slack reads &, < and > in mrkdwn as markup (`<!channel>`): a command with a redirect must show as typed.
  const command = code(offer.command);
  const text = offer.dryRun
    ? md`Dry run: nothing will run. It would run ${command} on ${offer.host} (${offer.address}) after a pre-check, then verify.`
    : md`This runs ${command} on ${offer.host} (${offer.address}) over SSH, after a pre-check, then verifies the service and nginx.`;
  return {
    ...button(cut(offer.label, LIMITS.buttonText), ACTION_RESTART, offer.recordId),
    style: 'danger',
    confirm: {
      title: { type: 'plain_text', text: cut(`${offer.dryRun ? 'Dry run: ' : ''}${offer.label}?`, 100) },
      text: { type: 'mrkdwn', text: cutMd(text, 300).text },
      confirm: { type: 'plain_text', text: offer.dryRun ? 'Dry run' : 'Restart' },
      deny: { type: 'plain_text', text: 'Cancel' },
      style: 'danger',
    },
  };
}

export function restartActionsBlock(offers: readonly RestartOffer[]): Block {
  return {
    type: 'actions',
    block_id: 'd502_restart_actions',
    elements: offers.slice(0, 5).map(restartButton),
  };
}

const MARK: Record<StepState, Md> = {
  running: emoji('hourglass_flowing_sand'),
  ok: emoji('white_check_mark'),
  failed: emoji('x'),
  skipped: emoji('heavy_minus_sign'),
  refused: emoji('no_entry'),
};

/**
 * The thread message of one restart: a line per step as it happens, then the outcome. A step's
 * detail and the outcome quote the host (an error-log line, a status line): redacted here, as the
 * report is, before they reach the channel.
 */
export function renderRestartProgress(
  r: { host: string; service: string; command: string; userId: string; dryRun: boolean },
  steps: readonly RestartStep[],
  outcome?: { result: string; summary: string },
): { text: string; blocks: Block[] } {
  const head = md`${r.dryRun ? 'Dry run of a restart' : 'Restart'} of ${r.service} on ${r.host}, asked by ${mention(r.userId)}: ${code(r.command)}`;
  const lines = steps.map((s) => md`${MARK[s.state]} *${s.name}*: ${redact(s.detail)}`);
  const blocks: Block[] = [section(head), section(lines.length > 0 ? joinMd(lines, '\n') : md`_starting …_`)];
  const summary = outcome && redact(outcome.summary);
  if (outcome) blocks.push(context(md`*Outcome: ${outcome.result}*. ${summary ?? ''}`));
  const text = outcome
    ? md`${head}: ${outcome.result}. ${summary ?? ''}`
    : md`${head}: ${steps.at(-1)?.name ?? 'starting'}`;
  return message(text, blocks);
}

/**
 * A refused click, answered to the clicker alone (actions/restart-click.ts writes the sentence). It
 * quotes the inventory and an error's text, so it is escaped whole; the one markup it means, the
 * mention of who already used the button, is rebuilt from a checked user id, and only where the
 * sentence begins with it (text further on cannot pass for it).
 */
export function renderRestartRefusal(refusal: string): SlackMessage {
  const used = /^(This restart button was already used by )<@([UW][A-Z0-9]{2,})>/.exec(refusal);
  const said = used
    ? md`${used[1] ?? ''}${mention(used[2] ?? '')}${refusal.slice(used[0].length)}`
    : mdText(refusal);
  const t = md`:no_entry: ${said}`;
  return message(t, [section(t)]);
}
