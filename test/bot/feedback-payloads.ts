/**
 * The interaction payloads of the feedback control, as Slack sends them (docs.slack.dev
 * "block_actions payload" and "view_submission payload"; Bolt's FeedbackButtonsAction): a click on
 * feedback_buttons carries the clicked button's `value` and `text`; a modal's submission carries the
 * view as Slack holds it (id, callback_id, private_metadata, blocks) and `state.values`.
 */

interface Clicked {
  channel: string;
  messageTs: string;
  /** The message as Slack shows it (its blocks come back in the payload). */
  blocks: unknown[];
  user: string;
  triggerId: string;
  responseUrl: string;
}

function common(o: Clicked) {
  return {
    type: 'block_actions',
    user: { id: o.user, username: o.user.toLowerCase(), name: o.user.toLowerCase(), team_id: 'T0001' },
    api_app_id: 'A0001',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: o.messageTs, channel_id: o.channel, is_ephemeral: false },
    trigger_id: o.triggerId,
    team: { id: 'T0001', domain: 'test' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: o.channel, name: 'incident' },
    message: { type: 'message', user: 'UBOT0001', ts: o.messageTs, text: 'report', blocks: o.blocks },
    state: { values: {} },
    response_url: o.responseUrl,
  };
}

/** A click on one side of Slack's feedback_buttons element. */
export function feedbackButtonsClick(
  o: Clicked & { actionId: string; blockId: string; value: string; text: string },
): Record<string, string> {
  return {
    payload: JSON.stringify({
      ...common(o),
      actions: [
        {
          type: 'feedback_buttons',
          action_id: o.actionId,
          block_id: o.blockId,
          value: o.value,
          text: { type: 'plain_text', text: o.text, emoji: true },
          action_ts: `${Date.now() / 1000}`,
        },
      ],
    }),
  };
}

/** A click on a plain button (the fallback control). */
export function plainButtonClick(
  o: Clicked & { actionId: string; blockId: string; value: string; text: string },
): Record<string, string> {
  return {
    payload: JSON.stringify({
      ...common(o),
      actions: [
        {
          type: 'button',
          action_id: o.actionId,
          block_id: o.blockId,
          value: o.value,
          text: { type: 'plain_text', text: o.text, emoji: true },
          action_ts: `${Date.now() / 1000}`,
        },
      ],
    }),
  };
}

/** The submission of a modal the bot opened: `values` is `state.values` (block id → action id → value). */
export function viewSubmission(o: {
  user: string;
  viewId: string;
  view: Record<string, unknown>;
  values: Record<string, Record<string, unknown>>;
}): Record<string, string> {
  return {
    payload: JSON.stringify({
      type: 'view_submission',
      team: { id: 'T0001', domain: 'test' },
      user: { id: o.user, username: o.user.toLowerCase(), name: o.user.toLowerCase(), team_id: 'T0001' },
      api_app_id: 'A0001',
      token: 'deprecated-verification-token',
      trigger_id: `${Math.floor(Date.now() / 1000)}.9.submit`,
      view: {
        ...o.view,
        id: o.viewId,
        team_id: 'T0001',
        app_id: 'A0001',
        bot_id: 'B0001',
        state: { values: o.values },
        hash: `${Math.floor(Date.now() / 1000)}.abcdef`,
        previous_view_id: null,
        root_view_id: o.viewId,
        app_installed_team_id: 'T0001',
        external_id: '',
        clear_on_close: false,
        notify_on_close: false,
      },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    }),
  };
}
