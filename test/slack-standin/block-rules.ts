/**
 * Slack's Block Kit limits as the Web API enforces them, with its own error bodies
 * (../shared/reference/slack-platform.md): `invalid_blocks` with json-pointer messages,
 * `msg_blocks_too_long`, `no_text`. Only the block types this bot sends are known; any other is
 * refused, so a new block type has to be added here on purpose: its rules in a file of its own
 * (rules-*.ts, see rule-types.ts), registered with one line in EXTRA_RULES.
 */
import type { BlockRules } from './rule-types.js';
import { DATA_VISUALIZATION_RULES } from './rules-data-visualization.js';

/** Rules of block types added later (one line each). */
const EXTRA_RULES: BlockRules[] = [];
EXTRA_RULES.push(DATA_VISUALIZATION_RULES);

export interface SlackRefusal {
  ok: false;
  error: string;
  errors?: string[];
  response_metadata?: { messages: string[] };
}

import { checkContextActions } from './rules-feedback.js';

type Json = Record<string, unknown>;

const TOTAL_BLOCKS_JSON = 13_000;

/**
 * `refusedTypes`: block types this workspace does not have (an older one, or a feature not enabled):
 * Slack answers them as a type it does not know.
 */
export function checkMessage(
  text: unknown,
  blocks: unknown,
  refusedTypes: ReadonlySet<string> = new Set(),
): SlackRefusal | undefined {
  const hasText = typeof text === 'string' && text.trim() !== '';
  if (blocks === undefined) return hasText ? undefined : { ok: false, error: 'no_text' };
  if (!Array.isArray(blocks)) return { ok: false, error: 'invalid_blocks_format' };
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
  const textObject = (t: unknown, max: number, pointer: string, kinds: string[]): void => {
    const o = t as Json | undefined;
    if (!o || typeof o !== 'object') {
      fail('must provide an object', pointer);
      return;
    }
    if (!kinds.includes(String(o.type))) {
      fail(`must be one of ${kinds.join(', ')}`, `${pointer}/type`);
      return;
    }
    maxLen(o.text, max, `${pointer}/text`);
  };
  if (blocks.length > 50) fail('must be less than 51 items', '/blocks');
  for (const [i, raw] of blocks.entries()) {
    const b = raw as Json;
    const at = `/blocks/${i}`;
    if (b.block_id !== undefined) maxLen(b.block_id, 255, `${at}/block_id`);
    switch (b.type) {
      case 'header':
        textObject(b.text, 150, `${at}/text`, ['plain_text']);
        break;
      case 'section':
        if (b.text === undefined && b.fields === undefined) fail('must provide either text or fields', at);
        if (b.text !== undefined) textObject(b.text, 3000, `${at}/text`, ['mrkdwn', 'plain_text']);
        if (Array.isArray(b.fields)) {
          if (b.fields.length > 10) fail('must be less than 11 items', `${at}/fields`);
          for (const [j, f] of b.fields.entries())
            textObject(f, 2000, `${at}/fields/${j}`, ['mrkdwn', 'plain_text']);
        }
        break;
      case 'context': {
        const els = Array.isArray(b.elements) ? b.elements : [];
        if (els.length === 0) fail('must provide at least 1 item', `${at}/elements`);
        if (els.length > 10) fail('must be less than 11 items', `${at}/elements`);
        for (const [j, e] of els.entries())
          textObject(e, 3000, `${at}/elements/${j}`, ['mrkdwn', 'plain_text']);
        break;
      }
      case 'divider':
        break;
      case 'actions': {
        const els = Array.isArray(b.elements) ? b.elements : [];
        if (els.length === 0) fail('must provide at least 1 item', `${at}/elements`);
        if (els.length > 25) fail('must be less than 26 items', `${at}/elements`);
        for (const [j, rawEl] of els.entries()) {
          const e = rawEl as Json;
          const p = `${at}/elements/${j}`;
          if (e.type !== 'button') {
            fail('must be a button (the only element this stand-in knows)', `${p}/type`);
            continue;
          }
          textObject(e.text, 75, `${p}/text`, ['plain_text']);
          maxLen(e.action_id, 255, `${p}/action_id`);
          if (e.value !== undefined) maxLen(e.value, 2000, `${p}/value`);
          if (e.confirm !== undefined) {
            // A button's confirm dialog (docs.slack.dev "Confirmation dialog object").
            const c = e.confirm as Json;
            textObject(c.title, 100, `${p}/confirm/title`, ['plain_text']);
            textObject(c.text, 300, `${p}/confirm/text`, ['plain_text', 'mrkdwn']);
            textObject(c.confirm, 30, `${p}/confirm/confirm`, ['plain_text']);
            textObject(c.deny, 30, `${p}/confirm/deny`, ['plain_text']);
          }
        }
        break;
      }
      case 'context_actions':
        if (refusedTypes.has('context_actions')) fail('unknown block type "context_actions"', `${at}/type`);
        else checkContextActions(b, at, { fail, maxLen, textObject });
        break;
      default: {
        const rule = EXTRA_RULES.find((r) => Object.hasOwn(r.blocks, String(b.type)))?.blocks[String(b.type)];
        if (rule && !refusedTypes.has(String(b.type))) rule(b, at, fail);
        else fail(`unknown block type ${JSON.stringify(b.type)}`, `${at}/type`);
      }
    }
  }
  for (const r of EXTRA_RULES) r.message?.(blocks as Json[], fail);
  if (errors.length > 0) {
    return { ok: false, error: 'invalid_blocks', errors, response_metadata: { messages: errors } };
  }
  if (JSON.stringify(blocks).length > TOTAL_BLOCKS_JSON) return { ok: false, error: 'msg_blocks_too_long' };
  if (!hasText) {
    // Slack accepts blocks without text but warns; this bot always sets the fallback, so refuse it here.
    return { ok: false, error: 'no_text' };
  }
  return undefined;
}
