/** The late note of a report delivered after a Slack outage (pure). */
import { describe, expect, it } from 'vitest';
import { lateNote, markLate } from '../../../src/report/block-kit-late.js';
import type { Block, SlackMessage } from '../../../src/report/block-kit-types.js';

const at = (d: number, h: number, m: number, s = 0) => Date.UTC(2026, 11, d, h, m, s);

describe('lateNote', () => {
  it.each([
    [at(7, 14, 2, 10), at(7, 14, 5, 40), 'diagnosed at 14:02 UTC; Slack was unreachable until 14:05'],
    [at(7, 14, 2, 10), at(7, 14, 2, 40), 'diagnosed at 14:02:10 UTC; Slack was unreachable until 14:02:40'],
    [
      at(6, 23, 59),
      at(7, 0, 2),
      'diagnosed at 2026-12-06 23:59 UTC; Slack was unreachable until 2026-12-07 00:02',
    ],
  ])('%s → %s', (diagnosedAt, deliveredAt, text) => {
    expect(lateNote({ diagnosedAt, deliveredAt })).toBe(text);
  });
});

describe('markLate', () => {
  const late = { diagnosedAt: at(7, 14, 2), deliveredAt: at(7, 14, 5) };
  const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text } });
  const actions: Block = { type: 'actions', elements: [] };

  it('puts the note under the header and in the notification text', () => {
    const m: SlackMessage = {
      text: 'web-1: upstream down',
      blocks: [{ type: 'header', text: { type: 'plain_text', text: 'web-1' } }, section('x'), actions],
    };
    const out = markLate(m, late);
    expect(out.blocks.map((b) => b.type)).toEqual(['header', 'context', 'section', 'actions']);
    expect(JSON.stringify(out.blocks[1])).toContain(
      'diagnosed at 14:02 UTC; Slack was unreachable until 14:05',
    );
    expect(out.text).toBe('web-1: upstream down (diagnosed at 14:02 UTC; Slack was unreachable until 14:05)');
  });

  it("a message at Slack's 50 blocks stays at 50 and keeps its buttons", () => {
    const blocks = [...Array.from({ length: 49 }, (_, i) => section(`s${i}`)), actions];
    const out = markLate({ text: 'group', blocks }, late);
    expect(out.blocks).toHaveLength(50);
    expect(out.blocks[0]?.type).toBe('context');
    expect(out.blocks.at(-1)).toEqual(actions);
  });
});
