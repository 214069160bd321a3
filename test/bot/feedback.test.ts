/**
 * The feedback control end to end (issue 20): a real report in the Slack stand-in carries Slack's
 * feedback_buttons in a context_actions block (the stand-in checks it as Slack's reference
 * describes); signed clicks and a signed modal submission through the real Bolt app; the real Redis
 * holds the tally and the stream; /metrics counts. Also the fallback to plain buttons when Slack
 * answers invalid_blocks, and a click on them.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/bot/logger.js';
import { deliverReport } from '../../src/delivery/deliver-report.js';
import { feedbackKeys } from '../../src/feedback/feedback-keys.js';
import { feedbackKeyNames, feedbackTally, readFeedback } from '../../src/feedback/feedback-store.js';
import { CAUSES } from '../../src/parse/causes.js';
import { ACTION_FEEDBACK, ACTION_FEEDBACK_RIGHT } from '../../src/report/block-kit-feedback.js';
import { MODAL_CAUSE, MODAL_TEXT, VIEW_FEEDBACK_WRONG } from '../../src/report/block-kit-feedback-modal.js';
import type { TargetReport } from '../../src/report/types.js';
import { createWebClient } from '../../src/slack/web-client.js';
import { checkMessage } from '../slack-standin/block-rules.js';
import type { Message } from '../slack-standin/server.js';
import {
  type BotHarness,
  REDIS_URL,
  redisAvailable,
  startBotHarness,
  unreachableInventory,
} from './bot-harness.js';
import { feedbackButtonsClick, plainButtonClick, viewSubmission } from './feedback-payloads.js';
import { postSigned } from './slack-signing.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/feedback] skipped: ${skip}`);

type Json = Record<string, unknown>;
const feedbackBlock = (m: Message) =>
  m.blocks.find((b) => (b as Json).type === 'context_actions') as Json | undefined;

describe.skipIf(skip !== undefined)('feedback on a report (signed clicks, real Bolt, real Redis)', () => {
  let bot: BotHarness;
  let redis: Redis;
  let report: Message;
  let control: { action_id: string; positive_button: Json; negative_button: Json };
  let blockId: string;
  beforeAll(async () => {
    bot = await startBotHarness({ inventory: (dir) => unreachableInventory(dir, 9) });
    redis = new Redis(REDIS_URL);
    const asked = await bot.command('web-1', { channel: 'C0FEEDBACK' });
    expect(asked.status).toBe(200);
    report = await bot.standin.waitFor(
      () => bot.standin.messages.find((m) => m.channel === 'C0FEEDBACK' && feedbackBlock(m)),
      30_000,
      'the final report with its feedback control',
    );
    const block = feedbackBlock(report) as Json;
    blockId = String(block.block_id);
    control = (block.elements as Array<typeof control>)[0] as typeof control;
  });
  afterAll(async () => {
    if (redis) {
      const q = bot.config.queueName;
      const voted = await redis.keys(`d502:${q}:feedback:voted:*`);
      await redis.del(...feedbackKeyNames(q), ...voted);
      redis.disconnect();
    }
    await bot?.close();
  });

  const click = (user: string, side: 'positive_button' | 'negative_button') => {
    const responseUrl = bot.standin.responseUrl();
    const triggerId = bot.standin.views.triggerId();
    const btn = control[side] as { value: string; text: { text: string } };
    return postSigned(
      `${bot.url}/slack/events`,
      feedbackButtonsClick({
        actionId: control.action_id,
        blockId,
        value: btn.value,
        text: btn.text.text,
        channel: report.channel,
        messageTs: report.ts,
        blocks: report.blocks,
        user,
        triggerId,
        responseUrl,
      }),
      { secret: bot.secret },
    ).then((res) => ({ ...res, responseUrl, triggerId }));
  };
  const answerAt = (responseUrl: string) =>
    bot.standin.waitFor(
      () => bot.standin.responses.get(responseUrl.split('/').pop() ?? '')?.[0],
      10_000,
      'the private answer to a click',
    );
  const metric = async (vote: string, cause: string) => {
    const body = await (await fetch(`${bot.url}/metrics`, bot.auth)).text();
    const line = body
      .split('\n')
      .find((l) => l.startsWith(`diagnose502_feedback_total{vote="${vote}",cause="${cause}"}`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('puts Slack feedback_buttons in a context_actions block under the report, as the stand-in checks them', () => {
    expect(control.action_id).toBe(ACTION_FEEDBACK);
    // Just above the report's own buttons, which stay last.
    expect(report.history.at(-1)?.blocks.at(-2)).toMatchObject({ type: 'context_actions' });
    expect(report.history.at(-1)?.blocks.at(-1)).toMatchObject({
      type: 'actions',
      block_id: 'd502_report_actions',
    });
    const value = JSON.parse(String(control.positive_button.value));
    expect(value).toMatchObject({ v: 'right', h: 'web-1', c: 'host-unreachable' });
    expect(JSON.parse(String(control.negative_button.value))).toMatchObject({ v: 'wrong', j: value.j });
    // The stand-in's rules refuse what Slack refuses: another element, a missing value, a long text.
    const bad = (el: Json) => checkMessage('t', [{ type: 'context_actions', elements: [el] }]);
    expect(bad({ type: 'button', text: { type: 'plain_text', text: 'x' }, action_id: 'a' })?.error).toBe(
      'invalid_blocks',
    );
    expect(
      bad({ ...control, positive_button: { text: { type: 'plain_text', text: 'x' } } })?.errors?.[0],
    ).toContain('/blocks/0/elements/0/positive_button/value');
    expect(
      bad({
        ...control,
        negative_button: { ...control.negative_button, text: { type: 'plain_text', text: 'x'.repeat(76) } },
      })?.errors?.[0],
    ).toContain('must be less than 76 characters');
    expect(
      checkMessage('t', [{ type: 'context_actions', elements: Array(6).fill(control) }])?.errors?.[0],
    ).toContain('must be less than 6 items');
  });

  it('"right" is counted once per person: Redis tally, stream entry with who and when, metric; a second click is noted', async () => {
    const first = await click('U0ALICE', 'positive_button');
    expect(first.status).toBe(200);
    expect(String((await answerAt(first.responseUrl)).text)).toContain('counted as right');
    expect(await feedbackTally(redis, bot.config.queueName)).toEqual([
      { cause: 'host-unreachable', right: 1, wrong: 0 },
    ]);
    const [entry] = await readFeedback(redis, bot.config.queueName);
    expect(entry).toMatchObject({
      kind: 'right',
      who: 'U0ALICE',
      host: 'web-1',
      givenCause: 'host-unreachable',
      channel: 'C0FEEDBACK',
      messageTs: report.ts,
    });
    expect(Date.now() - Date.parse(entry?.at ?? '')).toBeLessThan(30_000);
    expect(await metric('right', 'host-unreachable')).toBe(1);

    // The same person again, on either side: noted, nothing counted, no form opened.
    const opened = bot.standin.views.opened.length;
    for (const side of ['positive_button', 'negative_button'] as const) {
      const again = await click('U0ALICE', side);
      expect(String((await answerAt(again.responseUrl)).text)).toContain('noted already');
    }
    expect(bot.standin.views.opened).toHaveLength(opened);
    expect(await redis.xlen(feedbackKeys(bot.config.queueName).rightStream)).toBe(1);
    expect(await metric('right', 'host-unreachable')).toBe(1);
  });

  it('"wrong" opens the modal (accepted by the stand-in); its submission stores the answer and the evidence, redacted', async () => {
    const wrong = await click('U0BOB', 'negative_button');
    expect(wrong.status).toBe(200);
    const opened = await bot.standin.waitFor(
      () => bot.standin.views.opened.find((v) => v.triggerId === wrong.triggerId),
      10_000,
      'the modal opened with the click trigger_id',
    );
    expect(bot.standin.callsOf('views.open').at(-1)?.response.ok).toBe(true);
    const view = opened.view as Json;
    expect(view.callback_id).toBe(VIEW_FEEDBACK_WRONG);
    const blocks = view.blocks as Json[];
    const select = blocks.find((b) => b.block_id === MODAL_CAUSE.block)?.element as Json;
    expect((select.options as Json[]).map((o) => o.value)).toEqual([...CAUSES]);
    expect(blocks.find((b) => b.block_id === MODAL_TEXT.block)?.element).toMatchObject({
      type: 'plain_text_input',
      max_length: 500,
    });
    // The trigger id is Slack's single-use one: the stand-in refuses it a second time.
    expect(bot.standin.views.open({ trigger_id: wrong.triggerId, view })).toMatchObject({
      error: 'invalid_trigger_id',
    });

    const submit = (values: Record<string, Record<string, unknown>>) =>
      postSigned(
        `${bot.url}/slack/events`,
        viewSubmission({ user: 'U0BOB', viewId: opened.id, view, values }),
        {
          secret: bot.secret,
        },
      );
    // Nothing picked, nothing written: the form says what is missing and stays open.
    const empty = await submit({
      [MODAL_CAUSE.block]: { [MODAL_CAUSE.action]: { type: 'static_select', selected_option: null } },
      [MODAL_TEXT.block]: { [MODAL_TEXT.action]: { type: 'plain_text_input', value: null } },
    });
    expect(empty.status).toBe(200);
    expect(JSON.parse(empty.body)).toMatchObject({
      response_action: 'errors',
      errors: { [MODAL_CAUSE.block]: expect.any(String) },
    });

    const hostile =
      'php-fpm socket was root-only <!channel> `rm -rf /`; $(reboot) password=hunter2 xoxb-123456789012-abcdefghijkl \u202e';
    const sent = await submit({
      [MODAL_CAUSE.block]: {
        [MODAL_CAUSE.action]: {
          type: 'static_select',
          selected_option: {
            text: { type: 'plain_text', text: 'socket-permission' },
            value: 'socket-permission',
          },
        },
      },
      [MODAL_TEXT.block]: { [MODAL_TEXT.action]: { type: 'plain_text_input', value: hostile } },
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toBe('');
    const thanks = await bot.standin.waitFor(
      () => bot.standin.ephemeral.find((e) => e.user === 'U0BOB' && String(e.text).includes('wrong verdict')),
      10_000,
      'the private thanks after the form',
    );
    expect(thanks.channel).toBe('C0FEEDBACK');

    const wrongs = (await readFeedback(redis, bot.config.queueName)).filter((e) => e.kind === 'wrong');
    expect(wrongs).toHaveLength(1);
    const e = wrongs[0];
    expect(e).toMatchObject({
      who: 'U0BOB',
      host: 'web-1',
      givenCause: 'host-unreachable',
      answerCause: 'socket-permission',
      channel: 'C0FEEDBACK',
      messageTs: report.ts,
    });
    expect(e?.answerText).toContain('php-fpm socket was root-only');
    expect(e?.answerText).not.toContain('hunter2');
    expect(e?.answerText).not.toContain('xoxb-123456789012');
    expect(e?.answerText?.includes('\u202e')).toBe(false);
    // The report's evidence lines came with it (from the finished job).
    expect(e?.evidence.length).toBeGreaterThan(0);
    expect(e?.evidence.join('\n')).toMatch(/web-1|127\.0\.0\.1|refused|connect/i);
    expect(await feedbackTally(redis, bot.config.queueName)).toEqual([
      { cause: 'host-unreachable', right: 1, wrong: 1 },
    ]);
    expect(await metric('wrong', 'host-unreachable')).toBe(1);

    // A second submission (a double click on Send) is noted, not stored.
    await submit({
      [MODAL_TEXT.block]: { [MODAL_TEXT.action]: { type: 'plain_text_input', value: 'again' } },
    });
    await bot.standin.waitFor(
      () => bot.standin.ephemeral.find((x) => x.user === 'U0BOB' && String(x.text).includes('noted already')),
      10_000,
      'noted already',
    );
    expect((await readFeedback(redis, bot.config.queueName)).filter((x) => x.kind === 'wrong')).toHaveLength(
      1,
    );
  });

  it('falls back to plain buttons when Slack refuses the block (invalid_blocks), and a click on them counts', async () => {
    const job = JSON.parse(String(control.positive_button.value)).j as string;
    const finished = (await bot.serve.queue.getJob(job))?.returnvalue as TargetReport;
    bot.standin.failWith('chat.postMessage', 'invalid_blocks', 1);
    const client = createWebClient({
      token: bot.standin.token,
      apiUrl: bot.config.slack.apiUrl,
      retryConfig: { retries: 0 },
    } as never);
    const done = await deliverReport(
      client,
      {
        kind: 'report',
        diagnosisJobId: job,
        data: { target: 'web-1', sinceS: 900, requestedBy: { userId: 'U0ONCALL' }, channelId: 'C0FALLBACK' },
        body: { type: 'report', report: finished },
        diagnosedAt: Date.now(),
        done: { evidence: true, charts: true },
      } as never,
      { logger: createLogger('silent', 'test'), onStep: async () => {} },
    );
    const posted = bot.standin.messages.find((m) => m.ts === done.message?.ts) as Message;
    expect(posted.blocks.some((b) => (b as Json).type === 'context_actions')).toBe(false);
    const actions = posted.blocks.find((b) => (b as Json).block_id === blockId) as Json;
    expect(actions).toMatchObject({ type: 'actions', block_id: blockId });
    const right = (actions.elements as Json[]).find((b) => b.action_id === ACTION_FEEDBACK_RIGHT) as Json;
    const responseUrl = bot.standin.responseUrl();
    await postSigned(
      `${bot.url}/slack/events`,
      plainButtonClick({
        actionId: ACTION_FEEDBACK_RIGHT,
        blockId,
        value: String(right.value),
        text: 'x',
        channel: 'C0FALLBACK',
        messageTs: posted.ts,
        blocks: posted.blocks,
        user: 'U0CAROL',
        triggerId: bot.standin.views.triggerId(),
        responseUrl,
      }),
      { secret: bot.secret },
    );
    expect(String((await answerAt(responseUrl)).text)).toContain('counted as right');
    expect(await feedbackTally(redis, bot.config.queueName)).toEqual([
      { cause: 'host-unreachable', right: 2, wrong: 1 },
    ]);
  });

  it('a forged value or a view with broken metadata stores nothing', async () => {
    const before = (await readFeedback(redis, bot.config.queueName)).length;
    const responseUrl = bot.standin.responseUrl();
    await postSigned(
      `${bot.url}/slack/events`,
      feedbackButtonsClick({
        actionId: ACTION_FEEDBACK,
        blockId,
        value: `{"v":"right","j":"x","h":"${'h'.repeat(300)}","c":"upstream-down","p":2}`,
        text: 'x',
        channel: report.channel,
        messageTs: report.ts,
        blocks: [],
        user: 'U0MALLORY',
        triggerId: bot.standin.views.triggerId(),
        responseUrl,
      }),
      { secret: bot.secret },
    );
    expect(String((await answerAt(responseUrl)).text)).toContain('broken');
    const res = await postSigned(
      `${bot.url}/slack/events`,
      viewSubmission({
        user: 'U0MALLORY',
        viewId: 'V0FORGED',
        view: { type: 'modal', callback_id: VIEW_FEEDBACK_WRONG, private_metadata: 'not json' },
        values: { [MODAL_TEXT.block]: { [MODAL_TEXT.action]: { type: 'plain_text_input', value: 'x' } } },
      }),
      { secret: bot.secret },
    );
    expect(JSON.parse(res.body)).toMatchObject({ response_action: 'errors' });
    expect(await readFeedback(redis, bot.config.queueName)).toHaveLength(before);
  });
});
