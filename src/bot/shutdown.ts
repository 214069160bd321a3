/**
 * Shutdown as a list of steps that all run: a step that throws (an HTTP listener already stopped,
 * a Redis that is gone) is logged and the next ones still run, so one failure never leaves a worker
 * holding its jobs or a connection keeping the process alive. The failures are thrown together at
 * the end, so the caller still knows the shutdown was not clean (run-bot.ts exits 1).
 */
import type { Logger } from 'pino';

export interface CleanupStep {
  /** What the step closes, for the log and the error ("http listener", "restart worker"). */
  name: string;
  run(): unknown;
}

export class ShutdownError extends AggregateError {
  readonly failedSteps: readonly string[];
  constructor(errors: readonly unknown[], failedSteps: readonly string[]) {
    super(errors, `shutdown: ${failedSteps.join(', ')} failed (each is logged); every other step ran`);
    this.name = 'ShutdownError';
    this.failedSteps = failedSteps;
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Runs every step in order, each after the previous one settled, whatever it did. */
export async function runCleanup(
  steps: readonly CleanupStep[],
  logger: Pick<Logger, 'error'>,
): Promise<void> {
  const errors: unknown[] = [];
  const failed: string[] = [];
  for (const step of steps) {
    try {
      await step.run();
    } catch (err) {
      errors.push(err);
      failed.push(step.name);
      logger.error({ step: step.name, err: message(err) }, 'shutdown step failed; the next ones still run');
    }
  }
  if (errors.length > 0) throw new ShutdownError(errors, failed);
}
