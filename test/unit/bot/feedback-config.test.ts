/** DIAGNOSE502_FEEDBACK*: defaults, choices, and what a wrong value says. */
import { describe, expect, it } from 'vitest';
import { loadFeedbackConfig } from '../../../src/config/feedback-config.js';
import { BotConfigError, loadBotConfig } from '../../../src/config/load-bot-config.js';

const base = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', DIAGNOSE502_INVENTORY: 'inv.yml' };

describe('feedback configuration', () => {
  it('defaults to the native control, 90 days and 10,000 votes', () => {
    expect(loadBotConfig(base, 'serve').feedback).toEqual({
      control: 'native',
      retentionMs: 90 * 86_400_000,
      maxEntries: 10_000,
    });
    expect(
      loadFeedbackConfig({
        DIAGNOSE502_FEEDBACK: 'buttons',
        DIAGNOSE502_FEEDBACK_RETENTION_DAYS: '7',
        DIAGNOSE502_FEEDBACK_MAX_ENTRIES: '500',
      }).config,
    ).toEqual({ control: 'buttons', retentionMs: 7 * 86_400_000, maxEntries: 500 });
  });

  it('names each wrong value and what to set', () => {
    const env = { ...base, DIAGNOSE502_FEEDBACK: 'thumbs', DIAGNOSE502_FEEDBACK_RETENTION_DAYS: '0' };
    const err = (() => {
      try {
        loadBotConfig(env, 'serve');
      } catch (e) {
        return e;
      }
      return undefined;
    })() as BotConfigError;
    expect(err).toBeInstanceOf(BotConfigError);
    expect(err.issues).toContain('DIAGNOSE502_FEEDBACK must be native, buttons or off');
    expect(err.issues).toContain('DIAGNOSE502_FEEDBACK_RETENTION_DAYS must be a whole number from 1 to 3650');
  });
});
