/**
 * `diagnose502 serve | worker | start`, loaded lazily by the CLI's main so that the bot's
 * dependencies (Bolt, BullMQ, prom-client) never load for a plain diagnosis. Reads the environment,
 * validates it, starts the role and shuts it down gracefully on SIGTERM/SIGINT.
 */
import type { Logger } from 'pino';
import { BotConfigError, type BotRole, loadBotConfig } from '../config/load-bot-config.js';
import { withDeadline } from '../queue/deadline.js';
import { createLogger } from './logger.js';
import type { Running } from './readiness.js';
import { ShutdownError } from './shutdown.js';

export interface BotIo {
  env: NodeJS.ProcessEnv;
  stderr: NodeJS.WritableStream;
  /** Aborted on SIGTERM/SIGINT by main. */
  signal: AbortSignal;
}

async function startRole(
  role: BotRole,
  config: ReturnType<typeof loadBotConfig>,
  logger: Logger,
): Promise<Running> {
  if (role === 'serve') return (await import('./serve.js')).startServe(config, logger);
  if (role === 'worker') return (await import('./worker.js')).startWorker(config, logger);
  return (await import('./start.js')).startBoth(config, logger);
}

/** Runs until `io.signal` aborts; returns the exit code. */
export async function runBot(role: BotRole, io: BotIo): Promise<number> {
  let config: ReturnType<typeof loadBotConfig>;
  try {
    config = loadBotConfig(io.env, role);
  } catch (err) {
    if (err instanceof BotConfigError) {
      io.stderr.write(`diagnose502 ${role}: ${err.message}\nSee the README, section "The Slack bot".\n`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger(config.logLevel, role);
  let running: Running;
  try {
    running = await startRole(role, config, logger);
  } catch (err) {
    logger.fatal({ err: err instanceof Error ? err.message : String(err) }, 'could not start');
    return 2;
  }
  if (!io.signal.aborted)
    await new Promise((resolve) => io.signal.addEventListener('abort', resolve, { once: true }));
  logger.info({ reason: String(io.signal.reason) }, 'shutting down');
  // Running diagnoses get their job timeout to finish; a Redis that is gone must not keep the process.
  try {
    await withDeadline(running.close(), config.jobTimeoutMs + 15_000, 'shutdown');
  } catch (err) {
    logger.error(
      {
        err: err instanceof Error ? err.message : String(err),
        ...(err instanceof ShutdownError ? { failedSteps: err.failedSteps } : {}),
      },
      'shutdown did not complete; exiting',
    );
    return 1;
  }
  return 0;
}
