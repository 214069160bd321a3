import { describe, expect, it } from 'vitest';
import { HOME_MAX_BLOCKS, renderHome } from '../../../src/home/home-view.js';
import { checkMessage } from '../../slack-standin/block-rules.js';
import { HOSTILE } from '../report/hostile-text.js';

const NOW = Date.parse('2026-12-07T18:00:00Z');

describe('the Home view (pure)', () => {
  it('escapes every value: hosts, causes, people, channels, lock holders, links', () => {
    const v = renderHome({
      now: NOW,
      retentionDays: 30,
      recent: [
        {
          id: 'j:x',
          host: HOSTILE,
          target: HOSTILE,
          verdict: 'cause-found',
          cause: HOSTILE,
          confidence: 0.5,
          at: NOW - 60_000,
          channel: HOSTILE,
          permalink: 'https://evil.example/|<!channel>',
        },
      ],
      watches: [
        {
          host: HOSTILE,
          startedBy: HOSTILE,
          startedAt: NOW,
          endsAt: NOW + 60_000,
          channel: HOSTILE,
          messageTs: '1.2',
        },
      ],
      locks: [{ host: HOSTILE, service: HOSTILE, holder: HOSTILE, expiresAt: NOW + 5000 }],
      tally: [{ cause: HOSTILE, right: 1, wrong: 0 }],
    });
    const text = JSON.stringify(v.blocks);
    // (Inside code spans `*ALL CLEAR*` cannot format; in prose it becomes look-alikes.)
    expect(text).toContain('∗ALL CLEAR∗');
    for (const bad of ['<!channel>', '<!here', '<@U0VICTIM>', '<#C0SECRET>', '<https://evil'])
      expect(text).not.toContain(bad);
    expect(checkMessage('home', v.blocks)).toBeUndefined();
  });

  it('a long history fits: lines are never cut in the middle, the rest is counted', () => {
    const recent = Array.from({ length: 20 }, (_, i) => ({
      id: `j${i}:h`,
      host: `web-${i}-${'x'.repeat(120)}`,
      target: 'web',
      verdict: 'cause-found' as const,
      cause: 'upstream-down',
      confidence: 0.9,
      at: NOW - i * 3_600_000,
      channel: 'C0ABC',
      permalink: `https://acme.slack.com/archives/C0ABC/p17650000000${String(i).padStart(5, '0')}`,
    }));
    const v = renderHome({ now: NOW, retentionDays: 30, recent, watches: [], locks: [], tally: [] });
    expect(v.blocks.length).toBeLessThanOrEqual(HOME_MAX_BLOCKS);
    const recentText = JSON.stringify(v.blocks.find((b) => JSON.stringify(b).includes('Recent diagnoses')));
    expect(recentText).toMatch(/… and \d+ more/);
    expect(checkMessage('home', v.blocks)).toBeUndefined();
    expect(recentText).toContain('> (in `web`) · `upstream-down` 90%');
    expect(recentText).not.toMatch(/\|web-\d+-x+…/);
  });
});
