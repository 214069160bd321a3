/**
 * Step 5 of the restart protocol against real Redis and real BullMQ workers: a worker that dies
 * while the restart command runs (it stops renewing its job lock, as a killed process does) hands
 * the job back as stalled; the next worker finds the recorded step `running` and does not run the
 * command a second time. SSH is replaced by a recording session here: the subject is the queue.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { type ActionRecord, newActionId, saveActionRecord } from '../../src/actions/action-record.js';
import { readAudit } from '../../src/actions/audit.js';
import { actionKeys } from '../../src/actions/keys.js';
import { createRestartProcessor } from '../../src/actions/restart-job.js';
import { createRestartQueue, createRestartWorker } from '../../src/actions/restart-queue.js';
import { parseInventory } from '../../src/inventory/load-inventory.js';
import type { Session } from '../../src/pipeline/diagnose-host.js';
import type { CommandResult } from '../../src/probes/types.js';
import { REDIS_URL, redisAvailable } from './bot-harness.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/restart-crash] skipped: ${skip}`);

const COMMAND = 'systemctl restart app';
const inventory = parseInventory(
  [
    'ssh: { user: diag, privateKeyPath: /k, knownHostsPath: /kh }',
    'hosts:',
    `  web-1: { address: 10.0.0.1, services: [{ name: app, restart: ${COMMAND}, health: "http://127.0.0.1:8081/healthz" }] }`,
    'restart:',
    '  allow: [{ users: [U0ONCALL] }]',
    '',
  ].join('\n'),
  '/inv/inventory.yml',
);

const result = (stdout: string, code = 0): CommandResult => ({
  stdout,
  stderr: '',
  code,
  timedOut: false,
  truncated: false,
  durationMs: 1,
});

describe.skipIf(skip !== undefined)(
  'a worker crash while the restart command runs (real Redis, BullMQ)',
  () => {
    const queueName = `d502-test-${randomBytes(6).toString('hex')}`;
    const keys = actionKeys(queueName);
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    afterAll(async () => {
      const q = createRestartQueue(keys.queue, redis);
      await q.obliterate({ force: true });
      await q.close();
      const left = await redis.keys(`d502:${queueName}:*`);
      if (left.length > 0) await redis.del(...left);
      redis.disconnect();
    });

    it('the command runs once; the job taken over after the crash reports an unknown outcome', async () => {
      const commandsRun: string[] = [];
      let commandStarted: () => void = () => {};
      const started = new Promise<void>((r) => {
        commandStarted = r;
      });
      const session: Session = {
        async run(command) {
          if (command === COMMAND) {
            commandsRun.push(command);
            commandStarted();
            return new Promise<CommandResult>(() => {}); // the worker "dies" during the restart
          }
          if (command.includes('http_code')) return result('000 7'); // the app is still down
          return result('0');
        },
        close() {},
      };
      const shown: string[] = [];
      const deps = {
        redis,
        keys,
        inventory: async () => inventory,
        connect: () => async () => session,
        reporter: {
          async show(
            _v: unknown,
            steps: ReadonlyArray<{ name: string; state: string }>,
            outcome?: { result: string },
          ) {
            shown.push(
              `${steps.map((s) => `${s.name}:${s.state}`).join(',')}${outcome ? ` => ${outcome.result}` : ''}`,
            );
            return '1700000000.000200';
          },
        },
        logger: pino({ level: 'silent' }),
      };
      const record: ActionRecord = {
        id: newActionId(),
        kind: 'restart-service',
        host: 'web-1',
        address: '10.0.0.1',
        service: 'app',
        command: COMMAND,
        diagnosis: { jobId: '1', cause: 'upstream-down', title: 't' },
        createdAt: Date.now(),
        expiresAt: Date.now() + 60_000,
        dryRun: false,
      };
      await saveActionRecord(redis, keys, record);
      const queue = createRestartQueue(keys.queue, redis);
      const timing = { stalledIntervalMs: 500, lockDurationMs: 1000 };
      const first = createRestartWorker(keys.queue, createRestartProcessor(deps), redis.duplicate(), timing);
      await queue.add(
        'restart',
        { actionId: record.id, userId: 'U0ONCALL', channel: 'C1', threadTs: '1.2' },
        { jobId: record.id },
      );
      await started;
      // A crash: this worker stops renewing its lock and never finishes the job.
      await first.close(true);
      const second = createRestartWorker(keys.queue, createRestartProcessor(deps), redis.duplicate(), timing);
      try {
        const deadline = Date.now() + 20_000;
        let state = '';
        while (Date.now() < deadline && state !== 'completed') {
          state = await queue.getJobState(record.id);
          await new Promise((r) => setTimeout(r, 200));
        }
        expect(state).toBe('completed');
        const job = await queue.getJob(record.id);
        expect(job?.returnvalue).toEqual({
          result: 'unknown',
          summary: 'the outcome is unknown: check app on web-1 by hand',
        });
        expect(commandsRun).toEqual([COMMAND]);
        expect(shown.at(-1)).toBe('run:failed => unknown');
        const audit = await readAudit(redis, keys.audit, 10);
        expect(audit.map((e) => e.result)).toEqual(['unknown']);
        expect(audit[0]?.detail).toMatch(
          /a worker stopped while this restart ran; it is not run a second time|outcome is unknown/,
        );
      } finally {
        await second.close();
        await queue.close();
      }
    }, 30_000);
  },
);
