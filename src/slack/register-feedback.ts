/**
 * The feedback control's listeners (issue 20): Slack's feedback_buttons (or the fallback's plain
 * buttons) and the "what was it?" modal. They take the user, the report and the answer out of
 * Slack's payload, parse them again (a button's value and a view's private_metadata come back from
 * the client), and hand them to src/feedback/feedback-vote.ts. The free text is hostile: it only
 * reaches Redis, bounded and redacted, never a shell or a message unescaped.
 */
import type { App, BlockButtonAction, BlockFeedbackButtonsAction, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import { type FeedbackDeps, feedbackAnswer, feedbackClick, type Voter } from '../feedback/feedback-vote.js';
import {
  ACTION_FEEDBACK,
  ACTION_FEEDBACK_RIGHT,
  ACTION_FEEDBACK_WRONG,
  type FeedbackRef,
} from '../report/block-kit-feedback.js';
import {
  ANSWER_MAX,
  MODAL_CAUSE,
  MODAL_TEXT,
  renderFeedbackAnswer,
  renderWrongModal,
  VIEW_FEEDBACK_WRONG,
} from '../report/block-kit-feedback-modal.js';
import { renderNotAllowed, renderUsageError } from '../report/block-kit-intake.js';
import type { SlackMessage } from '../report/block-kit-types.js';
import { slackErrorCode } from './web-client.js';

export interface FeedbackSlackDeps extends FeedbackDeps {
  /** The command's channel and user allowlists: the same people may vote. */
  allowed(userId: string, channelId: string): boolean;
  /** The cause ids the modal offers (the catalog). */
  causes: readonly string[];
}

const Ref = {
  j: z.string().min(1).max(100),
  h: z.string().min(1).max(253),
  c: z.string().min(1).max(64),
  p: z.number().min(0).max(1),
};
const FeedbackValue = z.object({ v: z.enum(['right', 'wrong']), ...Ref });
const ModalMetadata = z.object({ ...Ref, ch: z.string().min(1).max(64), ts: z.string().min(1).max(64) });

const toRef = (v: { j: string; h: string; c: string; p: number }): FeedbackRef => ({
  reportId: v.j,
  host: v.h,
  cause: v.c,
  confidence: v.p,
});

function parseJson<T>(schema: z.ZodType<T>, text: string | undefined): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(text ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function registerFeedback(app: App, deps: FeedbackSlackDeps): void {
  const ephemeral = (respond: RespondFn, msg: SlackMessage) =>
    respond({ response_type: 'ephemeral', replace_original: false, ...msg });

  const onClick = async (
    args: { body: BlockButtonAction | BlockFeedbackButtonsAction; respond: RespondFn },
    value: string | undefined,
    client: App['client'],
  ) => {
    const { body, respond } = args;
    const channel = body.channel?.id ?? body.container.channel_id;
    const messageTs = body.message?.ts ?? body.container.message_ts;
    if (!channel || !messageTs || !deps.allowed(body.user.id, channel)) {
      await ephemeral(respond, renderNotAllowed());
      return;
    }
    const parsed = parseJson(FeedbackValue, value);
    if (!parsed) {
      await ephemeral(respond, renderUsageError('This feedback button is broken; nothing was stored.'));
      return;
    }
    const ref = toRef(parsed);
    const who: Voter = { userId: body.user.id, channel, messageTs };
    const outcome = await feedbackClick(deps, parsed.v, ref, who);
    if (outcome !== 'ask-what') {
      await ephemeral(respond, renderFeedbackAnswer(outcome, ref.cause));
      return;
    }
    try {
      // trigger_id works once, within 3 s of the click: opened before anything slower.
      await client.views.open({
        trigger_id: body.trigger_id,
        view: renderWrongModal({ ...ref, channel, messageTs }, deps.causes),
      });
    } catch (err) {
      deps.logger.warn({ err: slackErrorCode(err) }, 'feedback modal not opened');
      await ephemeral(
        respond,
        renderUsageError(`Slack did not open the form (${slackErrorCode(err)}); press Wrong again.`),
      );
    }
  };

  app.action<BlockFeedbackButtonsAction>(ACTION_FEEDBACK, async ({ ack, body, action, respond, client }) => {
    await ack();
    await onClick({ body, respond }, action.value, client);
  });
  for (const id of [ACTION_FEEDBACK_RIGHT, ACTION_FEEDBACK_WRONG]) {
    app.action<BlockButtonAction>(id, async ({ ack, body, action, respond, client }) => {
      await ack();
      await onClick({ body, respond }, action.value, client);
    });
  }

  app.view(VIEW_FEEDBACK_WRONG, async ({ ack, body, view, client }) => {
    const meta = parseJson(ModalMetadata, view.private_metadata);
    const values = view.state.values;
    const picked = values[MODAL_CAUSE.block]?.[MODAL_CAUSE.action]?.selected_option?.value ?? undefined;
    const text = (values[MODAL_TEXT.block]?.[MODAL_TEXT.action]?.value ?? '').trim();
    if (!meta) {
      await ack({
        response_action: 'errors',
        errors: { [MODAL_TEXT.block]: 'This form is broken; nothing was stored.' },
      });
      return;
    }
    if (picked !== undefined && !deps.causes.includes(picked)) {
      await ack({
        response_action: 'errors',
        errors: { [MODAL_CAUSE.block]: 'Pick a cause from the list.' },
      });
      return;
    }
    if (picked === undefined && text === '') {
      await ack({
        response_action: 'errors',
        errors: { [MODAL_CAUSE.block]: 'Pick a cause, or write what it was below.' },
      });
      return;
    }
    if (text.length > ANSWER_MAX) {
      await ack({
        response_action: 'errors',
        errors: { [MODAL_TEXT.block]: `At most ${ANSWER_MAX} characters.` },
      });
      return;
    }
    const user = body.user.id;
    if (!deps.allowed(user, meta.ch)) {
      await ack({
        response_action: 'errors',
        errors: { [MODAL_TEXT.block]: 'You may not give feedback here.' },
      });
      return;
    }
    await ack();
    const ref = toRef(meta);
    const outcome = await feedbackAnswer(
      deps,
      ref,
      { userId: user, channel: meta.ch, messageTs: meta.ts },
      { ...(picked ? { cause: picked } : {}), ...(text ? { text } : {}) },
    );
    await client.chat
      .postEphemeral({ channel: meta.ch, user, ...renderFeedbackAnswer(outcome, ref.cause) })
      .catch((err) => deps.logger.warn({ err: slackErrorCode(err) }, 'feedback answer not posted'));
  });
}
