/**
 * The Block Kit shapes this bot sends: a small structural subset of `@slack/types`, so that the
 * pure renderers need no Slack package.
 */
export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}
export interface Button {
  type: 'button';
  text: PlainText;
  action_id: string;
  value?: string;
  style?: 'primary' | 'danger';
  /** Slack's confirmation dialog, shown before the click is sent. */
  confirm?: ConfirmDialog;
}
export interface ConfirmDialog {
  title: PlainText;
  text: PlainText | Mrkdwn;
  confirm: PlainText;
  deny: PlainText;
  style?: 'primary' | 'danger';
}
export type Block =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text: Mrkdwn; block_id?: string }
  | { type: 'context'; elements: Mrkdwn[] }
  | { type: 'divider' }
  | { type: 'actions'; block_id?: string; elements: Button[] }
  | { type: 'context_actions'; block_id?: string; elements: FeedbackButtons[] }
  | DataVisualizationBlock;

/** Slack's thumbs up/down (2025), only inside a `context_actions` block (block-kit-feedback.ts). */
export interface FeedbackButtons {
  type: 'feedback_buttons';
  action_id: string;
  positive_button: FeedbackButton;
  negative_button: FeedbackButton;
}
export interface FeedbackButton {
  text: PlainText;
  value: string;
  accessibility_label?: string;
}

/**
 * Slack's chart block (docs.slack.dev/reference/block-kit/blocks/data-visualization-block, 2026-06):
 * a title (<= 50) and one chart; bar, area and line take series of labelled points over the axis'
 * categories. See block-kit-chart.ts for the limits this bot keeps.
 */
export interface DataVisualizationBlock {
  type: 'data_visualization';
  block_id?: string;
  title: string;
  chart: {
    type: 'bar' | 'area' | 'line';
    series: Array<{ name: string; data: Array<{ label: string; value: number }> }>;
    axis_config: { categories: string[]; x_label?: string; y_label?: string };
  };
}

/** A message ready for chat.postMessage / chat.update: `text` is the notification and fallback. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}
