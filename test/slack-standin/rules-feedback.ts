/**
 * The stand-in's rules for the feedback control and its modal, as docs.slack.dev describes them:
 * - context_actions block (reference/block-kit/blocks/context-actions-block): `elements` required,
 *   1 to 5, each a `feedback_buttons` or an `icon_button` element and nothing else; `block_id` <= 255.
 * - feedback_buttons (block-elements/feedback-buttons-element): `positive_button` and
 *   `negative_button` required, each with a plain_text `text` <= 75 and a `value` <= 2000 (both
 *   required), `accessibility_label` <= 75; `action_id` <= 255.
 * - icon_button (block-elements/icon-button-element): `icon` and a plain_text `text` required,
 *   `action_id` <= 255, `value` <= 2000.
 * - views.open (reference/methods/views.open, reference/surfaces/views): a `modal` with a plain_text
 *   `title` <= 24, `submit`/`close` <= 24 (`submit` required when an input block is present),
 *   `callback_id` <= 255, `private_metadata` <= 3000, 1-100 blocks; an `input` block has a plain_text
 *   `label` <= 2000, `hint` <= 2000 and one element: `static_select` (placeholder <= 150, 1-100
 *   options, option text <= 75 and value <= 150, `action_id` <= 255) or `plain_text_input`
 *   (`max_length` <= 3000, `initial_value` within it).
 */

type Json = Record<string, unknown>;

export interface RuleHelpers {
  fail(limit: string, pointer: string): void;
  maxLen(value: unknown, max: number, pointer: string, min?: number): void;
  textObject(t: unknown, max: number, pointer: string, kinds: string[]): void;
}

export function checkContextActions(b: Json, at: string, h: RuleHelpers): void {
  const els = Array.isArray(b.elements) ? b.elements : undefined;
  if (!els) {
    h.fail('must provide an array', `${at}/elements`);
    return;
  }
  if (els.length === 0) h.fail('must provide at least 1 item', `${at}/elements`);
  if (els.length > 5) h.fail('must be less than 6 items', `${at}/elements`);
  for (const [j, raw] of els.entries()) {
    const e = raw as Json;
    const p = `${at}/elements/${j}`;
    if (e.action_id !== undefined) h.maxLen(e.action_id, 255, `${p}/action_id`);
    if (e.type === 'feedback_buttons') {
      for (const side of ['positive_button', 'negative_button'] as const) {
        const btn = e[side] as Json | undefined;
        if (!btn || typeof btn !== 'object') {
          h.fail('must provide an object', `${p}/${side}`);
          continue;
        }
        h.textObject(btn.text, 75, `${p}/${side}/text`, ['plain_text']);
        h.maxLen(btn.value, 2000, `${p}/${side}/value`);
        if (btn.accessibility_label !== undefined)
          h.maxLen(btn.accessibility_label, 75, `${p}/${side}/accessibility_label`);
      }
    } else if (e.type === 'icon_button') {
      h.maxLen(e.icon, 100, `${p}/icon`);
      h.textObject(e.text, 75, `${p}/text`, ['plain_text']);
      if (e.value !== undefined) h.maxLen(e.value, 2000, `${p}/value`);
    } else {
      h.fail('must be one of feedback_buttons, icon_button', `${p}/type`);
    }
  }
}

