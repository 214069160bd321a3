/**
 * `diagnose502 <target> --history`: the terminal and JSON report say whether each host was
 * diagnosed before, read from the bot's Redis (REDIS_URL, DIAGNOSE502_QUEUE, DIAGNOSE502_HISTORY_DAYS
 * as for the bot). Read only: a run of the CLI is not kept (it has no Slack message to link). Loaded
 * only with the flag, so a plain diagnosis loads no Redis client. Redis that cannot be read costs the
 * line only, said in a note on stderr.
 */
import { once } from 'node:events';
import { actionKeys } from '../actions/keys.js';
import { BotEnvSchema } from '../config/schema.js';
import { redact } from '../parse/redact.js';
import { withDeadline } from '../queue/deadline.js';
import { redisConnection } from '../queue/redis.js';
import { terminalText } from '../report/terminal-text.js';
import type { TargetReport } from '../report/types.js';
import { readHistory, withHistory } from './report-history.js';

/** What of the CLI's io this needs (not run-cli.ts's CliIo: run-cli imports this file). */
export interface HistoryIo {
  env: NodeJS.ProcessEnv;
  stderr: NodeJS.WritableStream;
}

const note = (io: HistoryIo, text: string) =>
  io.stderr.write(`${terminalText(redact(`diagnose502: note: no history: ${text}`))}\n`);

export async function withCliHistory(
  report: TargetReport,
  io: HistoryIo,
  now = Date.now(),
): Promise<TargetReport> {
  const env = BotEnvSchema.pick({
    REDIS_URL: true,
    DIAGNOSE502_QUEUE: true,
    DIAGNOSE502_HISTORY_DAYS: true,
  }).safeParse(io.env);
  if (!env.success) {
    note(io, env.error.issues.map((x) => `${String(x.path[0])} ${x.message}`).join('; '));
    return report;
  }
  const { REDIS_URL: url, DIAGNOSE502_QUEUE: queueName, DIAGNOSE502_HISTORY_DAYS: retentionDays } = env.data;
  const redis = redisConnection(url, 'producer');
  try {
    if (redis.status !== 'ready') await withDeadline(once(redis, 'ready'), 3000, 'Redis (connect)');
    const lines = await withDeadline(
      readHistory(
        { redis, queueName, retentionDays, auditStream: actionKeys(queueName).audit },
        report,
        report.hosts.map(() => ''),
        now,
      ),
      5000,
      'Redis (history)',
    );
    return withHistory(report, lines);
  } catch (err) {
    note(io, `cannot read Redis at ${url}: ${err instanceof Error ? err.message : String(err)}`);
    return report;
  } finally {
    redis.disconnect();
  }
}
