/**
 * Intake limits (issue 15, "Queue flood"), through the real Bolt app with signed commands and clicks,
 * real Redis and BullMQ, no worker (jobs stay waiting, to be counted): one person flooding with
 * near-identical requests, a busy channel, and the queue-wide cap shared by commands and alerts.
 * Every refusal is a private answer that says when to try again, and is counted in /metrics.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dedupKey, roundWindow } from '../../src/queue/job-data.js';
import { ACTION_RERUN } from '../../src/report/block-kit.js';
import { type BotHarness, redisAvailable, startBotHarness, unreachableInventory } from './bot-harness.js';
import { buttonClick, postSigned } from './slack-signing.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/intake-limits] skipped: ${skip}`);

const TRY_AGAIN = /nothing was queued; try again in \d+ s \(at \d\d:\d\d:\d\d UTC\)\./;

type Answer = { kind: 'queued' } | { kind: 'joined' | 'refused' | 'other'; text: string; type: unknown };
function answerOf(body: string): Answer {
  if (body === '') return { kind: 'queued' };
  const json = JSON.parse(body) as { text: string; response_type: unknown };
  const kind = /already (queued|running)/.test(json.text)
    ? 'joined'
    : /:hourglass:/.test(json.text)
      ? 'refused'
      : 'other';
  return { kind, text: json.text, type: json.response_type };
}

describe('windows rounded to steps (pure)', () => {
  it.each([
    [1, 30],
    [30, 30],
    [31, 60],
    [61, 300],
    [900, 900],
    [901, 1800],
    [7200, 10_800],
    [86_401, 259_200],
    [7 * 86_400, 7 * 86_400],
  ])('%i s -> %i s', (asked, step) => {
    expect(roundWindow(asked)).toBe(step);
  });
  it('near-identical requests share one dedup key; different steps do not', () => {
    expect(dedupKey('Web-1', 1)).toBe(dedupKey('web-1', 29));
    expect(dedupKey('web-1', 29)).not.toBe(dedupKey('web-1', 31));
  });
});

describe.skipIf(skip !== undefined)('intake limits: per person, per channel', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await startBotHarness({ worker: false, inventory: (dir) => unreachableInventory(dir, 9) });
  });
  afterAll(async () => {
    await bot?.close();
  });

  it('200 near-identical commands from one person: 10 taken as one job, 190 refused privately with when to try again', async () => {
    const started = performance.now();
    const answers: Answer[] = [];
    const ms: number[] = [];
    for (let i = 1; i <= 200; i++) {
      const res = await bot.command(`web-1 ${i}s`, { user: 'U0FLOOD', channel: 'C0FLOOD' });
      expect(res.status).toBe(200);
      ms.push(res.ms);
      answers.push(answerOf(res.body));
    }
    const elapsedS = (performance.now() - started) / 1000;
    const count = (k: Answer['kind']) => answers.filter((a) => a.kind === k).length;
    // `web-1 1s` … `web-1 10s` are all rounded up to 30 s: one job, the other nine join it.
    expect([count('queued'), count('joined'), count('refused'), count('other')]).toEqual([1, 9, 190, 0]);
    expect(answers.slice(10).every((a) => a.kind === 'refused')).toBe(true);
    const refusal = answers[10] as { text: string; type: unknown };
    expect(refusal.type).toBe('ephemeral');
    expect(refusal.text).toMatch(/You have asked for 10 diagnoses in this minute, the most one person may/);
    expect(refusal.text).toMatch(TRY_AGAIN);
    const jobs = await bot.serve.queue.getJobs(['waiting']);
    expect(jobs.map((j) => [j.data.target, j.data.sinceS])).toEqual([['web-1', 30]]);
    // Nothing was posted in the channel for any of them (no worker runs; the refusals are private).
    expect(bot.standin.callsOf('chat.postMessage')).toHaveLength(0);

    const metrics = await (await fetch(`${bot.url}/metrics`, bot.auth)).text();
    expect(metrics).toMatch(/diagnose502_intake_refused_total\{source="command",reason="user-rate"\} 190/);
    expect(metrics).toMatch(/diagnose502_commands_total\{outcome="limited"\} 190/);

    // The flood did not spend the channel's budget: someone else there is still served.
    expect(answerOf((await bot.command('web-2', { user: 'U0CALM', channel: 'C0FLOOD' })).body).kind).toBe(
      'queued',
    );
    // A Re-run click counts as a request of the same person: refused, privately, via response_url.
    const responseUrl = bot.standin.responseUrl();
    const click = await postSigned(
      `${bot.url}/slack/events`,
      buttonClick({
        actionId: ACTION_RERUN,
        value: JSON.stringify({ target: 'web-2', sinceS: 3600 }),
        channel: 'C0FLOOD',
        messageTs: '1700000000.000100',
        user: 'U0FLOOD',
        responseUrl,
      }),
      { secret: bot.secret },
    );
    expect(click.status).toBe(200);
    const said = await bot.standin.waitFor(
      () => bot.standin.responses.get(responseUrl.split('/').at(-1) ?? '')?.[0],
      10_000,
      'the Re-run refusal',
    );
    expect(said).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(said.text)).toMatch(TRY_AGAIN);
    expect(await bot.serve.queue.count()).toBe(2);

    const sorted = [...ms].sort((a, b) => a - b);
    console.log(
      `[intake-limits] flood of 200 commands from one person in ${elapsedS.toFixed(1)} s: ` +
        `${count('queued')} queued, ${count('joined')} joined, ${count('refused')} refused (ephemeral); ` +
        `ack p50 ${sorted[100]?.toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms`,
    );
  });

  it('a busy channel: the 31st request in a minute is refused, whoever sends it', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 31; i++)
      answers.push(answerOf((await bot.command('web-1 1h', { user: `U0BUSY${i}`, channel: 'C0BUSY' })).body));
    expect(answers.slice(0, 30).every((a) => a.kind === 'queued' || a.kind === 'joined')).toBe(true);
    const last = answers[30] as { kind: string; text: string; type: unknown };
    expect(last.kind).toBe('refused');
    expect(last.type).toBe('ephemeral');
    expect(last.text).toMatch(/This channel has asked for 30 diagnoses in this minute/);
    expect(last.text).toMatch(TRY_AGAIN);
    const metrics = await (await fetch(`${bot.url}/metrics`, bot.auth)).text();
    expect(metrics).toMatch(/diagnose502_intake_refused_total\{source="command",reason="channel-rate"\} 1/);
  });
});

describe.skipIf(skip !== undefined)('intake limits: the queue-wide cap, for commands and alerts', () => {
  let bot: BotHarness;
  const token = randomBytes(24).toString('hex');
  beforeAll(async () => {
    bot = await startBotHarness({
      worker: false,
      inventory: (dir) => unreachableInventory(dir, 9),
      env: {
        DIAGNOSE502_QUEUE_MAX_WAITING: '2',
        ALERT_CHANNEL: 'C0ALERTS',
        ALERT_WEBHOOK_TOKEN: token,
      },
    });
  });
  afterAll(async () => {
    await bot?.close();
  });

  it('with 2 diagnoses waiting a third is refused; joining a waiting one still works; an alert gets 503 + Retry-After', async () => {
    expect(answerOf((await bot.command('web-1', { user: 'U0A' })).body).kind).toBe('queued');
    expect(answerOf((await bot.command('web-2', { user: 'U0B' })).body).kind).toBe('queued');
    const third = answerOf((await bot.command('web-1 1h', { user: 'U0C' })).body) as {
      kind: string;
      text: string;
      type: unknown;
    };
    expect(third.kind).toBe('refused');
    expect(third.type).toBe('ephemeral');
    expect(third.text).toMatch(/The diagnosis queue already holds 2 waiting diagnoses/);
    expect(third.text).toMatch(TRY_AGAIN);
    expect(answerOf((await bot.command('web-1', { user: 'U0D' })).body).kind).toBe('joined');
    expect(await bot.serve.queue.count()).toBe(2);

    const alert = await fetch(`${bot.url}/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        version: '4',
        groupKey: '{}:{alertname="NginxHigh502"}',
        status: 'firing',
        commonLabels: { alertname: 'NginxHigh502' },
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'NginxHigh502', instance: 'web-1:9113' },
            startsAt: new Date(Date.now() - 60_000).toISOString(),
            endsAt: '0001-01-01T00:00:00Z',
            fingerprint: 'a1b2c3d4e5f60718',
          },
        ],
      }),
    });
    expect(alert.status).toBe(503);
    expect(alert.headers.get('retry-after')).toBe('60');
    expect(((await alert.json()) as { error: string }).error).toMatch(/queue already holds 2 waiting/);
    expect(await bot.serve.queue.count()).toBe(2);
    const metrics = await (await fetch(`${bot.url}/metrics`, bot.auth)).text();
    expect(metrics).toMatch(/diagnose502_intake_refused_total\{source="command",reason="queue-full"\} 1/);
    expect(metrics).toMatch(
      /diagnose502_intake_refused_total\{source="alertmanager",reason="queue-full"\} 1/,
    );
  });
});
