/**
 * The ack path under load (issue 10): signed `/diagnose502` commands at RATE per second for SECONDS
 * against one built `diagnose502 serve` process (a child process, as deployed: bench/built.ts), with the Slack stand-in
 * and the real Redis. Reports ack latency percentiles, every non-200, and the jobs in the queue
 * afterwards: duplicates must collapse to one job per host. No worker runs, so no host is contacted.
 *
 *   npm run bench:ack        (builds first; BENCH_RATE=200 BENCH_SECONDS=10 BENCH_HOSTS=20)
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createDiagnoseQueue } from '../src/queue/create-queue.js';
import { REDIS_URL, unreachableInventory } from '../test/bot/bot-harness.js';
import { sign, slashCommand } from '../test/bot/slack-signing.js';
import { SlackStandin } from '../test/slack-standin/server.js';
import { builtCli, freePort, spawnBuilt } from './built.js';
import { pacedLoad } from './paced-load.js';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const HOSTS = Number(process.env.BENCH_HOSTS ?? 2);

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

// Fails now, before anything starts, when `npm run build` has not been run.
builtCli();
const dir = await mkdtemp(path.join(tmpdir(), 'd502-bench-'));
const token = `xoxb-bench-${randomBytes(4).toString('hex')}`;
const secret = randomBytes(16).toString('hex');
const standin = new SlackStandin(token);
const apiUrl = await standin.start();
const port = await freePort();
const queueName = `d502-bench-${randomBytes(4).toString('hex')}`;
const serve = spawnBuilt(['serve'], {
  SLACK_BOT_TOKEN: token,
  SLACK_SIGNING_SECRET: secret,
  SLACK_API_URL: apiUrl,
  REDIS_URL,
  DIAGNOSE502_INVENTORY: await unreachableInventory(dir, 1),
  DIAGNOSE502_QUEUE: queueName,
  PORT: String(port),
  LOG_LEVEL: 'warn',
  // One person sends them all: lift the intake limits so that the queue path is what is measured.
  DIAGNOSE502_RATE_PER_USER: '100000',
  DIAGNOSE502_RATE_PER_CHANNEL: '100000',
});
const url = `http://127.0.0.1:${port}/slack/events`;
for (let i = 0; i < 100; i++) {
  const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
  if (ok) break;
  await new Promise((r) => setTimeout(r, 100));
}

// The unreachable inventory has web-1 and web-2; BENCH_HOSTS picks how many distinct targets are asked for.
const targets = ['web-1', 'web-2'].slice(0, Math.max(1, Math.min(2, HOSTS)));
const total = RATE * SECONDS;
const { latencies, bySecond, failures, elapsedS } = await pacedLoad(total, SECONDS, (i) => {
  const body = new URLSearchParams(
    slashCommand(targets[i % targets.length] ?? 'web-1', { responseUrl: standin.responseUrl() }),
  ).toString();
  const ts = Math.floor(Date.now() / 1000);
  return {
    url,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': sign(secret, ts, body),
    },
    body,
  };
});

const redis = new Redis(REDIS_URL);
const queue = createDiagnoseQueue(queueName, redis);
const jobs = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
const sorted = [...latencies].sort((a, b) => a - b);
console.log(
  JSON.stringify(
    {
      sent: total,
      acknowledged: latencies.length - [...failures.values()].reduce((a, b) => a + b, 0),
      failures: Object.fromEntries(failures),
      seconds: Number(elapsedS.toFixed(2)),
      rate: Math.round(total / elapsedS),
      ackMs: {
        p50: +pct(sorted, 0.5).toFixed(1),
        p99: +pct(sorted, 0.99).toFixed(1),
        max: +(sorted.at(-1) ?? NaN).toFixed(1),
      },
      p99BySecond: bySecond.map(
        (l) =>
          +pct(
            [...l].sort((a, b) => a - b),
            0.99,
          ).toFixed(1),
      ),
      distinctTargets: targets.length,
      jobsInQueue: jobs,
    },
    null,
    2,
  ),
);
serve.kill('SIGTERM');
await new Promise((r) => serve.once('exit', r));
await queue.obliterate({ force: true });
await queue.close();
redis.disconnect();
await standin.stop();
await rm(dir, { recursive: true, force: true });
