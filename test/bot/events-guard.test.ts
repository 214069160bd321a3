/**
 * Auth before work on `POST /slack/events` (issue 15): a client that holds a connection open with a
 * partial body and no (or an impossible) Slack signature is answered 401 at once and disconnected;
 * Bolt, which reads the whole body before checking the HMAC, never sees it. Slack's unsigned
 * `ssl_check` and real signed commands still pass. Real Bolt app, real Redis, no worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackHeadersAcceptable } from '../../src/slack/slack-events-guard.js';
import { type BotHarness, redisAvailable, startBotHarness, unreachableInventory } from './bot-harness.js';
import { partialRequest } from './partial-request.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/events-guard] skipped: ${skip}`);

const FORM = 'application/x-www-form-urlencoded';
const held = { contentType: FORM, firstBytes: 'token=x&team_id=T0001&text=' };

describe('slackHeadersAcceptable (pure)', () => {
  const now = 1_800_000_000;
  const sig = `v0=${'a'.repeat(64)}`;
  it.each([
    [{ 'x-slack-signature': sig, 'x-slack-request-timestamp': String(now) }, true],
    [{ 'x-slack-signature': sig, 'x-slack-request-timestamp': String(now - 299) }, true],
    [{ 'x-slack-signature': sig, 'x-slack-request-timestamp': String(now - 301) }, false],
    [{ 'x-slack-signature': sig, 'x-slack-request-timestamp': String(now + 301) }, false],
    [{ 'x-slack-signature': 'v0=zz', 'x-slack-request-timestamp': String(now) }, false],
    [{ 'x-slack-signature': sig }, false],
    [{ 'x-slack-request-timestamp': String(now) }, false],
    [{ 'content-length': '60' }, true],
    [{ 'content-length': '60000' }, false],
    [{}, false],
  ])('%j -> %s', (headers, ok) => {
    expect(slackHeadersAcceptable(headers, now).ok).toBe(ok);
  });
});

describe.skipIf(skip !== undefined)('POST /slack/events: headers before the body', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await startBotHarness({ worker: false, inventory: (dir) => unreachableInventory(dir, 9) });
  });
  afterAll(async () => {
    await bot?.close();
  });

  it('a partial body without a possible signature: 401 at once, connection closed, nothing queued', async () => {
    const now = Math.floor(Date.now() / 1000);
    const refused = [
      await partialRequest(bot.url, '/slack/events', {}, held),
      await partialRequest(
        bot.url,
        '/slack/events',
        { 'X-Slack-Signature': 'v0=forged', 'X-Slack-Request-Timestamp': String(now) },
        held,
      ),
      await partialRequest(
        bot.url,
        '/slack/events',
        { 'X-Slack-Signature': `v0=${'b'.repeat(64)}`, 'X-Slack-Request-Timestamp': String(now - 3600) },
        held,
      ),
    ];
    for (const r of refused) {
      expect(r).toMatchObject({ status: 401, closed: true });
      // Generous: without the guard the server waits for the rest of the body (until its timeout).
      expect(r.ms).toBeLessThan(2000);
    }
    // Headers that could be Slack's: the body is read (Bolt then checks the HMAC), so it waits.
    const waiting = await partialRequest(
      bot.url,
      '/slack/events',
      { 'X-Slack-Signature': `v0=${'c'.repeat(64)}`, 'X-Slack-Request-Timestamp': String(now) },
      { ...held, waitMs: 500 },
    );
    expect(waiting).toMatchObject({ status: 0, closed: false });
    expect(await bot.serve.queue.count()).toBe(0);
  });

  it("Slack's unsigned ssl_check and a signed command still pass", async () => {
    const ssl = await fetch(`${bot.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: 'ssl_check=1&token=deprecated-verification-token',
    });
    expect(ssl.status).toBe(200);
    const res = await bot.command('web-1', { user: 'U0GUARD' });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    expect(await bot.serve.queue.count()).toBe(1);
  });
});
