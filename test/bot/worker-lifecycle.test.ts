/**
 * Nothing is lost when a worker dies: a SIGKILLed worker's job is recovered by another worker
 * (BullMQ stalled-job check) and updates the same Slack message; a SIGTERMed `diagnose502 worker`
 * takes no new job, finishes the running one, and exits 0. The host here accepts TCP and never
 * speaks SSH (a silent loopback server), so the diagnosis is mid-job for the inventory's connect
 * timeout and then reports host-unreachable.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../slack-standin/server.js';
import {
  type BotHarness,
  redisAvailable,
  type SilentServer,
  silentServer,
  startBotHarness,
  unreachableInventory,
} from './bot-harness.js';
import { spawnWorker, untilReady } from './worker-process.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/worker-lifecycle] skipped: ${skip}`);

function headerOf(m: Message | undefined): string | undefined {
  const first = m?.blocks[0] as { type?: string; text?: { text?: string } } | undefined;
  return first?.type === 'header' ? first.text?.text : undefined;
}

describe.skipIf(skip !== undefined)('worker lifecycle: SIGKILL and SIGTERM lose nothing', () => {
  let bot: BotHarness;
  let silent: SilentServer;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    silent = await silentServer();
    const port = silent.port;
    bot = await startBotHarness({
      worker: false,
      inventory: async (dir) => {
        const file = await unreachableInventory(dir, port);
        // Long enough to kill the worker mid-job, short enough for the test.
        const text = (await import('node:fs/promises')).readFile(file, 'utf8');
        await writeFile(file, (await text).replace('connectTimeoutMs: 2000', 'connectTimeoutMs: 4000'));
        return path.resolve(file);
      },
    });
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await bot?.close();
    silent?.close();
  });

  it('a job whose worker is SIGKILLed is finished by another worker, in the same message', async () => {
    const a = spawnWorker(bot.env);
    children.push(a);
    await untilReady(a);
    await bot.command('web-1', { channel: 'C0KILL' });
    const msg = await bot.standin.waitFor(
      () => bot.standin.messages.find((m) => m.channel === 'C0KILL'),
      20_000,
      'the first message',
    );
    // Job data carries the message once posted; kill only after that, mid-diagnosis.
    await bot.standin.waitFor(() => silent.sockets.size > 0, 10_000, 'the SSH connection');
    a.kill('SIGKILL');
    await once(a, 'exit');

    const b = spawnWorker(bot.env);
    children.push(b);
    await untilReady(b);
    await bot.standin.waitFor(() => headerOf(msg)?.startsWith('web-1:'), 40_000, 'the recovered report');
    expect(bot.standin.messages.filter((m) => m.channel === 'C0KILL')).toHaveLength(1);
    expect(JSON.stringify(msg.blocks)).toContain('host-unreachable');
    b.kill('SIGTERM');
    await once(b, 'exit');
  }, 90_000);

  it('SIGTERM: takes no new job, finishes the running one, exits 0', async () => {
    const w = spawnWorker({ ...bot.env, LOG_LEVEL: 'info' }, ['src/cli/main.ts', 'worker']);
    children.push(w);
    let logs = '';
    w.stdout?.on('data', (d: Buffer) => {
      logs += d.toString();
    });
    const exited = once(w, 'exit');
    silent.dropAll();
    await bot.command('web-1 1h', { channel: 'C0TERM' });
    const msg = await bot.standin.waitFor(
      () => bot.standin.messages.find((m) => m.channel === 'C0TERM'),
      20_000,
      'the first message',
    );
    await bot.standin.waitFor(() => silent.sockets.size > 0, 10_000, 'the SSH connection');
    w.kill('SIGTERM');
    await bot.standin.waitFor(
      () => logs.includes('"msg":"shutting down"'),
      10_000,
      'the worker to see SIGTERM',
    );
    // Queued after the signal: this one must stay in the queue for the next worker.
    await bot.command('web', { channel: 'C0AFTER' });
    const [code] = await exited;
    expect(code).toBe(0);
    expect(headerOf(msg)).toMatch(/^web-1:/);
    expect(JSON.stringify(msg.blocks)).toContain('host-unreachable');
    expect(bot.standin.messages.filter((m) => m.channel === 'C0AFTER')).toHaveLength(0);
    expect(await bot.serve.queue.getWaitingCount()).toBe(1);
  }, 60_000);
});
