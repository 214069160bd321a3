/**
 * `diagnose502 start` as a real process: intake and worker in one, one /metrics for both, and a
 * clean exit on SIGTERM. The hosts refuse SSH (a real host-unreachable).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotHarness, redisAvailable, startBotHarness, unreachableInventory } from './bot-harness.js';
import { postSigned, slashCommand } from './slack-signing.js';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/start] skipped: ${skip}`);

describe.skipIf(skip !== undefined)('diagnose502 start', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    const closed = await freePort();
    // The harness provides the stand-in, the queue and the environment; the child process is the bot.
    bot = await startBotHarness({ worker: false, inventory: (dir) => unreachableInventory(dir, closed) });
  });
  afterAll(async () => {
    await bot?.close();
  });

  it('answers a command, reports, exposes one /metrics and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start'], {
      env: { ...process.env, ...bot.env, PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exited = once(child, 'exit');
    try {
      const base = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 100; i++) {
        const up = await fetch(`${base}/readyz`, bot.auth).then(
          (r) => r.ok,
          () => false,
        );
        if (up) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const res = await postSigned(
        `${base}/slack/events`,
        slashCommand('web-1', { channel: 'C0START', responseUrl: bot.standin.responseUrl() }),
        { secret: bot.secret },
      );
      expect(res.status).toBe(200);
      await bot.standin.waitFor(
        () =>
          bot.standin.messages.find(
            (m) => m.channel === 'C0START' && JSON.stringify(m.blocks).includes('host-unreachable'),
          ),
        30_000,
        'the report',
      );
      // The job completes just after the report and its file: scrape until the counters show it.
      let metrics = '';
      for (let i = 0; i < 50 && !metrics.includes('diagnose502_queue_jobs{state="completed"} 1'); i++) {
        metrics = await (await fetch(`${base}/metrics`, bot.auth)).text();
        await new Promise((r) => setTimeout(r, 100));
      }
      metrics = await (await fetch(`${base}/metrics`, bot.auth)).text();
      expect(metrics).toMatch(/diagnose502_commands_total\{outcome="queued"\} 1/);
      expect(metrics).toMatch(
        /diagnose502_diagnoses_total\{cause="host-unreachable",outcome="completed"\} 1/,
      );
      expect(metrics).toMatch(/diagnose502_queue_jobs\{state="completed"\} 1/);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    expect(code).toBe(0);
  }, 60_000);
});
