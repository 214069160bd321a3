/**
 * `diagnose502 <host> --history`: the CLI reads the bot's history from the real Redis (read only)
 * into the terminal and JSON report; without the flag, or with a Redis that does not answer, there
 * is none (a note on stderr, the same report and exit code). The host refuses SSH (a closed port),
 * so the diagnosis really runs and ends in host-unreachable.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { historyKeys } from '../../src/history/history-keys.js';
import { recordReport } from '../../src/history/history-store.js';
import { REDIS_URL, redisAvailable, unreachableInventory } from './bot-harness.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/cli-history] skipped: ${skip}`);

function capture(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { text: () => string };
  w.text = () => chunks.join('');
  return w;
}

describe.skipIf(skip !== undefined)('the CLI with --history (real Redis)', () => {
  const queue = `d502-test-clihist-${randomBytes(5).toString('hex')}`;
  let redis: Redis;
  let dir = '';
  let inventory = '';
  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    dir = await mkdtemp(path.join(tmpdir(), 'd502-clihist-'));
    const srv = createServer();
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((resolve) => srv.close(() => resolve()));
    inventory = await unreachableInventory(dir, port);
    await recordReport(
      redis,
      queue,
      {
        id: 'job-1:web-1',
        host: 'web-1',
        target: 'web-1',
        verdict: 'cause-found',
        cause: 'upstream-down',
        confidence: 0.9,
        at: Date.now() - 3_600_000,
        channel: 'C0INCIDENT',
        ts: '1765000000.000100',
        permalink: 'https://acme.slack.com/archives/C0INCIDENT/p1765000000000100',
      },
      30,
    );
  });
  afterAll(async () => {
    const keys = await redis.keys(`d502:${queue}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  const cli = async (argv: string[], env: NodeJS.ProcessEnv) => {
    const stdout = capture();
    const stderr = capture();
    const code = await runCli(argv, { env, stdout, stderr, version: '0', cwd: dir });
    return { code, out: stdout.text(), err: stderr.text() };
  };

  it('terminal and JSON carry the line; nothing is written to the history', async () => {
    const env = { REDIS_URL, DIAGNOSE502_QUEUE: queue, DIAGNOSE502_SSH_CONFIG: 'none' };
    const term = await cli(['web-1', '--inventory', inventory, '--history'], env);
    expect(term.code).toBe(1);
    expect(term.out).toContain(
      'History 2nd time this week (host-unreachable, upstream-down); previous report',
    );
    expect(term.out).toContain('https://acme.slack.com/archives/C0INCIDENT/p1765000000000100');
    const json = await cli(['web-1', '--inventory', inventory, '--history', '--json'], env);
    const report = JSON.parse(json.out) as {
      hosts: Array<{ history?: { nth: number; previous?: { permalink?: string } } }>;
    };
    expect(report.hosts[0]?.history).toMatchObject({
      nth: 2,
      previous: { permalink: 'https://acme.slack.com/archives/C0INCIDENT/p1765000000000100' },
    });
    expect(await redis.zcard(historyKeys(queue).host('web-1'))).toBe(1);
    const plain = await cli(['web-1', '--inventory', inventory, '--json'], env);
    expect(
      (JSON.parse(plain.out) as { hosts: Array<{ history?: unknown }> }).hosts[0]?.history,
    ).toBeUndefined();
  });

  it('a Redis that does not answer: a note, the report without history, the same exit code', async () => {
    const r = await cli(['web-1', '--inventory', inventory, '--history', '--json'], {
      REDIS_URL: 'redis://:s3cret@127.0.0.1:1',
      DIAGNOSE502_QUEUE: queue,
      DIAGNOSE502_SSH_CONFIG: 'none',
    });
    expect(r.code).toBe(1);
    expect((JSON.parse(r.out) as { hosts: Array<{ history?: unknown }> }).hosts[0]?.history).toBeUndefined();
    expect(r.err).toMatch(/diagnose502: note: no history: cannot read Redis at /);
    expect(r.err).not.toContain('s3cret');
  }, 20_000);
});
