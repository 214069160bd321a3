/**
 * The queue's processor on a real BullMQ worker and Redis, reporting to a recording publisher (the
 * seam the composition root fills with Slack): a failed post is retried, not lost, and the retry
 * reuses the message; a diagnosis past the job timeout is reported as not made, without retries.
 * Hosts are real SSH targets on loopback: one refuses, one accepts TCP and never speaks.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/bot/logger.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { resolveTarget } from '../../src/inventory/resolve-target.js';
import { sshConnector } from '../../src/pipeline/ssh-connector.js';
import { createDiagnoseQueue, type DiagnoseQueue } from '../../src/queue/create-queue.js';
import { createDiagnoseWorker } from '../../src/queue/create-worker.js';
import type { MessageRef } from '../../src/queue/job-data.js';
import { createProcessor, type JobOutcome } from '../../src/queue/processor.js';
import { enqueueDiagnosis } from '../../src/queue/producer.js';
import type { ReportPublisher } from '../../src/queue/publisher.js';
import { redisConnection } from '../../src/queue/redis.js';
import {
  REDIS_URL,
  redisAvailable,
  type SilentServer,
  silentServer,
  unreachableInventory,
} from './bot-harness.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/processor] skipped: ${skip}`);

interface Recorded {
  calls: string[];
  outcomes: JobOutcome[];
}

function recordingPublisher(rec: Recorded, failFinishTimes: number): ReportPublisher {
  let failures = failFinishTimes;
  let n = 0;
  return {
    async begin(ctx, hosts) {
      rec.calls.push(`begin:${ctx.attempt}:${hosts.join(',')}`);
      return { channel: 'C1', ts: `1.${++n}` } satisfies MessageRef;
    },
    async progress() {
      rec.calls.push('progress');
    },
    async finish(ctx, ref, report) {
      rec.calls.push(`finish:${ctx.attempt}:${ref?.ts}:${report.hosts[0]?.findings[0]?.cause}`);
      if (failures-- > 0) throw new Error('Slack answered 503');
    },
    async fail(ctx, ref, reason, willRetry) {
      rec.calls.push(`fail:${ctx.attempt}:${ref?.ts}:${willRetry}:${reason}`);
    },
  };
}

describe.skipIf(skip !== undefined)('diagnosis processor on a real BullMQ worker', () => {
  let dir: string;
  let inventoryPath: string;
  let silent: SilentServer;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'd502-proc-'));
    silent = await silentServer();
    inventoryPath = await unreachableInventory(dir, silent.port);
    // web-2 (127.0.0.2) refuses at once; web-1 (the silent server) hangs until the connect timeout.
    await writeFile(
      inventoryPath,
      (await readFile(inventoryPath, 'utf8')).replace('connectTimeoutMs: 2000', 'connectTimeoutMs: 10000'),
    );
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  afterAll(async () => {
    silent?.close();
    await rm(dir, { recursive: true, force: true });
  });

  function start(
    rec: Recorded,
    failFinishTimes: number,
    jobTimeoutMs: number,
  ): { queue: DiagnoseQueue; worker: Worker } {
    const name = `d502-proc-${randomBytes(6).toString('hex')}`;
    const conn = redisConnection(REDIS_URL, 'worker');
    const queue = createDiagnoseQueue(name, conn);
    const processor = createProcessor({
      publisher: recordingPublisher(rec, failFinishTimes),
      resolve: async (target) => {
        const hosts = resolveTarget(await loadInventory({ flagPath: inventoryPath, cwd: dir }), target);
        return { hosts, connect: sshConnector(hosts) };
      },
      jobTimeoutMs,
      progressIntervalMs: 100,
      logger: createLogger('silent', 'test'),
      onOutcome: (o) => rec.outcomes.push(o),
    });
    const worker = createDiagnoseWorker(name, processor, conn, { concurrency: 1 });
    cleanups.push(async () => {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      conn.disconnect();
    });
    return { queue, worker };
  }

  it('a failed post is retried with backoff and updates the message it already posted', async () => {
    const rec: Recorded = { calls: [], outcomes: [] };
    const { queue } = start(rec, 1, 30_000);
    const { jobId } = await enqueueDiagnosis(queue, {
      target: 'web-2',
      sinceS: 900,
      requestedBy: { userId: 'U1' },
      channelId: 'C1',
    });
    const job = await queue.getJob(jobId);
    for (let i = 0; i < 100 && !(await job?.isCompleted()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await queue.getJobState(jobId)).toBe('completed');
    const finishes = rec.calls.filter(
      (c) => c.startsWith('finish') || c.startsWith('begin') || c.startsWith('fail'),
    );
    expect(finishes).toEqual([
      'begin:1:web-2',
      'finish:1:1.1:host-unreachable',
      'fail:1:1.1:true:Slack answered 503',
      'finish:2:1.1:host-unreachable',
    ]);
    expect(rec.outcomes).toEqual(['retrying', 'completed']);
  });

  it('a diagnosis past the job timeout says so, without an all-clear and without a retry', async () => {
    const rec: Recorded = { calls: [], outcomes: [] };
    const { queue } = start(rec, 0, 1500);
    const { jobId } = await enqueueDiagnosis(queue, {
      target: 'web-1',
      sinceS: 900,
      requestedBy: { userId: 'U1' },
      channelId: 'C1',
    });
    for (let i = 0; i < 100 && (await queue.getJobState(jobId)) !== 'failed'; i++)
      await new Promise((r) => setTimeout(r, 100));
    const job = await queue.getJob(jobId);
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
    expect(rec.calls.filter((c) => !c.startsWith('progress'))).toEqual([
      'begin:1:web-1',
      'fail:1:1.1:false:the diagnosis did not finish within 2 s, so nothing is concluded',
    ]);
    expect(rec.outcomes).toEqual(['timeout']);
  });
});
