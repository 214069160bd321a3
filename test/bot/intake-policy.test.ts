/**
 * Intake policy on a real Bolt app: the channel and user allowlists, and a Redis that is down (the
 * ack still comes at once, with a message, and /readyz says why).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/bot/logger.js';
import { startServe } from '../../src/bot/serve.js';
import { loadBotConfig } from '../../src/config/load-bot-config.js';
import { withDeadline } from '../../src/queue/deadline.js';
import { SlackStandin } from '../slack-standin/server.js';
import { REDIS_URL, redisAvailable, unreachableInventory } from './bot-harness.js';
import { postSigned, slashCommand } from './slack-signing.js';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/intake-policy] skipped: ${skip}`);

describe.skipIf(skip !== undefined)('intake policy', () => {
  let dir: string;
  let standin: SlackStandin;
  const secret = randomBytes(16).toString('hex');
  const token = 'xoxb-policy-test';
  const metricsToken = randomBytes(16).toString('hex');
  const servers: Array<Awaited<ReturnType<typeof startServe>>> = [];

  async function serve(env: Record<string, string>) {
    const config = loadBotConfig(
      {
        SLACK_BOT_TOKEN: token,
        SLACK_SIGNING_SECRET: secret,
        SLACK_API_URL: `${standin.url}/api/`,
        REDIS_URL,
        DIAGNOSE502_INVENTORY: path.join(dir, 'inventory.yml'),
        DIAGNOSE502_QUEUE: `d502-policy-${randomBytes(6).toString('hex')}`,
        PORT: '0',
        DIAGNOSE502_METRICS_TOKEN: metricsToken,
        ...env,
      },
      'serve',
    );
    const s = await startServe(config, createLogger('silent', 'test'));
    servers.push(s);
    return s;
  }
  const ask = (port: number, text: string, o: { user?: string; channel?: string } = {}) =>
    postSigned(
      `http://127.0.0.1:${port}/slack/events`,
      slashCommand(text, { ...o, responseUrl: standin.responseUrl() }),
      { secret },
    );

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'd502-policy-'));
    await unreachableInventory(dir, await freePort());
    standin = new SlackStandin(token);
    await standin.start();
  });
  afterAll(async () => {
    for (const s of servers) {
      // The Redis-down server's queue never connects: bound the cleanup.
      await withDeadline(s.queue.obliterate({ force: true }), 3000, 'obliterate').catch(() => {});
      await withDeadline(s.close(), 3000, 'close').catch(() => {});
    }
    await standin.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('only allowed users in allowed channels may run a diagnosis', async () => {
    const s = await serve({
      DIAGNOSE502_ALLOWED_CHANNELS: 'C0OPS',
      DIAGNOSE502_ALLOWED_USERS: 'U0SRE,U0LEAD',
    });
    const refusedChannel = JSON.parse(
      (await ask(s.port, 'web-1', { channel: 'C0RANDOM', user: 'U0SRE' })).body,
    );
    expect(refusedChannel.text).toMatch(/not on the allowlist/);
    const refusedUser = JSON.parse((await ask(s.port, 'web-1', { channel: 'C0OPS', user: 'U0INTERN' })).body);
    expect(refusedUser.text).toMatch(/not on the allowlist/);
    expect(await s.queue.count()).toBe(0);
    const ok = await ask(s.port, 'web-1', { channel: 'C0OPS', user: 'U0LEAD' });
    expect(ok.body).toBe('');
    expect(await s.queue.count()).toBe(1);
    // Help is for everyone.
    expect(JSON.parse((await ask(s.port, 'help', { channel: 'C0RANDOM' })).body).text).toMatch(
      /\/diagnose502/,
    );
  });

  it('with Redis down the ack still comes at once, saying so, and /readyz names Redis', async () => {
    const s = await serve({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    const res = await ask(s.port, 'web-1');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).text).toMatch(/queue \(Redis\) is not reachable/);
    // Generous: Slack's own limit is 3 s.
    expect(res.ms).toBeLessThan(2500);
    const ready = await fetch(`http://127.0.0.1:${s.port}/readyz`, {
      headers: { authorization: `Bearer ${metricsToken}` },
    });
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Record<string, string> };
    expect(body.checks.slack).toBe('ok');
    expect(body.checks.redis).not.toBe('ok');
  });
});
