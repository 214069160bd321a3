/**
 * Watch's messages with hostile text in every field that comes from outside (the host name, an
 * upstream target's label from nginx -T, an SSH error, a user id that is not one): Slack reads them as
 * text, never as a mention, a link, formatting or a code breakout (the rule of test/unit/report/hostile-render).
 */
import { describe, expect, it } from 'vitest';
import type { Block, SlackMessage } from '../../../src/report/block-kit-types.js';
import {
  renderWatch,
  renderWatchJoined,
  renderWatchNotice,
  renderWatchRefused,
  renderWatchStarted,
  renderWatchStopAnswer,
} from '../../../src/report/block-kit-watch.js';
import { advance, stop } from '../../../src/watch/watch-decide.js';
import type { WatchState } from '../../../src/watch/watch-state.js';
import { HOSTILE } from '../report/hostile-text.js';
import { watchState } from './watch-state-fixture.js';

const OWN_MARKUP = ['<@U0ALICE>', '<#C0INCIDENT>'];

function mrkdwnOf(m: SlackMessage): string[] {
  const out = [m.text];
  const walk = (b: Block) => {
    if (b.type === 'section') out.push(b.text.text);
    if (b.type === 'context') out.push(...b.elements.map((e) => e.text));
  };
  m.blocks.forEach(walk);
  return out;
}

function expectInert(text: string, where: string): void {
  for (const tag of text.match(/<[^>]*>/g) ?? []) expect(OWN_MARKUP, `${where}: ${tag}`).toContain(tag);
  for (const code of ['`tick`', '``` breakout']) expect(text, where).not.toContain(code);
  const prose = text.replace(/`[^`\n]*`/g, '');
  for (const formatted of ['*ALL CLEAR*', '_calm_', '~fire~', ':large_green_circle:'])
    expect(prose, where).not.toContain(formatted);
}

const base: WatchState = watchState({ host: `web-1${HOSTILE}`, threadTs: '1.2', messageTs: '1.3' });

describe('Watch messages with hostile text', () => {
  const calm = advance(base, { at: 0, rate: 0, checked: 1, failing: [] });
  const worse = advance(calm, { at: 60_000, rate: 40, checked: 1, failing: [`${HOSTILE}:80`] });
  const failed = advance(base, { at: 0, rate: null, checked: 0, failing: [], error: HOSTILE });
  const unchecked = advance(base, { at: 0, rate: 1, checked: 0, failing: [], unchecked: HOSTILE });
  const back = [0, 0].reduce((s) => advance(s, { at: 0, rate: 0, checked: 1, failing: [] }), calm);
  const watchers = ['U0ALICE', `<!channel>${HOSTILE}`];
  const messages: Record<string, SlackMessage> = {
    line: renderWatch(worse, watchers),
    'line, host unreachable': renderWatch(failed, watchers),
    'line, upstreams unchecked': renderWatch(unchecked, watchers),
    'line, stopped by a hostile id': renderWatch(stop(worse, HOSTILE), watchers),
    'worse notice': renderWatchNotice(worse, worse.notices[0] ?? { kind: 'ended', tick: 1 }, watchers),
    'back notice': renderWatchNotice(back, back.notices[0] ?? { kind: 'ended', tick: 1 }, watchers),
    'ended notice': renderWatchNotice(worse, { kind: 'ended', tick: 2 }, watchers),
    started: renderWatchStarted(base.host),
    joined: renderWatchJoined(worse, watchers),
    stop: renderWatchStopAnswer(base.host, true),
    refused: renderWatchRefused(`${base.host} is not in the inventory.`),
  };
  it.each(Object.entries(messages))('%s: hostile text is inert', (where, m) => {
    for (const t of mrkdwnOf(m)) expectInert(t, where);
  });
  it('the worse notice is the one expected', () => {
    expect(worse.notices[0]).toMatchObject({ kind: 'worse', rate: { from: 0, to: 40 } });
    expect(back.status).toBe('back');
  });
});
