/**
 * Block Kit of the safe restarts: the button (with Slack's `confirm` dialog naming exactly what runs
 * where) and the step-by-step message in the report's thread. Pure functions of plain data.
 */
import type { RestartOffer } from '../actions/restart-offer.js';
import type { RestartStep, StepState } from '../actions/restart-step.js';
import { cut, escapeMrkdwn, LIMITS } from './block-kit-limits.js';
import { button, context, section } from './block-kit-parts.js';
import type { Block, Button } from './block-kit-types.js';

export const ACTION_RESTART = 'd502_restart';

export function restartButton(offer: RestartOffer): Button {
  // Slack reads &, < and > in mrkdwn as markup (`<!channel>`): a command with a redirect must show as typed.
  const command = escapeMrkdwn(offer.command);
  const text = offer.dryRun
    ? `Dry run: nothing will run. It would run \`${command}\` on ${offer.host} (${offer.address}) after a pre-check, then verify.`
    : `This runs \`${command}\` on ${offer.host} (${offer.address}) over SSH, after a pre-check, then verifies the service and nginx.`;
  return {
    ...button(cut(offer.label, LIMITS.buttonText), ACTION_RESTART, offer.recordId),
    style: 'danger',
    confirm: {
      title: { type: 'plain_text', text: cut(`${offer.dryRun ? 'Dry run: ' : ''}${offer.label}?`, 100) },
      text: { type: 'mrkdwn', text: cut(text, 300) },
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

const MARK: Record<StepState, string> = {
  running: ':hourglass_flowing_sand:',
  ok: ':white_check_mark:',
  failed: ':x:',
  skipped: ':heavy_minus_sign:',
  refused: ':no_entry:',
};

/** The thread message of one restart: a line per step as it happens, then the outcome. */
export function renderRestartProgress(
  r: { host: string; service: string; command: string; userId: string; dryRun: boolean },
  steps: readonly RestartStep[],
  outcome?: { result: string; summary: string },
): { text: string; blocks: Block[] } {
  const head = `${r.dryRun ? 'Dry run of a restart' : 'Restart'} of ${r.service} on ${r.host}, asked by <@${r.userId}>: \`${escapeMrkdwn(r.command)}\``;
  const lines = steps.map((s) => `${MARK[s.state]} *${escapeMrkdwn(s.name)}*: ${escapeMrkdwn(s.detail)}`);
  const blocks: Block[] = [
    section(cut(head, LIMITS.sectionText)),
    section(cut(lines.join('\n') || '_starting …_', LIMITS.sectionText)),
  ];
  if (outcome)
    blocks.push(context(`*Outcome: ${escapeMrkdwn(outcome.result)}*. ${escapeMrkdwn(outcome.summary)}`));
  const text = outcome
    ? `${head}: ${outcome.result}. ${outcome.summary}`
    : `${head}: ${steps.at(-1)?.name ?? 'starting'}`;
  return { text: cut(text, LIMITS.fallbackText), blocks };
}
