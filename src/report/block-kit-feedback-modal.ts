/**
 * The "wrong" side of the feedback control: the modal that asks what it really was (a cause from the
 * catalog, words of the person's own, or both), and the private answers to a vote. Pure functions.
 * Modal limits (docs.slack.dev/reference/surfaces/views, block-elements/select-menu-element,
 * plain-text-input-element): title, submit and close <= 24 characters, private_metadata <= 3000,
 * input label <= 2000, at most 100 options of <= 75 characters each (33 causes here).
 */
import type { FeedbackRef } from './block-kit-feedback.js';
import { message, pct, section } from './block-kit-parts.js';
import type { SlackMessage } from './block-kit-types.js';
import { code, md } from './mrkdwn.js';

export const VIEW_FEEDBACK_WRONG = 'd502_feedback_wrong_view';
/** Where the modal's answers are found in `view.state.values[block][action]`. */
export const MODAL_CAUSE = { block: 'd502_fb_cause', action: 'cause' } as const;
export const MODAL_TEXT = { block: 'd502_fb_text', action: 'text' } as const;
/** What a person may write: stored redacted and bounded to this (src/feedback/feedback-entry.ts). */
export const ANSWER_MAX = 500;

/** Which report the modal is about: its private_metadata, parsed again on submission. */
export interface ModalContext extends FeedbackRef {
  channel: string;
  messageTs: string;
}

export const modalMetadata = (c: ModalContext): string =>
  JSON.stringify({ j: c.reportId, h: c.host, c: c.cause, p: c.confidence, ch: c.channel, ts: c.messageTs });

const plain = (text: string) => ({ type: 'plain_text' as const, text });

export function renderWrongModal(c: ModalContext, causes: readonly string[]) {
  const said = md`The report said ${code(c.cause)} (${pct(c.confidence)}) for *${c.host}*. What was it really? Pick a cause, or say it in your own words, or both. It is kept (redacted) so that this case can become a test.`;
  return {
    type: 'modal' as const,
    callback_id: VIEW_FEEDBACK_WRONG,
    private_metadata: modalMetadata(c),
    title: plain('What was it?'),
    submit: plain('Send'),
    close: plain('Cancel'),
    blocks: [
      section(said),
      {
        type: 'input',
        block_id: MODAL_CAUSE.block,
        optional: true,
        label: plain('The real cause'),
        element: {
          type: 'static_select',
          action_id: MODAL_CAUSE.action,
          placeholder: plain('a cause from the catalog'),
          options: causes.slice(0, 100).map((cause) => ({ text: plain(cause.slice(0, 75)), value: cause })),
        },
      },
      {
        type: 'input',
        block_id: MODAL_TEXT.block,
        optional: true,
        label: plain('In your words'),
        hint: plain('What was broken, and how you found or fixed it. No secrets: they are masked anyway.'),
        element: {
          type: 'plain_text_input',
          action_id: MODAL_TEXT.action,
          multiline: true,
          max_length: ANSWER_MAX,
        },
      },
    ],
  };
}

/** The private answer to a vote. */
export function renderFeedbackAnswer(
  outcome: 'counted-right' | 'stored-wrong' | 'noted-before' | 'not-stored',
  cause: string,
): SlackMessage {
  const text =
    outcome === 'counted-right'
      ? md`:white_check_mark: Thanks: counted as right (${code(cause)}).`
      : outcome === 'stored-wrong'
        ? md`:memo: Thanks: kept as a wrong verdict (${code(cause)}). It can become a test with \`diagnose502 feedback export\`.`
        : outcome === 'noted-before'
          ? md`Your feedback on this report was noted already: one vote per person and report.`
          : md`:warning: Your feedback could not be stored right now (Redis did not answer); try again in a minute.`;
  return message(text, [section(text)]);
}
