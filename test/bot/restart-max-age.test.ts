/**
 * Issue 15, item 6: an accepted restart has a maximum age. A click taken while no worker runs is
 * queued; a worker started after `restart.maxAge` does not run it and says so in the thread, and a
 * policy changed since the click (the user removed) is applied when the job runs. Real Redis and
 * BullMQ; SSH is replaced by a recording session here: the subject is the queue.
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
if (skip) console.warn(`[test/bot/restart-max-age] skipped: ${skip}`);

const COMMAND = 'systemctl restart app';
const inventoryFor = (users: string) =>
  parseInventory(
    [
      'ssh: { user: diag, privateKeyPath: /k, knownHostsPath: /kh }',
      'hosts:',
      `  web-1: { address: 10.0.0.1, services: [{ name: app, restart: ${COMMAND}, health: "http://127.0.0.1:8081/healthz" }] }`,
      'restart:',
      `  allow: [{ users: [${users}] }]`,
      '  maxAge: 1500ms',
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

describe.skipIf(skip !== undefined)('the maximum age of an accepted restart (real Redis, BullMQ)', () => {
  const queueName = `d502-test-${randomBytes(6).toString('hex')}`;
  const keys = actionKeys(queueName);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = createRestartQueue(keys.queue, redis);
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    const left = await redis.keys(`d502:${queueName}:*`);
    if (left.length > 0) await redis.del(...left);
    redis.disconnect();
  });

  let inventory = inventoryFor('U0ONCALL');
  const commandsRun: string[] = [];
  const connected: string[] = [];
  const shown: string[] = [];
  const session: Session = {
    async run(command) {
      if (command === COMMAND) {
        commandsRun.push(command);
        return result('');
      }
      if (command.includes('http_code')) return result('000 7'); // the app is down
      return result('0');
    },
    close() {},
  };
  const deps = {
    redis,
    keys,
    inventory: async () => inventory,
    connect: () => async (h: { name: string }) => {
      connected.push(h.name);
      return session;
    },
    reporter: {
      async show(
        _v: unknown,
        steps: ReadonlyArray<{ name: string; state: string; detail: string }>,
        outcome?: { result: string; summary: string },
      ) {
        shown.push(
          `${steps.map((s) => `${s.name}:${s.state} ${s.detail}`).join(' | ')}${outcome ? ` => ${outcome.result}: ${outcome.summary}` : ''}`,
        );
        return '1700000000.000200';
      },
    },
    logger: pino({ level: 'silent' }),
    verifyBudgetMs: 0,
  };

  /** A click as `serve` accepts it: the record claimed, the job queued with the record id. */
  async function click(userId = 'U0ONCALL'): Promise<string> {
    const record: ActionRecord = {
      id: newActionId(),
      kind: 'restart-service',
      host: 'web-1',
      address: '10.0.0.1',
      service: 'app',
      command: COMMAND,
      diagnosis: { jobId: '1', cause: 'upstream-down', title: 't' },
      createdAt: Date.now(),
      expiresAt: Date.now() + 15 * 60_000,
      dryRun: false,
    };
    await saveActionRecord(redis, keys, record);
    await queue.add(
      'restart',
      { actionId: record.id, userId, channel: 'C1', threadTs: '1.2' },
      { jobId: record.id },
    );
    return record.id;
  }

  async function outcome(id: string) {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (await queue.getJobState(id)) !== 'completed')
      await new Promise((r) => setTimeout(r, 100));
    return (await queue.getJob(id))?.returnvalue as { result: string; summary: string } | undefined;
  }

  it('a click taken while no worker runs is not run by a worker started after restart.maxAge', async () => {
    const id = await click();
    await new Promise((r) => setTimeout(r, 2_000)); // no worker: the click waits past maxAge (1.5 s)
    const worker = createRestartWorker(keys.queue, createRestartProcessor(deps), redis.duplicate());
    try {
      const done = await outcome(id);
      expect(done?.result).toBe('refused');
      expect(done?.summary).toMatch(
        /nothing was done: the click of .* waited \d+ s for a worker, longer than restart.maxAge \(2 s\)/,
      );
      expect(commandsRun).toEqual([]);
      expect(connected).toEqual([]);
      expect(shown.at(-1)).toMatch(/^lock:refused the click of .* => refused: nothing was done/);
      const audit = await readAudit(redis, keys.audit, 10);
      expect(audit.map((e) => [e.result, e.actionId])).toEqual([['refused', id]]);

      // A click the running worker takes at once is run (the limit is not a refusal of everything).
      const fresh = await click();
      expect((await outcome(fresh))?.result).toBe('failed'); // run; the stub app stays down
      expect(commandsRun).toEqual([COMMAND]);
    } finally {
      await worker.close();
    }
  });

  it('a user removed from the policy between the click and the job is refused when the job runs', async () => {
    const id = await click('U0ONCALL');
    inventory = inventoryFor('U0OTHER');
    const worker = createRestartWorker(keys.queue, createRestartProcessor(deps), redis.duplicate());
    try {
      const done = await outcome(id);
      expect(done?.result).toBe('refused');
      expect(done?.summary).toMatch(/may no longer restart app on web-1: you are not in restart.allow/);
      expect(commandsRun).toEqual([COMMAND]); // still only the one from the test before
    } finally {
      await worker.close();
      inventory = inventoryFor('U0ONCALL');
    }
  });
});
