/**
 * `diagnose502 feedback export [--out DIR]`: each "wrong" vote of the bot's feedback stream
 * (src/feedback/) written as a lab-scenario skeleton (`NAME.scenario.json`: host, the cause the
 * person says it was, the verdict given, the evidence, their notes) plus the captured evidence
 * (`NAME.evidence.txt`), and a line per file written. Reads REDIS_URL and DIAGNOSE502_QUEUE like
 * the bot. Everything in the files was redacted and bounded when stored; file names are built from
 * [a-z0-9-] only; what is printed is escaped for the terminal.
 */
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BotEnvSchema } from '../config/schema.js';
import { readFeedback } from '../feedback/feedback-store.js';
import { evidenceText, scenarioSkeleton } from '../feedback/scenario-skeleton.js';
import { redact } from '../parse/redact.js';
import { withDeadline } from '../queue/deadline.js';
import { redisConnection } from '../queue/redis.js';
import { terminalText } from '../report/terminal-text.js';
import type { CliIo } from './run-cli.js';

const USAGE =
  'usage: diagnose502 feedback export [--out DIR]   (default DIR ./feedback-scenarios; REDIS_URL, DIAGNOSE502_QUEUE as for the bot)\n';

export async function runFeedback(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') {
    io.stdout.write(USAGE);
    return 0;
  }
  if (sub !== 'export') {
    io.stderr.write(
      `diagnose502 feedback: ${sub ? `unknown command ${terminalText(sub)}` : 'which command?'}\n${USAGE}`,
    );
    return 2;
  }
  let out = 'feedback-scenarios';
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] ?? '';
    if (a === '--out' && rest[i + 1] !== undefined && rest[i + 1] !== '') out = rest[++i] as string;
    else if (a === '--help' || a === '-h') {
      io.stdout.write(USAGE);
      return 0;
    } else {
      io.stderr.write(`diagnose502 feedback export: unknown argument ${terminalText(a)}\n${USAGE}`);
      return 2;
    }
  }
  const env = BotEnvSchema.pick({ REDIS_URL: true, DIAGNOSE502_QUEUE: true }).safeParse(io.env);
  if (!env.success) {
    io.stderr.write(
      `diagnose502 feedback export: ${env.error.issues.map((x) => `${String(x.path[0])} ${x.message}`).join('; ')}\n`,
    );
    return 2;
  }
  const dir = path.resolve(io.cwd ?? process.cwd(), out);
  const redis = redisConnection(env.data.REDIS_URL, 'producer');
  let entries: Awaited<ReturnType<typeof readFeedback>>;
  try {
    if (redis.status !== 'ready') await withDeadline(once(redis, 'ready'), 5000, 'Redis (connect)');
    entries = (await readFeedback(redis, env.data.DIAGNOSE502_QUEUE, { kinds: 'wrong' })).filter(
      (e) => e.kind === 'wrong',
    );
  } catch (err) {
    io.stderr.write(
      `${terminalText(redact(`diagnose502 feedback export: cannot read Redis at ${env.data.REDIS_URL}: ${err instanceof Error ? err.message : String(err)}`))}\n`,
    );
    return 1;
  } finally {
    redis.disconnect();
  }
  if (entries.length === 0) {
    io.stdout.write(
      'no verdict was marked wrong yet (the feedback stream has no "wrong" entry); nothing written\n',
    );
    return 0;
  }
  await mkdir(dir, { recursive: true });
  for (const entry of entries) {
    const s = scenarioSkeleton(entry);
    const json = path.join(dir, `${s.name}.scenario.json`);
    const evidence = path.join(dir, s.evidenceFile);
    await writeFile(json, `${JSON.stringify(s, null, 2)}\n`);
    await writeFile(evidence, evidenceText(s));
    io.stdout.write(
      `${terminalText(
        `wrote ${json} and ${s.evidenceFile}: ${s.host} was said to be ${s.givenCause}, ${s.reportedBy} says ${s.expectedCause ?? '(see notes)'}`,
      )}\n`,
    );
  }
  io.stdout.write(
    `${entries.length} scenario skeleton${entries.length === 1 ? '' : 's'} in ${terminalText(dir)}\n`,
  );
  return 0;
}
