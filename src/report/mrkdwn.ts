/**
 * The Slack sink's one escape: text that reaches mrkdwn (a section, a context, a confirm dialog, a
 * message's `text` fallback) is an `Md`, and the only ways to make one are the `md` template tag,
 * which escapes every interpolated string, and the helpers below, which build the few pieces of
 * markup the bot means (a mention of a validated user id, a channel, a link, code). The block
 * builders take `Md` only, so a caller cannot hand them a raw host name, alert title or log line.
 *
 * Slack reads `&`, `<` and `>` as control characters: escaped, `<!channel>`, `<@U…>` and
 * `<https://evil|click>` show as text (docs.slack.dev, "Formatting text for app surfaces",
 * "Escaping text"). Slack has no escape for `*`, `_`, `~` and `` ` ``, so in prose they are
 * replaced by look-alikes where they could format (a process named `*ALL CLEAR*` must not render
 * bold; backticks only when they do not pair up within the value); in code they cannot format, and
 * only a backtick is replaced (it would end the code early).
 */

const TAG = Symbol('mrkdwn');

/** Mrkdwn that is safe to send: every part of it came from the code or was escaped. */
export interface Md {
  readonly [TAG]: true;
  readonly text: string;
}

function make(text: string): Md {
  return { [TAG]: true, text };
}

function isMd(v: unknown): v is Md {
  return typeof v === 'object' && v !== null && TAG in v;
}

/** Look-alikes: U+2217 asterisk operator, U+223C tilde operator, U+02CB modifier letter grave. */
const FORMAT_LOOKALIKE: Record<string, string> = { '*': '∗', '~': '∼', '`': 'ˋ' };
/** U+02CD modifier letter low macron: an `_` at a word's edge would open or close italics. */
const UNDERSCORE_LOOKALIKE = 'ˍ';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

function escapeControl(text: string): string {
  return text.replace(/[&<>]/g, (c) => ENTITIES[c] ?? c);
}

/**
 * Untrusted text as mrkdwn prose: `&<>` escaped, formatting characters that could format replaced.
 * An `_` inside a word (`pm.max_children`, `php_fpm.sock`) cannot format in Slack and is kept.
 */
export function escapeMrkdwn(text: string): string {
  // Backticks that pair up inside the value (`would run \`cmd\``) stay code: they cannot reach
  // past the value to pair with the bot's own. An odd one, or a fence, could: then all are replaced.
  const ticks = text.match(/`/g)?.length ?? 0;
  const keepCode = ticks % 2 === 0 && !text.includes('```');
  return escapeControl(text)
    .replace(keepCode ? /[*~]/g : /[*~`]/g, (c) => FORMAT_LOOKALIKE[c] ?? c)
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, UNDERSCORE_LOOKALIKE)
    .replace(EMOJI_CODE, (m) => `${RATIO}${m.slice(1)}`);
}

/**
 * `:white_check_mark:` in hostile text would draw the bot's own status marks. A code with a letter
 * in it gets its first colon replaced by U+2236 (ratio); `10:52:04` and `host:8080` are left alone.
 */
const EMOJI_CODE = /:(?=[a-z0-9_+'-]*[a-z])[a-z0-9_+'-]{1,64}:/gi;
const RATIO = '∶';

/** Plain text (a header, shown with `emoji: true`): only emoji codes can draw anything there. */
export function plainText(text: string): string {
  return text.replace(EMOJI_CODE, (m) => `${RATIO}${m.slice(1)}`);
}

/** One of Slack's emoji, by its code name (the bot's own status marks). */
export function emoji(name: string): Md {
  return /^[a-z0-9_+-]+$/.test(name) ? make(`:${name}:`) : text(name);
}

/** Untrusted text inside a code span or block: only `&<>` and the backtick can do harm there. */
export function escapeCode(text: string): string {
  return escapeControl(text).replace(/`/g, FORMAT_LOOKALIKE['`'] ?? "'");
}

type Part = Md | string | number;

function part(v: Part): string {
  if (isMd(v)) return v.text;
  return escapeMrkdwn(String(v));
}

/** md`*Evidence* on ${host}`: the literal parts are the code's own markup; every value is escaped. */
export function md(strings: TemplateStringsArray, ...values: Part[]): Md {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += part(v) + (strings[i + 1] ?? '');
  });
  return make(out);
}

