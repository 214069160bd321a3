/**
 * REDIS_URL=redis-sentinel://…: a real Redis Sentinel (redis-server --sentinel, on a random loopback
 * port) watches the test Redis; serve and worker find the primary through it and a command ends in
 * a report as with a plain URL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRedisTarget } from '../../src/config/redis-target.js';
import {
  type BotHarness,
  REDIS_URL,
  redisAvailable,
  startBotHarness,
  unreachableInventory,
} from './bot-harness.js';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe('parseRedisTarget', () => {
  it('reads sentinels, master name, password and db', () => {
    expect(parseRedisTarget('redis-sentinel://:s%40cret@10.0.0.1:26379,10.0.0.2/main?db=2')).toEqual({
      kind: 'sentinel',
      options: {
        sentinels: [
          { host: '10.0.0.1', port: 26379 },
          { host: '10.0.0.2', port: 26379 },
        ],
        name: 'main',
        password: 's@cret',
        db: 2,
      },
    });
    expect(parseRedisTarget('rediss://h:6380/1')).toEqual({ kind: 'url', url: 'rediss://h:6380/1' });
    expect(() => parseRedisTarget('redis-sentinel://h:26379')).toThrow(/master name/);
    expect(() => parseRedisTarget('http://h')).toThrow(/redis:\/\/host:6379/);
  });
});

const redisUrl = new URL(REDIS_URL);
const skip =
  (await redisAvailable()) ??
  (redisUrl.hostname !== '127.0.0.1' ? 'the test Redis is not on loopback' : undefined);
if (skip) console.warn(`[test/bot/redis-sentinel] skipped: ${skip}`);

describe.skipIf(skip !== undefined)('through Redis Sentinel', () => {
  let dir: string;
  let sentinel: ChildProcess | undefined;
  let bot: BotHarness | undefined;
  let port = 0;
  const master = `d502m${Date.now()}`;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'd502-sentinel-'));
    port = await freePort();
    const conf = path.join(dir, 'sentinel.conf');
    await writeFile(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${master} 127.0.0.1 ${redisUrl.port || 6379} 1`,
        '',
      ].join('\n'),
    );
    sentinel = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 100 });
    probe.on('error', () => {}); // refused until the sentinel listens
    for (let i = 0; i < 50; i++) {
      try {
        await probe.connect().catch(() => {});
        const addr = (await probe.call('SENTINEL', 'get-master-addr-by-name', master)) as string[] | null;
        if (addr) break;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    probe.disconnect();
    const closed = await freePort();
    bot = await startBotHarness({
      inventory: (d) => unreachableInventory(d, closed),
      env: { REDIS_URL: `redis-sentinel://127.0.0.1:${port}/${master}` },
    });
  });
  afterAll(async () => {
    await bot?.close();
    sentinel?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('a command is queued, run and reported', async () => {
    if (!bot) throw new Error('setup failed');
    const b = bot;
    expect(b.config.redisUrl).toMatch(/^redis-sentinel:/);
    const res = await b.command('web-1', { channel: 'C0SENT' });
    expect(res.body).toBe('');
    await b.standin.waitFor(
      () =>
        b.standin.messages.find(
          (m) => m.channel === 'C0SENT' && JSON.stringify(m.blocks).includes('host-unreachable'),
        ),
      30_000,
      'the report',
    );
    const ready = await fetch(`${b.url}/readyz`, b.auth);
    expect(await ready.json()).toEqual({ ok: true, checks: { redis: 'ok', slack: 'ok' } });
  });
});