/** views.open's `view`: undefined when Slack would take it, else the invalid_arguments body. */
export function checkModalView(
  view: unknown,
): { ok: false; error: string; response_metadata: { messages: string[] } } | undefined {
  const errors: string[] = [];
  const fail = (limit: string, pointer: string): void => {
    errors.push(`[ERROR] ${limit} [json-pointer:${pointer}]`);
  };
  const maxLen = (value: unknown, max: number, pointer: string, min = 1): void => {
    if (typeof value !== 'string') {
      fail('must be a string', pointer);
      return;
    }
    if (value.length > max) fail(`must be less than ${max + 1} characters`, pointer);
    if (value.length < min) fail(`must be more than ${min - 1} characters`, pointer);
  };
  const plain = (t: unknown, max: number, pointer: string): void => {
    const o = t as Json | undefined;
    if (!o || typeof o !== 'object') fail('must provide an object', pointer);
    else if (o.type !== 'plain_text') fail('must be plain_text', `${pointer}/type`);
    else maxLen(o.text, max, `${pointer}/text`);
  };
  const v = view as Json | undefined;
  if (!v || typeof v !== 'object') {
    fail('must provide an object', '/view');
  } else {
    if (v.type !== 'modal') fail('must be modal', '/view/type');
    plain(v.title, 24, '/view/title');
    if (v.close !== undefined) plain(v.close, 24, '/view/close');
    if (v.submit !== undefined) plain(v.submit, 24, '/view/submit');
    if (v.callback_id !== undefined) maxLen(v.callback_id, 255, '/view/callback_id');
    if (v.private_metadata !== undefined) maxLen(v.private_metadata, 3000, '/view/private_metadata', 0);
    const blocks = Array.isArray(v.blocks) ? v.blocks : [];
    if (blocks.length === 0) fail('must provide at least 1 item', '/view/blocks');
    if (blocks.length > 100) fail('must be less than 101 items', '/view/blocks');
    let inputs = 0;
    for (const [i, raw] of blocks.entries()) {
      const b = raw as Json;
      const at = `/view/blocks/${i}`;
      if (b.block_id !== undefined) maxLen(b.block_id, 255, `${at}/block_id`);
      if (b.type === 'section') {
        const t = b.text as Json | undefined;
        if (!t || (t.type !== 'mrkdwn' && t.type !== 'plain_text'))
          fail('must provide a text object', `${at}/text`);
        else maxLen(t.text, 3000, `${at}/text/text`);
      } else if (b.type === 'context') {
        const els = Array.isArray(b.elements) ? b.elements : [];
        if (els.length === 0 || els.length > 10) fail('must provide 1 to 10 items', `${at}/elements`);
      } else if (b.type === 'input') {
        inputs++;
        plain(b.label, 2000, `${at}/label`);
        if (b.hint !== undefined) plain(b.hint, 2000, `${at}/hint`);
        const e = b.element as Json | undefined;
        if (!e || typeof e !== 'object') {
          fail('must provide an object', `${at}/element`);
          continue;
        }
        if (e.action_id !== undefined) maxLen(e.action_id, 255, `${at}/element/action_id`);
        if (e.type === 'static_select') {
          if (e.placeholder !== undefined) plain(e.placeholder, 150, `${at}/element/placeholder`);
          const opts = Array.isArray(e.options) ? e.options : [];
          if (opts.length === 0) fail('must provide at least 1 item', `${at}/element/options`);
          if (opts.length > 100) fail('must be less than 101 items', `${at}/element/options`);
          for (const [k, o] of opts.entries()) {
            plain((o as Json).text, 75, `${at}/element/options/${k}/text`);
            maxLen((o as Json).value, 150, `${at}/element/options/${k}/value`);
          }
        } else if (e.type === 'plain_text_input') {
          const max = e.max_length;
          if (max !== undefined && (typeof max !== 'number' || max < 1 || max > 3000))
            fail('must be from 1 to 3000', `${at}/element/max_length`);
          if (e.placeholder !== undefined) plain(e.placeholder, 150, `${at}/element/placeholder`);
        } else {
          fail(
            'must be static_select or plain_text_input (the elements this stand-in knows)',
            `${at}/element/type`,
          );
        }
      } else {
        fail(`unknown block type ${JSON.stringify(b.type)}`, `${at}/type`);
      }
    }
    if (inputs > 0 && v.submit === undefined)
      fail('must provide submit when the view has input blocks', '/view/submit');
  }
  return errors.length > 0
    ? { ok: false, error: 'invalid_arguments', response_metadata: { messages: errors } }
    : undefined;
}