/** Untrusted text as an `Md` (escaped). */
export const text = (v: string | number): Md => make(part(v));

/** Inline code: `` `value` ``, the value escaped for code. */
export const code = (v: string | number): Md => make(`\`${escapeCode(String(v))}\``);

/** Parts joined by a separator (the separator is the code's own). */
export function joinMd(parts: readonly Part[], separator: string): Md {
  return make(parts.map(part).join(separator));
}

/** A user mention, only for something shaped like a Slack user id; anything else is shown as text. */
export function mention(userId: string): Md {
  return /^[UW][A-Z0-9]{2,}$/.test(userId) ? make(`<@${userId}>`) : text(userId);
}

/** A channel reference, only for something shaped like a channel id. */
export function channelRef(channelId: string): Md {
  return /^[CGD][A-Z0-9]+$/.test(channelId) ? make(`<#${channelId}>`) : code(channelId);
}

/** A link the code built (an https URL without markup characters), with an escaped label. */
export function link(url: string, label: string): Md {
  if (!/^https:\/\/[^\s<>|&]+$/.test(url)) return text(label);
  return make(`<${url}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`);
}

/**
 * A link to a Slack permalink (chat.getPermalink): like `link`, but its query string (`?thread_ts=…&cid=…`
 * of a reply) is kept, with `&` escaped as Slack's formatting rules ask ("Escaping text").
 */
export function permalink(url: string, label: string): Md {
  if (!/^https:\/\/[^\s<>|]+$/.test(url)) return text(label);
  return make(`<${escapeControl(url)}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`);
}

/**
 * Cuts to at most `max` characters, marking the cut with `…`. A cut inside the bot's own code span or
 * block closes it (escaped text holds no backtick, so every backtick counted is the bot's own): an
 * unclosed one would show its backtick as text and let the text after it format. A cut entity
 * (`&am…`) only shows as text.
 */
export function cutMd(m: Md, max: number): Md {
  if (m.text.length <= max) return m;
  let out = `${m.text.slice(0, Math.max(0, max - 5))}…`;
  if ((out.match(/```/g) ?? []).length % 2 === 1) out += '\n```';
  else if ((out.replace(/```/g, '').match(/`/g) ?? []).length % 2 === 1) out += '`';
  return make(out);
}

/** Lines as a code block: a fence inside a line cannot close it (every backtick is replaced). */
export function fenced(lines: readonly string[]): Md {
  return make(fence(lines.map(escapeCode)));
}

const fence = (escaped: readonly string[]) => `\`\`\`\n${escaped.join('\n')}\n\`\`\``;

/**
 * Lines in a code block, as many as fit in `max` characters with the trailer; the rest are named
 * in the trailer (e.g. a pointer to the evidence file in the thread). A very long first line is cut
 * rather than dropped, so the block never comes out empty.
 */
export function codeBlock(lines: readonly string[], max: number, trailer: (omitted: number) => Md): Md {
  const kept: string[] = [];
  let size = 3 * 2 + 2;
  // Room for the trailer of the worst case (every line omitted).
  const reserve = trailer(lines.length).text.length + 1;
  for (const [i, raw] of lines.entries()) {
    const line = escapeCode(raw);
    const room = max - size - reserve;
    if (line.length + 1 > room) {
      if (i === 0 && room > 20) kept.push(`${line.slice(0, room - 2)}…`);
      return make(`${fence(kept)}\n${trailer(lines.length - kept.length).text}`);
    }
    kept.push(line);
    size += line.length + 1;
  }
  return make(fence(kept));
}
