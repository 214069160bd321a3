/**
 * `diagnose502 audit [--json] [--limit N]`: the restart audit trail (who, what, where, when, result,
 * output) from the Redis stream the bot writes, oldest first. Reads REDIS_URL and DIAGNOSE502_QUEUE
 * like the bot, so it shows the trail of the bot it is pointed at.
 */
import { once } from 'node:events';
import type { CliIo } from '../cli/run-cli.js';
import { BotEnvSchema } from '../config/schema.js';
import { redact } from '../parse/redact.js';
import { withDeadline } from '../queue/deadline.js';
import { redisConnection } from '../queue/redis.js';
import { terminalText } from '../report/terminal-text.js';
import { formatAudit, readAudit } from './audit.js';
import { actionKeys } from './keys.js';

const USAGE =
  'usage: diagnose502 audit [--json] [--limit N]   (REDIS_URL, DIAGNOSE502_QUEUE as for the bot)\n';

export async function runAudit(argv: string[], io: CliIo): Promise<number> {
  let json = false;
  let limit = 50;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--limit' && /^[1-9][0-9]{0,5}$/.test(argv[i + 1] ?? '')) limit = Number(argv[++i]);
    else {
      io.stderr.write(
        a === '--help' || a === '-h' ? USAGE : `diagnose502 audit: unknown argument ${a}\n${USAGE}`,
      );
      return a === '--help' || a === '-h' ? 0 : 2;
    }
  }
  const env = BotEnvSchema.pick({ REDIS_URL: true, DIAGNOSE502_QUEUE: true }).safeParse(io.env);
  if (!env.success) {
    io.stderr.write(
      `diagnose502 audit: ${env.error.issues.map((x) => `${String(x.path[0])} ${x.message}`).join('; ')}\n`,
    );
    return 2;
  }
  const redis = redisConnection(env.data.REDIS_URL, 'producer');
  try {
    // The producer connection fails fast instead of queueing commands: wait for it to be ready.
    if (redis.status !== 'ready') await withDeadline(once(redis, 'ready'), 5000, 'Redis (connect)');
    const entries = await readAudit(redis, actionKeys(env.data.DIAGNOSE502_QUEUE).audit, limit);
    // JSON escapes control characters itself; the text form escapes them for the terminal.
    if (json) for (const e of entries) io.stdout.write(`${JSON.stringify(e)}\n`);
    else if (entries.length === 0)
      io.stdout.write('no restart has been clicked yet (the audit stream is empty)\n');
    else for (const e of entries) io.stdout.write(`${terminalText(formatAudit(e))}\n`);
    return 0;
  } catch (err) {
    // The URL's password (and anything secret in the error) is masked: this goes to a terminal or a CI log.
    io.stderr.write(
      `${terminalText(
        redact(
          `diagnose502 audit: cannot read Redis at ${env.data.REDIS_URL}: ${err instanceof Error ? err.message : String(err)}`,
        ),
      )}\n`,
    );
    return 1;
  } finally {
    redis.disconnect();
  }
}
