/**
 * `diagnose502 audit` against a real Redis (issue 15): an entry written from hostile host output
 * prints without its control sequences, and a Redis it cannot read is named without its password.
 */
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../../src/actions/audit.js';
import { actionKeys } from '../../src/actions/keys.js';
import { runAudit } from '../../src/actions/run-audit.js';
import { CONTROL, HOSTILE } from '../unit/report/hostile-text.js';
import { REDIS_URL, redisAvailable } from './bot-harness.js';

const REQUESTER = 'U0REQUESTER';

const skipRedis = await redisAvailable();
if (skipRedis) console.warn(`[test/bot/audit-output] skipped: ${skipRedis}`);

describe.skipIf(skipRedis !== undefined)('diagnose502 audit', () => {
  const queue = `d502-hostile-${process.pid}-${Date.now()}`;
  const redis = new Redis(REDIS_URL);
  afterAll(async () => {
    await redis.del(actionKeys(queue).audit);
    redis.disconnect();
  });

  const capture = () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        chunks.push(String(chunk));
        cb();
      },
    });
    return { stream, text: () => chunks.join('') };
  };

  it('prints entries written from hostile output without their control sequences', async () => {
    await appendAudit(redis, actionKeys(queue).audit, pino({ level: 'silent' }), {
      who: REQUESTER,
      action: 'restart-service',
      host: `web-1${HOSTILE}`,
      service: `app${HOSTILE}`,
      command: 'systemctl restart app',
      actionId: 'a1',
      result: 'failed',
      detail: HOSTILE,
      output: `${HOSTILE}\nsecond line`,
    });
    const out = capture();
    const code = await runAudit([], {
      env: { REDIS_URL, DIAGNOSE502_QUEUE: queue },
      stdout: out.stream,
      stderr: process.stderr,
      version: 'test',
    });
    expect(code).toBe(0);
    expect(out.text()).toContain('web-1');
    expect(out.text()).not.toMatch(CONTROL);
  });

  it('names the Redis it cannot read with the password masked', async () => {
    const err = capture();
    const code = await runAudit([], {
      env: { REDIS_URL: 'redis://:hunter2@127.0.0.1:1/0', DIAGNOSE502_QUEUE: queue },
      stdout: capture().stream,
      stderr: err.stream,
      version: 'test',
    });
    expect(code).toBe(1);
    expect(err.text()).toContain('redis://:[REDACTED]@127.0.0.1:1/0');
    expect(err.text()).not.toContain('hunter2');
  }, 15_000);
});
