/**
 * Who may see what (issue 15, low items), through the real Bolt app with signed clicks, real Redis
 * and a real worker: "Show all evidence" obeys the command's channel and user allowlists, and
 * `/metrics` and `/readyz` answer only with DIAGNOSE502_METRICS_TOKEN (serve and worker alike).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_EVIDENCE } from '../../src/report/block-kit.js';
import { type BotHarness, redisAvailable, startBotHarness, unreachableInventory } from './bot-harness.js';
import { buttonClick, postSigned } from './slack-signing.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/intake-access] skipped: ${skip}`);

describe.skipIf(skip !== undefined)('intake access: evidence allowlist, metrics token', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await startBotHarness({
      inventory: (dir) => unreachableInventory(dir, 9),
      env: { DIAGNOSE502_ALLOWED_CHANNELS: 'C0OPS', DIAGNOSE502_ALLOWED_USERS: 'U0SRE' },
    });
  });
  afterAll(async () => {
    await bot?.close();
  });

  it('"Show all evidence" is refused to a user the allowlist does not name, and nothing is uploaded', async () => {
    expect((await bot.command('web-1', { user: 'U0SRE', channel: 'C0OPS' })).body).toBe('');
    const report = await bot.standin.waitFor(
      () =>
        bot.standin.messages.find(
          (m) => m.channel === 'C0OPS' && JSON.stringify(m.blocks).includes(ACTION_EVIDENCE),
        ),
      30_000,
      'the report with its buttons',
    );
    // The report's own evidence file comes with it; wait for it so that only clicks add files after.
    await bot.standin.waitFor(() => bot.standin.files.find((f) => f.threadTs === report.ts), 10_000, 'file');
    const buttons = (report.blocks.at(-1) as { elements: Array<{ action_id: string; value: string }> })
      .elements;
    const value = buttons.find((b) => b.action_id === ACTION_EVIDENCE)?.value ?? '';
    const click = async (user: string) => {
      const responseUrl = bot.standin.responseUrl();
      const res = await postSigned(
        `${bot.url}/slack/events`,
        buttonClick({
          actionId: ACTION_EVIDENCE,
          value,
          channel: 'C0OPS',
          messageTs: report.ts,
          user,
          responseUrl,
        }),
        { secret: bot.secret },
      );
      expect(res.status).toBe(200);
      return responseUrl.split('/').at(-1) ?? '';
    };
    const files = bot.standin.files.length;
    const outsider = await click('U0INTRUDER');
    const said = await bot.standin.waitFor(() => bot.standin.responses.get(outsider)?.[0], 10_000, 'refusal');
    expect(said).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(said.text)).toMatch(/not on the allowlist/);
    // The person on the allowlist still gets the file: the refusal above was the allowlist's.
    await click('U0SRE');
    await bot.standin.waitFor(() => bot.standin.files.length > files, 10_000, 'the allowed upload');
    expect(bot.standin.files.length).toBe(files + 1);
  });

  it('/metrics and /readyz need the bearer token on serve and on the worker; /healthz does not', async () => {
    for (const base of [bot.url, `http://127.0.0.1:${bot.worker.port}`]) {
      for (const path of ['/metrics', '/readyz']) {
        const none = await fetch(`${base}${path}`);
        expect(none.status).toBe(401);
        expect(none.headers.get('www-authenticate')).toBe('Bearer');
        const wrong = await fetch(`${base}${path}`, {
          headers: { authorization: 'Bearer not-the-token-at-all' },
        });
        expect(wrong.status).toBe(401);
        const body = await wrong.text();
        expect(body).not.toMatch(/diagnose502_|redis/);
        const right = await fetch(`${base}${path}`, bot.auth);
        expect(right.status).toBe(200);
      }
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    }
  });
});

describe.skipIf(skip !== undefined)('intake access: no metrics token set', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await startBotHarness({
      worker: false,
      inventory: (dir) => unreachableInventory(dir, 9),
      env: { DIAGNOSE502_METRICS_TOKEN: '' },
    });
  });
  afterAll(async () => {
    await bot?.close();
  });

  it('/metrics and /readyz stay closed and say what to set', async () => {
    for (const path of ['/metrics', '/readyz']) {
      const res = await fetch(`${bot.url}${path}`, bot.auth);
      expect(res.status).toBe(401);
      expect(await res.text()).toMatch(/set DIAGNOSE502_METRICS_TOKEN/);
    }
  });
});
