/**
 * Watch in bot tests: find a report's Watch button and the watch's message in the stand-in, click
 * (signed block_actions, as Slack sends them), read the answer, and clean the watch's Redis keys and queue.
 */

import { redisConnection } from '../../src/queue/redis.js';
import { watchKeys } from '../../src/watch/watch-keys.js';
import { createWatchQueue } from '../../src/watch/watch-queue.js';
import type { Message } from '../slack-standin/server.js';
import type { BotHarness } from './bot-harness.js';
import { buttonClick, postSigned } from './slack-signing.js';

interface ButtonBlock {
  type: string;
  elements?: Array<{ action_id?: string; value?: string }>;
}

export function buttonOf(m: Message | undefined, actionId: string): string | undefined {
  for (const b of (m?.blocks ?? []) as ButtonBlock[]) {
    const e = b.elements?.find((x) => x.action_id === actionId);
    if (e) return e.value;
  }
  return undefined;
}

/** The final report of `host` in `channel` (the message that carries a Watch button). */
export function reportOf(bot: BotHarness, channel: string): Message | undefined {
  return bot.standin.messages.find((m) => m.channel === channel && !m.threadTs && buttonOf(m, 'd502_watch'));
}

/** The watch messages in a report's thread (there must only ever be one per watch). */
export function watchMessages(bot: BotHarness, report: Message): Message[] {
  // Its first version is always the running watch's line.
  return bot.standin.messages.filter(
    (m) => m.threadTs === report.ts && (m.history[0]?.text ?? '').startsWith(':eyes: *Watching '),
  );
}

/** Clicks a button of `message` as `user`; resolves with the ephemeral answer's text. */
export async function click(
  bot: BotHarness,
  message: Message,
  actionId: string,
  user: string,
  /** A button the message no longer shows (a replayed click). */
  value = buttonOf(message, actionId),
): Promise<string> {
  if (value === undefined) throw new Error(`no ${actionId} button on message ${message.ts}`);
  const responseUrl = bot.standin.responseUrl();
  const res = await postSigned(
    `${bot.url}/slack/events`,
    buttonClick({ actionId, value, channel: message.channel, messageTs: message.ts, user, responseUrl }),
    { secret: bot.secret },
  );
  if (res.status !== 200) throw new Error(`click answered ${res.status}: ${res.body}`);
  const id = responseUrl.split('/').at(-1) ?? '';
  const said = await bot.standin.waitFor(
    () => bot.standin.responses.get(id)?.[0],
    10_000,
    `answer to ${actionId}`,
  );
  return String(said.text ?? '');
}

/** The numbers on a watch line: `502/504 per 1 s: *… → 3 → 0*` → ['3', '0'] (without the `…`). */
export function readings(text: string): string[] {
  const m = /502\/504 per [^:]+: \*([^*]+)\*/.exec(text);
  return m?.[1] ? m[1].split(' → ').filter((v) => v !== '…') : [];
}

export async function cleanWatch(bot: BotHarness): Promise<void> {
  const r = redisConnection(bot.config.redisUrl, 'worker');
  const keys = watchKeys(bot.config.queueName);
  const q = createWatchQueue(keys.queue, r);
  await q.obliterate({ force: true }).catch(() => {});
  await q.close();
  const left = await r.keys(`d502:${bot.config.queueName}:*`);
  if (left.length > 0) await r.del(...left);
  r.disconnect();
}
