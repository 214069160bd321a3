/**
 * The bot end to end on the lab (issue 10), built as it ships (`npm run build`, bench/built.ts):
 *   1. command to final report on one broken host (app-down on web-1) through one built
 *      `diagnose502 start` process (serve and worker), against the diagnosis alone as the built CLI
 *      reports it (`diagnose502 web-1 --json`: the host's durationMs, connect to report), alternating,
 *      RUNS times each; medians;
 *   2. one built `diagnose502 worker` process holding every host of the lab at once (one job per
 *      host, WORKER_CONCURRENCY = hosts): its peak resident memory (VmHWM). Target (issue 17): under
 *      150 MB for 50 hosts.
 * The bot's processes get the Node options the container image starts it with (the Dockerfile's
 * ENTRYPOINT, bench/built.ts imageNodeFlags), so that what is measured is what the image runs.
 * The Slack stand-in and the load (signed commands, jobs put in the queue) run in this process.
 *
 *   flock /tmp/d502-lab.lock npm run bench:bot   (BENCH_LAB_ID=58 BENCH_HOSTS=50 BENCH_RUNS=5)
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startLab } from '../lab/fleet.js';
import { runScenario } from '../lab/scenarios.js';
import { loadInventory } from '../src/inventory/load-inventory.js';
import { createDiagnoseQueue } from '../src/queue/create-queue.js';
import { enqueueDiagnosis } from '../src/queue/producer.js';
import { REDIS_URL } from '../test/bot/bot-harness.js';
import { postSigned, slashCommand } from '../test/bot/slack-signing.js';
import { type Message, SlackStandin } from '../test/slack-standin/server.js';
import { builtCli, freePort, imageNodeFlags, peakRssMb, spawnBuilt, stop, waitUntilOk } from './built.js';

const LAB_ID = Number(process.env.BENCH_LAB_ID ?? 58);
const HOSTS = Number(process.env.BENCH_HOSTS ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WINDOW = '1m';
const PEAK_TARGET_MB = 150;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const isReport = (m: Message) => (m.blocks[0] as { type?: string } | undefined)?.type === 'header';

/** The built CLI's one-host diagnosis: its own durationMs for the host, and the process's wall time. */
async function cliDiagnosis(
  inventory: string,
): Promise<{ hostMs: number; processMs: number; cause?: string }> {
  const t = performance.now();
  const child = spawnBuilt(['web-1', '--inventory', inventory, '--since', WINDOW, '--json'], {}, 'pipe');
  let out = '';
  child.stdout?.on('data', (d) => {
    out += String(d);
  });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  const processMs = performance.now() - t;
  if (code !== 1) throw new Error(`diagnose502 web-1 exited ${code}, expected 1 (cause found):\n${out}`);
  const report = JSON.parse(out) as { hosts: { durationMs: number; findings: { cause: string }[] }[] };
  return {
    hostMs: report.hosts[0]?.durationMs ?? Number.NaN,
    processMs,
    cause: report.hosts[0]?.findings[0]?.cause,
  };
}

