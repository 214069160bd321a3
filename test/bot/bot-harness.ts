/**
 * A whole bot for tests: the Slack stand-in, a real Bolt app (serve) on a random port, real BullMQ
 * workers on a random queue in the real Redis, and an inventory. Torn down (queue obliterated) after.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/bot/logger.js';
import type { BotMetrics } from '../../src/bot/metrics.js';
import { startServe } from '../../src/bot/serve.js';
import { startWorker, type WorkerRunOptions } from '../../src/bot/worker.js';
import { type BotConfig, loadBotConfig } from '../../src/config/load-bot-config.js';
import { createDeliveryQueue, deliveryKeys } from '../../src/delivery/delivery-queue.js';
import { createDiagnoseQueue } from '../../src/queue/create-queue.js';
import { redisConnection } from '../../src/queue/redis.js';
import { SlackStandin } from '../slack-standin/server.js';
import { postSigned, slashCommand } from './slack-signing.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function redisAvailable(): Promise<string | undefined> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await r.connect();
    await r.ping();
    return undefined;
  } catch (err) {
    return `Redis at ${REDIS_URL} does not answer (${err instanceof Error ? err.message : String(err)})`;
  } finally {
    r.disconnect();
  }
}

/** An inventory whose hosts refuse SSH (a closed loopback port): a real "host unreachable". */
export async function unreachableInventory(dir: string, port: number): Promise<string> {
  const key = path.join(dir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  await writeFile(path.join(dir, 'known_hosts'), '');
  const file = path.join(dir, 'inventory.yml');
  await writeFile(
    file,
    [
      'ssh: { user: diag, privateKeyPath: ./id_ed25519, knownHostsPath: ./known_hosts, connectTimeoutMs: 2000 }',
      'hosts:',
      `  web-1: { address: 127.0.0.1, ssh: { port: ${port} } }`,
      `  web-2: { address: 127.0.0.2, ssh: { port: ${port} } }`,
      'groups:',
      '  web: [web-1, web-2]',
      '',
    ].join('\n'),
  );
  return file;
}

export interface BotHarness {
  standin: SlackStandin;
  config: BotConfig;
  secret: string;
  url: string;
  serve: Awaited<ReturnType<typeof startServe>>;
  /** The in-process worker (absent when a test runs its workers as child processes). */
  worker: Awaited<ReturnType<typeof startWorker>>;
  /** The environment a child `diagnose502 worker` needs to join this bot. */
  env: Record<string, string>;
  metrics: BotMetrics;
  /** Fetch options that carry DIAGNOSE502_METRICS_TOKEN, for /readyz and /metrics. */
  auth: RequestInit;
  command(
    text: string,
    o?: { user?: string; channel?: string },
  ): Promise<{ status: number; body: string; ms: number; responseUrl: string }>;
  close(): Promise<void>;
}

export async function startBotHarness(opts: {
  inventory: (dir: string) => Promise<string>;
  /** false: no in-process worker. */
  worker?: WorkerRunOptions | false;
  env?: Record<string, string>;
}): Promise<BotHarness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'd502-bot-'));
  const token = `xoxb-test-${randomBytes(6).toString('hex')}`;
  const secret = randomBytes(16).toString('hex');
  const metricsToken = randomBytes(16).toString('hex');
  const standin = new SlackStandin(token);
  const apiUrl = await standin.start();
  const env: Record<string, string> = {
    SLACK_BOT_TOKEN: token,
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: apiUrl,
    REDIS_URL,
    DIAGNOSE502_INVENTORY: await opts.inventory(dir),
    DIAGNOSE502_QUEUE: `d502-test-${randomBytes(6).toString('hex')}`,
    PORT: '0',
    WORKER_CONCURRENCY: '4',
    DIAGNOSE502_METRICS_TOKEN: metricsToken,
    ...opts.env,
  };
  const config = loadBotConfig(env, 'start');
  const logger = createLogger(process.env.BOT_TEST_LOG ?? 'silent', 'test');
  const worker =
    opts.worker === false
      ? undefined
      : await startWorker(config, logger, { progressIntervalMs: 200, ...opts.worker });
  const serve = await startServe(config, logger);
  const url = `http://127.0.0.1:${serve.port}`;
  return {
    standin,
    config,
    secret,
    url,
    serve,
    get worker() {
      if (!worker) throw new Error('this harness runs no in-process worker');
      return worker;
    },
    env,
    metrics: serve.metrics,
    auth: { headers: { authorization: `Bearer ${env.DIAGNOSE502_METRICS_TOKEN}` } },
    async command(text, o = {}) {
      const responseUrl = standin.responseUrl();
      const res = await postSigned(`${url}/slack/events`, slashCommand(text, { ...o, responseUrl }), {
        secret,
      });
      return { ...res, responseUrl };
    },
    async close() {
      await serve.close().catch(() => {});
      await worker?.close().catch(() => {});
      // Through the bot's own kind of connection, so that a Sentinel or Cluster URL works too.
      const r = redisConnection(config.redisUrl, 'worker');
      const q = createDiagnoseQueue(config.queueName, r);
      await q.obliterate({ force: true });
      await q.close();
      const outbox = deliveryKeys(config.queueName);
      const dq = createDeliveryQueue(outbox.queue, r);
      await dq.obliterate({ force: true });
      await dq.close();
      await r.del(outbox.outage);
      r.disconnect();
      await standin.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A local port nothing listens on (bound once, then closed): an address that refuses at once. */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** A TCP server that accepts and never answers (an SSH host that hangs), and its open connections. */
export interface SilentServer {
  port: number;
  sockets: ReadonlySet<Socket>;
  /** Ends every open connection (the host's side of them). */
  dropAll(): void;
  close(): void;
}

export async function silentServer(host = '127.0.0.1'): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const srv = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => srv.listen(0, host, resolve));
  const dropAll = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    port: (srv.address() as { port: number }).port,
    sockets,
    dropAll,
    close: () => {
      dropAll();
      srv.close();
    },
  };
}
