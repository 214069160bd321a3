/**
 * The feedback control of a final report (issue 20): was the verdict right? Slack's
 * `feedback_buttons` element in a `context_actions` block (docs.slack.dev/reference/block-kit/
 * blocks/context-actions-block: at most 5 elements; feedback-buttons-element: `positive_button` and
 * `negative_button`, each a plain_text `text` of at most 75 characters and a `value` of at most 2000,
 * an optional `accessibility_label` of at most 75; `action_id` at most 255), or, where a workspace or
 * surface does not take that block, two plain buttons in an `actions` block. Pure functions.
 */
import { cut, LIMITS } from './block-kit-limits.js';
import { button } from './block-kit-parts.js';
import type { Block, SlackMessage } from './block-kit-types.js';
import type { HostReport, TargetReport } from './types.js';

/** The native control's action id; its two buttons are told apart by their value. */
export const ACTION_FEEDBACK = 'd502_feedback';
/** The fallback's plain buttons. */
export const ACTION_FEEDBACK_RIGHT = 'd502_feedback_right';
export const ACTION_FEEDBACK_WRONG = 'd502_feedback_wrong';
export const FEEDBACK_BLOCK_ID = 'd502_feedback';

export type FeedbackStyle = 'native' | 'buttons' | 'off';
export type Vote = 'right' | 'wrong';

/** Which report and which verdict a vote is about: carried in the button's value (parsed again on click). */
export interface FeedbackRef {
  /** The diagnosis job id (the report). */
  reportId: string;
  /** The host, or the group's name for a group report. */
  host: string;
  /** The verdict: the first finding's cause (`inconclusive` when nothing could be concluded). */
  cause: string;
  confidence: number;
}

const verdictOf = (h: HostReport): { cause: string; confidence: number } => {
  const f = h.findings[0];
  if (h.verdict === 'inconclusive' || !f) return { cause: 'inconclusive', confidence: 0 };
  return { cause: f.cause, confidence: f.confidence };
};

/**
 * The verdict a person votes on: the host's first finding; for a group, the cause most of its hosts
 * share (the report's first group), with the highest confidence among them.
 */
export function feedbackRef(report: TargetReport, reportId: string): FeedbackRef {
  const only = report.hosts.length === 1 ? report.hosts[0] : undefined;
  if (only) return { reportId, host: only.host, ...verdictOf(only) };
  const counts = new Map<string, number[]>();
  for (const h of report.hosts) {
    const v = verdictOf(h);
    counts.set(v.cause, [...(counts.get(v.cause) ?? []), v.confidence]);
  }
  const [cause, confidences] = [...counts.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? [
    'inconclusive',
    [0],
  ];
  return { reportId, host: report.target, cause, confidence: Math.max(0, ...confidences) };
}

/** The button value: short keys, since it travels in every click. */
export const feedbackValue = (vote: Vote, ref: FeedbackRef): string =>
  cut(
    JSON.stringify({ v: vote, j: ref.reportId, h: ref.host, c: ref.cause, p: ref.confidence }),
    LIMITS.buttonValue,
  );

const LABEL = { right: 'Right', wrong: 'Wrong' } as const;
const HINT = {
  right: 'The verdict of this report was right',
  wrong: 'The verdict was wrong: say what it was',
} as const;

function nativeBlock(ref: FeedbackRef): Block {
  return {
    type: 'context_actions',
    block_id: FEEDBACK_BLOCK_ID,
    elements: [
      {
        type: 'feedback_buttons',
        action_id: ACTION_FEEDBACK,
        positive_button: {
          text: { type: 'plain_text', text: `👍 ${LABEL.right}` },
          value: feedbackValue('right', ref),
          accessibility_label: HINT.right,
        },
        negative_button: {
          text: { type: 'plain_text', text: `👎 ${LABEL.wrong}` },
          value: feedbackValue('wrong', ref),
          accessibility_label: HINT.wrong,
        },
      },
    ],
  };
}

/** The fallback: two plain buttons carrying the same values. */
function plainButtons(rightValue: string, wrongValue: string, blockId = FEEDBACK_BLOCK_ID): Block {
  return {
    type: 'actions',
    block_id: blockId,
    elements: [
      button(`👍 Verdict ${LABEL.right.toLowerCase()}`, ACTION_FEEDBACK_RIGHT, rightValue),
      button(`👎 Verdict ${LABEL.wrong.toLowerCase()} …`, ACTION_FEEDBACK_WRONG, wrongValue),
    ],
  };
}

/** The control a final report ends with (none with `off`). */
export function feedbackBlocks(
  report: TargetReport,
  reportId: string,
  style: FeedbackStyle = 'native',
): Block[] {
  if (style === 'off' || report.hosts.length === 0) return [];
  const ref = feedbackRef(report, reportId);
  return [
    style === 'native'
      ? nativeBlock(ref)
      : plainButtons(feedbackValue('right', ref), feedbackValue('wrong', ref)),
  ];
}

/**
 * The same message with plain buttons in place of the native control, for a Slack that refused it
 * (`invalid_blocks`); undefined when the message has no native control (nothing to fall back from).
 */
export function withFeedbackFallback(msg: SlackMessage): SlackMessage | undefined {
  let changed = false;
  const blocks = msg.blocks.map((b): Block => {
    if (b.type !== 'context_actions') return b;
    const fb = b.elements.find((e) => e.type === 'feedback_buttons');
    if (!fb) return b;
    changed = true;
    return plainButtons(fb.positive_button.value, fb.negative_button.value, b.block_id);
  });
  return changed ? { ...msg, blocks } : undefined;
}