builtCli();
/** The bot runs as the image runs it: with the Node options of the Dockerfile's ENTRYPOINT. */
const NODE_FLAGS = imageNodeFlags();
const t0 = performance.now();
const lab = await startLab({ id: LAB_ID, hosts: HOSTS, replace: true });
console.error(`lab ${LAB_ID} with ${HOSTS} hosts up in ${Math.round(performance.now() - t0)} ms`);
const token = `xoxb-bench-${randomBytes(4).toString('hex')}`;
const secret = randomBytes(16).toString('hex');
const metricsToken = randomBytes(16).toString('hex');
const standin = new SlackStandin(token);
const redis = new Redis(REDIS_URL);
const queueName = `d502-bench-${randomBytes(4).toString('hex')}`;
const queue = createDiagnoseQueue(queueName, redis);
const children: ChildProcess[] = [];
try {
  await runScenario(lab, 'web-1', 'app-down');
  const inventory = await loadInventory({ flagPath: lab.inventoryPath, cwd: process.cwd() });
  const env = {
    SLACK_BOT_TOKEN: token,
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: await standin.start(),
    REDIS_URL,
    DIAGNOSE502_INVENTORY: lab.inventoryPath,
    DIAGNOSE502_QUEUE: queueName,
    DIAGNOSE502_METRICS_TOKEN: metricsToken,
    LOG_LEVEL: 'warn',
  };

  // Part 1: one built `start` process (serve and worker), commands signed as Slack signs them.
  const port = await freePort();
  const bot = spawnBuilt(['start'], { ...env, PORT: String(port) }, 'inherit', NODE_FLAGS);
  children.push(bot);
  await waitUntilOk(`http://127.0.0.1:${port}/readyz`, bot, metricsToken);
  const direct: number[] = [];
  const directProcess: number[] = [];
  const viaBot: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const cli = await cliDiagnosis(lab.inventoryPath);
    if (cli.cause !== 'upstream-down') throw new Error(`web-1 is not app-down: ${cli.cause}`);
    direct.push(cli.hostMs);
    directProcess.push(cli.processMs);

    const channel = `C0RUN${i}`;
    const b = performance.now();
    const ack = await postSigned(
      `http://127.0.0.1:${port}/slack/events`,
      slashCommand(`web-1 ${WINDOW}`, { channel, responseUrl: standin.responseUrl() }),
      { secret },
    );
    if (ack.status !== 200) throw new Error(`the command was answered ${ack.status}: ${ack.body}`);
    await standin.waitFor(
      () => standin.messages.find((m) => m.channel === channel && isReport(m)),
      60_000,
      'the report',
    );
    viaBot.push(performance.now() - b);
    // Let the job complete so the next command is not joined to it.
    while ((await queue.getActiveCount()) > 0) await new Promise((r) => setTimeout(r, 20));
  }
  await stop(bot);

  // Part 2: one built worker process, every host at once.
  const worker = spawnBuilt(
    ['worker'],
    { ...env, PORT: '0', WORKER_CONCURRENCY: String(HOSTS) },
    'inherit',
    NODE_FLAGS,
  );
  children.push(worker);
  const names = [...inventory.hosts.keys()];
  const before = standin.messages.filter(isReport).length;
  const start = performance.now();
  for (const [i, target] of names.entries()) {
    await enqueueDiagnosis(queue, {
      target,
      sinceS: 60,
      requestedBy: { userId: 'U0BENCH' },
      channelId: `C0H${i}`,
    });
  }
  await standin.waitFor(
    () => standin.messages.filter(isReport).length - before >= names.length,
    180_000,
    'every report',
  );
  const seconds = (performance.now() - start) / 1000;
  const peakMb = await peakRssMb(worker.pid ?? 0);
  await stop(worker);

  console.log(
    JSON.stringify(
      {
        built: builtCli(),
        nodeFlags: NODE_FLAGS,
        runs: RUNS,
        diagnosisMs: { median: Math.round(median(direct)), all: direct.map(Math.round) },
        cliProcessMs: { median: Math.round(median(directProcess)), all: directProcess.map(Math.round) },
        commandToReportMs: { median: Math.round(median(viaBot)), all: viaBot.map(Math.round) },
        overheadMs: Math.round(median(viaBot) - median(direct)),
        oneWorkerAllHosts: {
          hosts: names.length,
          peakRssMb: Math.round(peakMb),
          targetMb: PEAK_TARGET_MB,
          seconds: +seconds.toFixed(1),
        },
      },
      null,
      2,
    ),
  );
  if (!(peakMb < PEAK_TARGET_MB)) {
    console.log(
      `TARGET MISSED: the worker's peak ${Math.round(peakMb)} MB is not under ${PEAK_TARGET_MB} MB`,
    );
    process.exitCode = 1;
  }
} finally {
  for (const child of children) await stop(child).catch(() => {});
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
  redis.disconnect();
  await standin.stop();
  await lab.stop();
}
