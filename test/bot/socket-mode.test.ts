/**
 * Socket Mode (SLACK_APP_TOKEN set): the app opens its connection through the stand-in's
 * apps.connections.open (so SLACK_API_URL is honoured there too), receives a slash command as a
 * Socket Mode envelope over a real WebSocket and acks it on the socket; the job runs as in HTTP
 * mode, and /healthz is served on PORT.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { createLogger } from '../../src/bot/logger.js';
import { startServe } from '../../src/bot/serve.js';
import { loadBotConfig } from '../../src/config/load-bot-config.js';
import { type BotHarness, redisAvailable, startBotHarness, unreachableInventory } from './bot-harness.js';
import { slashCommand } from './slack-signing.js';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/socket-mode] skipped: ${skip}`);

describe.skipIf(skip !== undefined)('Socket Mode', () => {
  let bot: BotHarness;
  let wss: WebSocketServer;
  let serve: Awaited<ReturnType<typeof startServe>> | undefined;
  let socket: WebSocket | undefined;
  const received: Array<Record<string, unknown>> = [];
  let port = 0;

  beforeAll(async () => {
    const closed = await freePort();
    bot = await startBotHarness({ inventory: (dir) => unreachableInventory(dir, closed) });
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    bot.standin.appToken = 'xapp-1-A0001-test';
    bot.standin.socketUrl = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/link`;
    const connected = new Promise<void>((resolve) => {
      wss.on('connection', (ws) => {
        socket = ws;
        ws.on('message', (data) => received.push(JSON.parse(String(data)) as Record<string, unknown>));
        ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0001' } }));
        resolve();
      });
    });
    port = await freePort();
    const { SLACK_SIGNING_SECRET: _httpOnly, ...env } = bot.env;
    const config = loadBotConfig(
      { ...env, SLACK_APP_TOKEN: 'xapp-1-A0001-test', PORT: String(port) },
      'serve',
    );
    serve = await startServe(config, createLogger(process.env.BOT_TEST_LOG ?? 'silent', 'socket'));
    await connected;
  });
  afterAll(async () => {
    await serve?.close();
    wss?.close();
    await bot?.close();
  });

  async function envelope(id: string, text: string, channel: string): Promise<Record<string, unknown>> {
    const form = slashCommand(text, { channel, responseUrl: bot.standin.responseUrl() });
    socket?.send(
      JSON.stringify({
        envelope_id: id,
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: form,
      }),
    );
    return bot.standin.waitFor(() => received.find((m) => m.envelope_id === id), 10_000, `the ack of ${id}`);
  }

  it('opened the connection through SLACK_API_URL with the app token', () => {
    expect(bot.standin.callsOf('apps.connections.open')).toHaveLength(1);
    expect(bot.standin.callsOf('apps.connections.open')[0]?.response).toMatchObject({ ok: true });
  });

  it('acks a command on the socket, and the diagnosis runs', async () => {
    const help = await envelope('e-help', 'help', 'C0SOCK');
    // Escaped: a bare `<host|group>` is a link to "host" in Slack's mrkdwn.
    expect(JSON.stringify(help.payload)).toContain('/diagnose502 &lt;host|group&gt; [since]');
    await envelope('e-run', 'web-1', 'C0SOCK');
    const report = await bot.standin.waitFor(
      () =>
        bot.standin.messages.find(
          (m) => m.channel === 'C0SOCK' && JSON.stringify(m.blocks).includes('host-unreachable'),
        ),
      30_000,
      'the report',
    );
    expect(report).toBeDefined();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });
});
