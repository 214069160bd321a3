/**
 * An alert storm (issue 11): NOTIFICATIONS Alertmanager webhook notifications (payload version 4,
 * bearer token) over HOSTS hosts in GROUPS alert groups, spread evenly over SECONDS, against one
 * built `diagnose502 serve` process (as deployed: bench/built.ts) with the Slack stand-in and the real
 * Redis. Every notification carries its whole group, as Alertmanager re-sends it. Reports webhook
 * answer latency percentiles, every non-200, and what was queued: at most one diagnosis job per host
 * per dedup window, and nothing lost (every host queued, every group's message listing its hosts).
 *
 * No worker runs: a worker is not needed to measure intake, and the hosts of this inventory are not
 * real (nothing is contacted). Run under the lab lock, as every benchmark:
 *   flock /tmp/d502-lab.lock npm run bench:storm   (builds first)
 *   (BENCH_NOTIFICATIONS=10000 BENCH_SECONDS=60 BENCH_HOSTS=100 BENCH_GROUPS=20)
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createDiagnoseQueue } from '../src/queue/create-queue.js';
import { REDIS_URL } from '../test/bot/bot-harness.js';
import { SlackStandin } from '../test/slack-standin/server.js';
import { builtCli, freePort, spawnBuilt } from './built.js';
import { pacedLoad } from './paced-load.js';

const NOTIFICATIONS = Number(process.env.BENCH_NOTIFICATIONS ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const HOSTS = Number(process.env.BENCH_HOSTS ?? 100);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 20);
const CHANNEL = 'C0STORM';

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;

// Fails now, before anything starts, when `npm run build` has not been run.
builtCli();
const dir = await mkdtemp(path.join(tmpdir(), 'd502-storm-'));
const hosts = Array.from({ length: HOSTS }, (_, i) => `web-${i + 1}`);
const inventory = path.join(dir, 'inventory.yml');
await writeFile(path.join(dir, 'id_ed25519'), '');
await writeFile(path.join(dir, 'known_hosts'), '');
await writeFile(
  inventory,
  [
    'ssh: { user: diag, privateKeyPath: ./id_ed25519, knownHostsPath: ./known_hosts }',
    'hosts:',
    ...hosts.map((h, i) => `  ${h}: { address: 10.250.${Math.floor(i / 250)}.${(i % 250) + 1} }`),
    'groups:',
    `  web: [${hosts.join(', ')}]`,
    '',
  ].join('\n'),
);

const token = `xoxb-bench-${randomBytes(4).toString('hex')}`;
const webhookToken = randomBytes(24).toString('hex');
const standin = new SlackStandin(token);
const apiUrl = await standin.start();
const port = await freePort();
const queueName = `d502-storm-${randomBytes(4).toString('hex')}`;
const serve = spawnBuilt(['serve'], {
  SLACK_BOT_TOKEN: token,
  SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
  SLACK_API_URL: apiUrl,
  REDIS_URL,
  DIAGNOSE502_INVENTORY: inventory,
  DIAGNOSE502_QUEUE: queueName,
  PORT: String(port),
  LOG_LEVEL: 'warn',
  ALERT_CHANNEL: CHANNEL,
  ALERT_WEBHOOK_TOKEN: webhookToken,
  DIAGNOSE502_METRICS_TOKEN: webhookToken,
});
// /readyz, not /healthz: the producer's Redis connection must be up, or the first answers are 503.
for (let i = 0; i < 100; i++) {
  const ok = await fetch(`http://127.0.0.1:${port}/readyz`, {
    headers: { authorization: `Bearer ${webhookToken}` },
  }).then(
    (r) => r.ok,
    () => false,
  );
  if (ok) break;
  await new Promise((r) => setTimeout(r, 100));
}

// Host i belongs to group i % GROUPS; each notification carries its group's every alert.
const startsAt = new Date().toISOString();
const bodies = Array.from({ length: GROUPS }, (_, g) =>
  JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="NginxHigh502", shard="${g}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'diagnose502',
    groupLabels: { alertname: 'NginxHigh502', shard: String(g) },
    commonLabels: { alertname: 'NginxHigh502', shard: String(g) },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.bench',
    alerts: hosts
      .filter((_, i) => i % GROUPS === g)
      .map((h) => ({
        status: 'firing',
        labels: { alertname: 'NginxHigh502', shard: String(g), instance: `${h}:9113`, severity: 'critical' },
        annotations: { summary: '502s above 5%' },
        startsAt,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.bench/graph',
        fingerprint: randomBytes(8).toString('hex'),
      })),
  }),
);

const url = `http://127.0.0.1:${port}/alerts/alertmanager`;
const { latencies, bySecond, failures, elapsedS } = await pacedLoad(NOTIFICATIONS, SECONDS, (i) => ({
  url,
  headers: { 'content-type': 'application/json', authorization: `Bearer ${webhookToken}` },
  body: bodies[i % GROUPS] ?? '',
}));

const redis = new Redis(REDIS_URL);
const queue = createDiagnoseQueue(queueName, redis);
const jobs = await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
const perHost = new Map<string, number>();
for (const j of jobs) perHost.set(j.data.target, (perHost.get(j.data.target) ?? 0) + 1);
const heads = standin.messages.filter((m) => m.channel === CHANNEL && !m.threadTs);
const sorted = [...latencies].sort((a, b) => a - b);
console.log(
  JSON.stringify(
    {
      notifications: NOTIFICATIONS,
      answered200: latencies.length - [...failures.values()].reduce((a, b) => a + b, 0),
      failures: Object.fromEntries(failures),
      seconds: Number(elapsedS.toFixed(2)),
      rate: Math.round(NOTIFICATIONS / elapsedS),
      answerMs: {
        p50: +pct(sorted, 0.5).toFixed(1),
        p99: +pct(sorted, 0.99).toFixed(1),
        max: +(sorted.at(-1) ?? Number.NaN).toFixed(1),
      },
      p99BySecond: bySecond.map(
        (l) =>
          +pct(
            [...l].sort((a, b) => a - b),
            0.99,
          ).toFixed(1),
      ),
      hosts: HOSTS,
      groups: GROUPS,
      jobsQueued: jobs.length,
      hostsQueued: perHost.size,
      maxJobsPerHost: Math.max(0, ...perHost.values()),
      groupMessages: heads.length,
      groupMessagesListingAllTheirHosts: heads.filter((m) =>
        m.text.includes(`${HOSTS / GROUPS} diagnoses queued`),
      ).length,
      slackCalls: {
        postMessage: standin.callsOf('chat.postMessage').length,
        update: standin.callsOf('chat.update').length,
      },
    },
    null,
    2,
  ),
);
serve.kill('SIGTERM');
await new Promise((r) => serve.once('exit', r));
await queue.obliterate({ force: true });
const keys = await redis.keys(`${queueName}:alerts:*`);
if (keys.length > 0) await redis.del(...keys);
await queue.close();
redis.disconnect();
await standin.stop();
await rm(dir, { recursive: true, force: true });
