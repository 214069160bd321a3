/**
 * The bot end to end on the lab (issue 10):
 *   1. command to final report on one broken host (app-down on web-1), against the diagnosis alone
 *      (diagnoseTarget, what the CLI spends), alternating, RUNS times each; medians;
 *   2. one `diagnose502 worker` process holding every host of the lab at once (one job per host,
 *      WORKER_CONCURRENCY = hosts): its peak resident memory (VmHWM).
 * Serve runs in this process, the worker of part 2 as a child; Slack is the local stand-in.
 *
 *   flock /tmp/d502-lab.lock npx tsx bench/bot-e2e.bench.ts   (BENCH_LAB_ID=58 BENCH_HOSTS=50 BENCH_RUNS=5)
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { startLab } from '../lab/fleet.js';
import { runScenario } from '../lab/scenarios.js';
import { loadInventory } from '../src/inventory/load-inventory.js';
import { resolveTarget } from '../src/inventory/resolve-target.js';
import { diagnoseTarget } from '../src/pipeline/diagnose-target.js';
import { sshConnector } from '../src/pipeline/ssh-connector.js';
import { enqueueDiagnosis } from '../src/queue/producer.js';
import { startBotHarness } from '../test/bot/bot-harness.js';
import type { Message } from '../test/slack-standin/server.js';

const LAB_ID = Number(process.env.BENCH_LAB_ID ?? 58);
const HOSTS = Number(process.env.BENCH_HOSTS ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WINDOW = '1m';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const isReport = (m: Message) => (m.blocks[0] as { type?: string } | undefined)?.type === 'header';

const t0 = performance.now();
const lab = await startLab({ id: LAB_ID, hosts: HOSTS, replace: true });
console.error(`lab ${LAB_ID} with ${HOSTS} hosts up in ${Math.round(performance.now() - t0)} ms`);
try {
  await runScenario(lab, 'web-1', 'app-down');
  const inventory = await loadInventory({ flagPath: lab.inventoryPath, cwd: process.cwd() });
  const web1 = resolveTarget(inventory, 'web-1');

  // Part 1: the bot with an in-process worker.
  const bot = await startBotHarness({
    inventory: async () => lab.inventoryPath,
    worker: { progressIntervalMs: 1000 },
  });
  const direct: number[] = [];
  const viaBot: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const a = performance.now();
      const report = await diagnoseTarget('web-1', web1, sshConnector(web1), { sinceS: 60 });
      direct.push(performance.now() - a);
      if (report.hosts[0]?.findings[0]?.cause !== 'upstream-down') throw new Error('web-1 is not app-down');

      const channel = `C0RUN${i}`;
      const b = performance.now();
      await bot.command(`web-1 ${WINDOW}`, { channel });
      await bot.standin.waitFor(
        () => bot.standin.messages.find((m) => m.channel === channel && isReport(m)),
        60_000,
        'the report',
      );
      viaBot.push(performance.now() - b);
      // Let the job complete so the next command is not joined to it.
      while ((await bot.serve.queue.getActiveCount()) > 0) await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await bot.close();
  }

  // Part 2: one worker process, every host at once.
  const many = await startBotHarness({ inventory: async () => lab.inventoryPath, worker: false });
  let peak = { vmHwmKb: 0, seconds: 0 };
  try {
    // BENCH_BUILT=1 runs the compiled worker (npm run build first), as deployed: no TypeScript loader in memory.
    const entry =
      process.env.BENCH_BUILT === '1' ? ['dist/src/cli/main.js'] : ['--import', 'tsx', 'src/cli/main.ts'];
    const child = spawn(process.execPath, [...entry, 'worker'], {
      env: { ...process.env, ...many.env, WORKER_CONCURRENCY: String(HOSTS), PORT: '0', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const names = [...inventory.hosts.keys()];
    const start = performance.now();
    for (const [i, target] of names.entries()) {
      await enqueueDiagnosis(many.serve.queue, {
        target,
        sinceS: 60,
        requestedBy: { userId: 'U0BENCH' },
        channelId: `C0H${i}`,
      });
    }
    await many.standin.waitFor(
      () => many.standin.messages.filter(isReport).length >= names.length,
      180_000,
      'every report',
    );
    const seconds = (performance.now() - start) / 1000;
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
    peak = { vmHwmKb: hwm, seconds };
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  } finally {
    await many.close();
  }

  console.log(
    JSON.stringify(
      {
        runs: RUNS,
        diagnosisMs: { median: Math.round(median(direct)), all: direct.map(Math.round) },
        commandToReportMs: { median: Math.round(median(viaBot)), all: viaBot.map(Math.round) },
        overheadMs: Math.round(median(viaBot) - median(direct)),
        oneWorkerAllHosts: {
          built: process.env.BENCH_BUILT === '1',
          hosts: HOSTS,
          peakRssMb: Math.round(peak.vmHwmKb / 1024),
          seconds: +peak.seconds.toFixed(1),
        },
      },
      null,
      2,
    ),
  );
} finally {
  await lab.stop();
}
