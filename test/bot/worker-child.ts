/**
 * A worker process for the crash test: the real worker composition root with BullMQ's stalled-job
 * check shortened (STALLED_MS), so a job whose worker was SIGKILLed is recovered within seconds.
 */
import { createLogger } from '../../src/bot/logger.js';
import { startWorker } from '../../src/bot/worker.js';
import { loadBotConfig } from '../../src/config/load-bot-config.js';

const config = loadBotConfig(process.env, 'worker');
const ms = Number(process.env.STALLED_MS ?? 1000);
const running = await startWorker(
  config,
  createLogger(process.env.BOT_TEST_LOG ?? 'silent', 'worker-child'),
  {
    stalledIntervalMs: ms,
    lockDurationMs: 2 * ms,
    progressIntervalMs: 200,
  },
);
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void running.close().then(() => process.exit(0));
});
