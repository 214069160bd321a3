/**
 * REDIS_URL=redis-cluster://…: a real 3-master Redis Cluster (redis-server --cluster-enabled, on
 * random loopback ports, in a temp dir, joined with redis-cli --cluster create). Every BullMQ script
 * touches many keys of a queue, which a Cluster allows only within one hash slot: the queue prefix
 * is a hash tag, and enqueue with dedup, a worker taking a job and the restart lock's Lua release all
 * run through it. The machine's own Redis is not touched.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRedisTarget } from '../../src/config/redis-target.js';
import { createDiagnoseQueue } from '../../src/queue/create-queue.js';
import { enqueueDiagnosis } from '../../src/queue/producer.js';
import { bullPrefix, redisConnection } from '../../src/queue/redis.js';
import { acquireLock, releaseLock } from '../../src/queue/redis-lock.js';
import { type BotHarness, startBotHarness, unreachableInventory } from './bot-harness.js';

const run = promisify(execFile);

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe('parseRedisTarget (cluster)', () => {
  it('reads seed nodes, credentials and tls', () => {
    const t = parseRedisTarget('redis-cluster://:s%40cret@10.0.0.1:7000,10.0.0.2');
    expect(t).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 6379 },
      ],
      options: { redisOptions: { password: 's@cret' } },
    });
    const tls = parseRedisTarget('redis-cluster://bot:pw@r.example:6380?tls=1');
    expect(tls.kind === 'cluster' && tls.options.redisOptions).toEqual({
      username: 'bot',
      password: 'pw',
      tls: {},
    });
    expect(() => parseRedisTarget('redis-cluster://')).toThrow(/names no node/);
    expect(() => parseRedisTarget('redis-cluster://h:7000/2')).toThrow(/no database/);
    expect(() => parseRedisTarget('redis-cluster://h:7000?db=2')).toThrow(/does not know \?db/);
    expect(() => parseRedisTarget('redis-cluster://h:port')).toThrow(/not host or host:port/);
    expect(() => parseRedisTarget('redis-cluster://h:7000?tls=yes')).toThrow(/tls=yes must be 1 or 0/);
  });
});

const missing = await run('redis-cli', ['--version']).then(
  () => undefined,
  () => 'redis-cli is not installed',
);
if (missing) console.warn(`[test/bot/redis-cluster] skipped: ${missing}`);

describe.skipIf(missing !== undefined)('through a Redis Cluster', () => {
  let dir: string;
  const servers: ChildProcess[] = [];
  const ports: number[] = [];
  let url = '';
  let bot: BotHarness | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'd502-cluster-'));
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      if (port === 6379) throw new Error('picked the machine Redis port');
      ports.push(port);
      const nodeDir = path.join(dir, String(port));
      await run('mkdir', ['-p', nodeDir]);
      servers.push(
        spawn(
          'redis-server',
          [
            '--port',
            String(port),
            '--bind',
            '127.0.0.1',
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            path.join(nodeDir, 'nodes.conf'),
            '--dir',
            nodeDir,
            '--save',
            '',
            '--appendonly',
            'no',
            '--daemonize',
            'no',
          ],
          { stdio: 'ignore' },
        ),
      );
    }
    for (const port of ports) {
      const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 100 });
      probe.on('error', () => {}); // refused until the server listens
      for (let i = 0; i < 50 && (await probe.ping().catch(() => '')) !== 'PONG'; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      probe.disconnect();
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const port of ports) {
      for (let i = 0; i < 100; i++) {
        const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
        if (stdout.includes('cluster_state:ok')) break;
        if (i === 99) throw new Error(`node ${port} never reached cluster_state:ok`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    // One seed is enough; the others are learned from it.
    url = `redis-cluster://127.0.0.1:${ports[0]}`;
    const closed = await freePort();
    bot = await startBotHarness({
      inventory: (d) => unreachableInventory(d, closed),
      env: { REDIS_URL: url },
    });
  }, 60_000);

  afterAll(async () => {
    try {
      await bot?.close();
    } finally {
      // The servers go even when closing the bot failed (e.g. a CROSSSLOT error while obliterating).
      for (const s of servers) s.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a command is queued, run by a worker and reported; the queue keys carry the hash tag', async () => {
    if (!bot) throw new Error('setup failed');
    const b = bot;
    expect(b.config.redisUrl).toMatch(/^redis-cluster:/);
    const res = await b.command('web-1', { channel: 'C0CLUS' });
    expect(res.body).toBe('');
    await b.standin.waitFor(
      () =>
        b.standin.messages.find(
          (m) => m.channel === 'C0CLUS' && JSON.stringify(m.blocks).includes('host-unreachable'),
        ),
      30_000,
      'the report',
    );
    // The job completes after its last Slack call (the evidence file follows the report).
    for (let i = 0; i < 50 && (await b.serve.queue.getCompletedCount()) === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    const ready = await fetch(`${b.url}/readyz`, b.auth);
    expect(await ready.json()).toEqual({ ok: true, checks: { redis: 'ok', slack: 'ok' } });
    const metrics = await (await fetch(`${b.url}/metrics`, b.auth)).text();
    expect(metrics).toMatch(/diagnose502_queue_jobs\{state="completed"\} 1/);
    const c = redisConnection(url, 'worker');
    try {
      const q = b.config.queueName;
      expect(bullPrefix(c, q)).toBe(`{d502:${q}}`);
      expect(await c.exists(`{d502:${q}}:${q}:meta`)).toBe(1);
      expect(await c.exists(`bull:${q}:meta`)).toBe(0);
    } finally {
      c.disconnect();
    }
  });

  it('the producer deduplicates, by target and window and by an alert key with a TTL', async () => {
    const producer = redisConnection(url, 'producer');
    const queue = createDiagnoseQueue(`d502-cluster-dedup-${Date.now()}`, producer);
    try {
      const data = { target: 'web-2', sinceS: 900, requestedBy: { userId: 'U1' }, channelId: 'C0CLUS' };
      const first = await enqueueDiagnosis(queue, data, 10_000);
      const second = await enqueueDiagnosis(queue, { ...data, requestedBy: { userId: 'U2' } }, 10_000);
      expect(first.joined).toBe(false);
      expect(second).toMatchObject({ joined: true, jobId: first.jobId });
      const alert = { id: 'alert:web-2', ttlMs: 60_000 };
      const a1 = await enqueueDiagnosis(queue, { ...data, sinceS: 600 }, 10_000, alert);
      const a2 = await enqueueDiagnosis(queue, { ...data, sinceS: 600 }, 10_000, alert);
      expect(a1.joined).toBe(false);
      expect(a2).toMatchObject({ joined: true, jobId: a1.jobId });
      expect(await queue.getWaitingCount()).toBe(2);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      producer.disconnect();
    }
  });

  it("the restart lock's Lua release runs on the cluster (single-key)", async () => {
    const c = redisConnection(url, 'producer');
    try {
      await new Promise((resolve) => c.once('ready', resolve));
      const key = `d502:cluster-test:restart-lock:web-1:app`;
      expect(await acquireLock(c, key, 'owner-a', 10_000)).toBe(true);
      expect(await acquireLock(c, key, 'owner-b', 10_000)).toBe(false);
      expect(await releaseLock(c, key, 'owner-b')).toBe(false);
      expect(await releaseLock(c, key, 'owner-a')).toBe(true);
      expect(await c.exists(key)).toBe(0);
    } finally {
      c.disconnect();
    }
  });
});
