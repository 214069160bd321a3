/** Shutdown runs every step: one that throws (or rejects) is logged, the next ones still run, and the failures come back together. */
import { describe, expect, it } from 'vitest';
import { runCleanup, ShutdownError } from '../../../src/bot/shutdown.js';

function recordingLogger() {
  const lines: { step: string; err: string; msg: string }[] = [];
  return {
    lines,
    error: (obj: { step: string; err: string }, msg: string) => lines.push({ ...obj, msg }),
  } as unknown as Parameters<typeof runCleanup>[1] & { lines: typeof lines };
}

describe('runCleanup', () => {
  it('runs the steps after a throwing and a rejecting one, in order, then throws both failures', async () => {
    const ran: string[] = [];
    const logger = recordingLogger();
    const done = runCleanup(
      [
        { name: 'http listener', run: () => ran.push('http listener') },
        {
          name: 'diagnosis worker',
          run: () => {
            ran.push('diagnosis worker');
            throw new Error('The receiver cannot be stopped because it was not started.');
          },
        },
        {
          name: 'restart worker',
          run: async () => {
            await new Promise((resolve) => setTimeout(resolve, 5));
            ran.push('restart worker');
            throw new Error('Connection is closed.');
          },
        },
        { name: 'redis', run: async () => ran.push('redis') },
      ],
      logger,
    );
    const error = await done.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(ran).toEqual(['http listener', 'diagnosis worker', 'restart worker', 'redis']);
    expect(error).toBeInstanceOf(ShutdownError);
    expect((error as ShutdownError).failedSteps).toEqual(['diagnosis worker', 'restart worker']);
    expect((error as ShutdownError).message).toBe(
      'shutdown: diagnosis worker, restart worker failed (each is logged); every other step ran',
    );
    expect(logger.lines.map((l) => `${l.step}: ${l.err}`)).toEqual([
      'diagnosis worker: The receiver cannot be stopped because it was not started.',
      'restart worker: Connection is closed.',
    ]);
  });

  it('resolves when every step does, logging nothing', async () => {
    const logger = recordingLogger();
    await expect(runCleanup([{ name: 'a', run: () => undefined }], logger)).resolves.toBeUndefined();
    expect(logger.lines).toEqual([]);
  });
});
