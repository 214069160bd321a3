/**
 * Refused restart clicks cannot push real records out of the capped audit trail (issue 15, low):
 * anyone in a channel can click a restart button, or forge clicks on ids that do not exist; each
 * refusal is audited, in a stream of its own. Through the real Bolt app with signed clicks and real
 * Redis; the real record is written as the restart job writes it (appendAudit).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, readAudit } from '../../src/actions/audit.js';
import { actionKeys } from '../../src/actions/keys.js';
import { createLogger } from '../../src/bot/logger.js';
import { redisConnection } from '../../src/queue/redis.js';
import { ACTION_RESTART } from '../../src/report/block-kit-restart.js';
import { type BotHarness, redisAvailable, startBotHarness, unreachableInventory } from './bot-harness.js';
import { buttonClick, postSigned } from './slack-signing.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/audit-refusals] skipped: ${skip}`);

describe.skipIf(skip !== undefined)('audit trail under a flood of refused clicks', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await startBotHarness({ worker: false, inventory: (dir) => unreachableInventory(dir, 9) });
  });
  afterAll(async () => {
    const r = redisConnection(bot.config.redisUrl, 'worker');
    const keys = actionKeys(bot.config.queueName);
    await r.del(keys.audit, `${keys.audit}:refused`);
    r.disconnect();
    await bot?.close();
  });

  it('300 refused clicks leave the real restart record in the capped trail, and each is still audited', async () => {
    const redis = redisConnection(bot.config.redisUrl, 'worker');
    const keys = actionKeys(bot.config.queueName);
    try {
      const real = await appendAudit(redis, keys.audit, createLogger('silent', 'test'), {
        who: 'U0ONCALL',
        action: 'restart-service',
        host: 'web-1',
        service: 'app',
        command: 'systemctl restart app',
        actionId: 'real-record',
        result: 'succeeded',
        detail: 'restarted; the health URL answers 200',
      });
      const ids = Array.from({ length: 300 }, () => randomBytes(8).toString('hex'));
      for (let i = 0; i < ids.length; i += 25) {
        await Promise.all(
          ids.slice(i, i + 25).map(async (id) => {
            const res = await postSigned(
              `${bot.url}/slack/events`,
              buttonClick({
                actionId: ACTION_RESTART,
                value: id,
                channel: 'C0INCIDENT',
                messageTs: '1700000000.000200',
                user: 'U0CLICKER',
                responseUrl: bot.standin.responseUrl(),
              }),
              { secret: bot.secret },
            );
            expect(res.status).toBe(200);
          }),
        );
      }
      // Each click was answered privately that nothing was done (after its audit entry was written).
      await bot.standin.waitFor(
        () => [...bot.standin.responses.values()].filter((r) => r.length > 0).length >= 300,
        20_000,
        '300 ephemeral refusals',
      );
      // The capped trail of real actions holds the one real record, untouched by the refusals.
      expect(await redis.xlen(keys.audit)).toBe(1);
      const [entry] = await redis.xrange(keys.audit, '-', '+');
      expect(JSON.parse(entry?.[1][1] ?? '{}')).toMatchObject({
        actionId: 'real-record',
        result: 'succeeded',
      });
      expect(real.result).toBe('succeeded');
      // …and the refusals are audited all the same, in their own stream, shown with it in time order.
      expect(await redis.xlen(`${keys.audit}:refused`)).toBe(300);
      const shown = await readAudit(redis, keys.audit, 1000);
      expect(shown).toHaveLength(301);
      expect(shown[0]).toMatchObject({ actionId: 'real-record' });
      expect(shown.slice(1).every((e) => e.result === 'refused' && e.who === 'U0CLICKER')).toBe(true);
    } finally {
      redis.disconnect();
    }
  });
});
