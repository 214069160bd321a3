/**
 * The bot without a lab: a real Bolt app on a random port receiving signed slash commands and button
 * clicks, real Redis and BullMQ workers, the Slack stand-in. The inventory's hosts refuse SSH, so
 * every diagnosis here really runs and really ends in a host-unreachable finding.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_EVIDENCE, ACTION_RERUN } from '../../src/report/block-kit.js';
import { BOT_USER_ID, type Message } from '../slack-standin/server.js';
import {
  type BotHarness,
  closedPort,
  redisAvailable,
  startBotHarness,
  unreachableInventory,
} from './bot-harness.js';
import { buttonClick, postSigned, sign, slashCommand } from './slack-signing.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/intake] skipped: ${skip}`);

function headerOf(m: Message | undefined): string | undefined {
  const first = m?.blocks[0] as { type?: string; text?: { text?: string } } | undefined;
  return first?.type === 'header' ? first.text?.text : undefined;
}

describe.skipIf(skip !== undefined)('Slack intake and worker (real Bolt, real Redis)', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    const port = await closedPort();
    bot = await startBotHarness({ inventory: (dir) => unreachableInventory(dir, port) });
  });
  afterAll(async () => {
    await bot?.close();
  });

  it('refuses forged and stale signatures with 401', async () => {
    const form = slashCommand('web-1', { responseUrl: bot.standin.responseUrl() });
    const forged = await postSigned(`${bot.url}/slack/events`, form, { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    const stale = await postSigned(`${bot.url}/slack/events`, form, {
      secret: bot.secret,
      timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    expect(stale.status).toBe(401);
    const ts = Math.floor(Date.now() / 1000);
    const tampered = await postSigned(
      `${bot.url}/slack/events`,
      { ...form, text: 'web-2' },
      {
        secret: bot.secret,
        timestamp: ts,
        signature: sign(bot.secret, ts, new URLSearchParams(form).toString()),
      },
    );
    expect(tampered.status).toBe(401);
    expect(bot.standin.callsOf('chat.postMessage')).toHaveLength(0);
    expect(await bot.serve.queue.count()).toBe(0);
  });

  it('answers help ephemerally', async () => {
    const res = await bot.command('help');
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    // Escaped: a bare `<host|group>` is a link to "host" in Slack's mrkdwn.
    expect(body.text).toMatch(/\/diagnose502 &lt;host\|group&gt; \[since\]/);
  });

  it('answers an unknown host with the closest names, posting nothing and queueing nothing', async () => {
    const before = bot.standin.calls.length;
    const res = await bot.command('web-l');
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain('`web-l` is not a host or group of the inventory. Did you mean `web-1`');
    const bad = JSON.parse((await bot.command('web-1; rm -rf /')).body) as { text: string };
    expect(bad.text).toMatch(/Give one host or group|is not a host or group name/);
    expect(bot.standin.calls.slice(before).filter((c) => c.method.startsWith('chat.'))).toHaveLength(0);
    expect(await bot.serve.queue.count()).toBe(0);
  });

  it('diagnoses: one message at once, then the report naming who asked, and the evidence file in its thread', async () => {
    const res = await bot.command('web-1', { user: 'U0ASKER' });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    const report = await bot.standin.waitFor(
      () => bot.standin.messages.find((m) => m.channel === 'C0INCIDENT' && headerOf(m)?.startsWith('web-1:')),
      30_000,
      'the final report',
    );
    expect(report.history[0]?.text).toMatch(/^Diagnosing web-1/);
    expect(JSON.stringify(report.blocks)).toContain('host-unreachable');
    expect(JSON.stringify(report.blocks)).toContain('<@U0ASKER>');
    const file = await bot.standin.waitFor(
      () => bot.standin.files.find((f) => f.threadTs === report.ts),
      10_000,
      'the evidence file',
    );
    expect(file.content).toContain('[host-unreachable]');
    expect(file.channel).toBe('C0INCIDENT');
  });

  it('a request for a target already queued joins that job', async () => {
    await bot.worker.worker.pause();
    try {
      const first = await bot.command('web', { channel: 'C0JOIN' });
      const second = await bot.command('web', { channel: 'C0OTHER', user: 'U0SECOND' });
      expect(first.body).toBe('');
      const answer = JSON.parse(second.body) as { text: string };
      expect(answer.text).toMatch(/already queued: its report will appear in <#C0JOIN>/);
      expect(await bot.serve.queue.getWaitingCount()).toBe(1);
    } finally {
      bot.worker.worker.resume();
    }
    const report = await bot.standin.waitFor(
      () => bot.standin.messages.find((m) => m.channel === 'C0JOIN' && headerOf(m)?.startsWith('web:')),
      30_000,
      'the group report',
    );
    expect(headerOf(report)).toBe('web: 2 of 2 hosts with a 502 cause');
    expect(bot.standin.messages.filter((m) => m.channel === 'C0OTHER')).toHaveLength(0);
  });

  it('says ephemerally, with the /invite, when it is not in the channel; nothing runs', async () => {
    bot.standin.notInChannel.add('C0PRIVATE');
    const res = await bot.command('web-2', { channel: 'C0PRIVATE' });
    expect(res.status).toBe(200);
    const id = res.responseUrl.split('/').pop() ?? '';
    const said = await bot.standin.waitFor(
      () => bot.standin.responses.get(id)?.[0],
      15_000,
      'the response_url answer',
    );
    expect(said).toMatchObject({ response_type: 'ephemeral' });
    expect(String(said.text)).toContain(`/invite <@${BOT_USER_ID}>`);
    expect(bot.standin.messages.filter((m) => m.channel === 'C0PRIVATE')).toHaveLength(0);
  });

  it('waits out a 429 per Retry-After and still delivers the report', async () => {
    bot.standin.rateLimit('chat.update', 1, 1);
    await bot.command('web-2', { channel: 'C0LIMIT' });
    const report = await bot.standin.waitFor(
      () => bot.standin.messages.find((m) => m.channel === 'C0LIMIT' && headerOf(m)?.startsWith('web-2:')),
      30_000,
      'the report after a 429',
    );
    expect(report).toBeDefined();
    expect(bot.standin.calls.some((c) => c.method === 'chat.update' && c.status === 429)).toBe(true);
    // Each process exposes its own /metrics: the worker counts diagnoses and 429s, serve counts commands.
    const worker = await (await fetch(`http://127.0.0.1:${bot.worker.port}/metrics`, bot.auth)).text();
    expect(worker).toMatch(
      /diagnose502_diagnoses_total\{cause="host-unreachable",outcome="completed"\} [1-9]/,
    );
    expect(worker).toMatch(/diagnose502_slack_rate_limited_total\{method="chat.update"\} 1/);
    // The not_in_channel answer of the test above, counted by method and Slack's error code.
    expect(worker).toMatch(
      /diagnose502_slack_api_errors_total\{method="chat.postMessage",error="not_in_channel"\} 1/,
    );
    expect(worker).toMatch(/diagnose502_queue_jobs\{state="completed"\} [1-9]/);
    const serve = await (await fetch(`${bot.url}/metrics`, bot.auth)).text();
    expect(serve).toMatch(/diagnose502_commands_total\{outcome="unknown-target"\} 1/);
  });

  it('buttons: Show all evidence posts the file in the thread, Re-run queues a new diagnosis', async () => {
    const report = bot.standin.messages.find(
      (m) => m.channel === 'C0INCIDENT' && headerOf(m)?.startsWith('web-1:'),
    );
    if (!report) throw new Error('the report of the earlier test is missing');
    const buttons = (report.blocks.at(-1) as { elements: Array<{ action_id: string; value: string }> })
      .elements;
    const evidence = buttons.find((b) => b.action_id === ACTION_EVIDENCE);
    const rerun = buttons.find((b) => b.action_id === ACTION_RERUN);
    const filesBefore = bot.standin.files.length;
    const click = await postSigned(
      `${bot.url}/slack/events`,
      buttonClick({
        actionId: ACTION_EVIDENCE,
        value: evidence?.value ?? '',
        channel: report.channel,
        messageTs: report.ts,
        responseUrl: bot.standin.responseUrl(),
      }),
      { secret: bot.secret },
    );
    expect(click.status).toBe(200);
    // The report's own upload came first; the click adds a second file to the same thread.
    await bot.standin.waitFor(
      () => bot.standin.files.slice(filesBefore).find((f) => f.threadTs === report.ts),
      10_000,
      'the evidence upload',
    );

    const postsBefore = bot.standin.callsOf('chat.postMessage').length;
    const again = await postSigned(
      `${bot.url}/slack/events`,
      buttonClick({
        actionId: ACTION_RERUN,
        value: rerun?.value ?? '',
        channel: report.channel,
        messageTs: report.ts,
        user: 'U0RERUN',
        responseUrl: bot.standin.responseUrl(),
      }),
      { secret: bot.secret },
    );
    expect(again.status).toBe(200);
    const rerunReport = await bot.standin.waitFor(
      () => bot.standin.callsOf('chat.postMessage').length > postsBefore && bot.standin.messages.at(-1),
      10_000,
      'the re-run',
    );
    await bot.standin.waitFor(
      () => JSON.stringify(rerunReport.blocks).includes('<@U0RERUN>') && headerOf(rerunReport),
      30_000,
      'the re-run report',
    );
  });

  it('/healthz and /readyz answer', async () => {
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${bot.url}/readyz`, bot.auth);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, checks: { redis: 'ok', slack: 'ok' } });
  });
});
