/**
 * Two more Web API methods of the stand-in (issue 20: history and App Home), with Slack's rules and
 * error bodies (docs.slack.dev/reference/methods/chat.getPermalink, views.publish):
 * - `chat.getPermalink {channel, message_ts}`: a permalink for a message the stand-in holds
 *   (`https://<team>.slack.com/archives/<channel>/p<ts without dot>`, a reply's with `thread_ts` and
 *   `cid`), `channel_not_found` / `message_not_found` otherwise.
 * - `views.publish {user_id, view}`: `user_id` required (`invalid_arguments`, "invalid `user_id`"),
 *   `view` an object (or its JSON) of `type: home` with at most 100 blocks, each block under the
 *   message rules of block-rules.ts, refused as `invalid_arguments` with json-pointers under /view;
 *   past 250 kB `view_too_large`. Published views are kept per user, newest last.
 */
import { checkMessage } from './block-rules.js';

interface HeldMessage {
  channel: string;
  ts: string;
  threadTs?: string;
}

export interface PublishedView {
  userId: string;
  view: { type: string; blocks: unknown[] } & Record<string, unknown>;
}

const published = new WeakMap<object, PublishedView[]>();

/** The views published through a stand-in, oldest first. */
export function publishedViews(standin: object): PublishedView[] {
  return published.get(standin) ?? [];
}

const MAX_HOME_BLOCKS = 100;
const MAX_VIEW_BYTES = 250 * 1024;

function invalid(messages: string[]): Record<string, unknown> {
  return { ok: false, error: 'invalid_arguments', response_metadata: { messages } };
}

/** The answer to `method`, or undefined when it is not one of these two. */
export function historyHomeMethod(
  standin: object,
  method: string,
  args: Record<string, unknown>,
  messages: readonly HeldMessage[],
): Record<string, unknown> | undefined {
  if (method === 'chat.getPermalink') {
    const channel = String(args.channel ?? '');
    const ts = String(args.message_ts ?? '');
    if (!channel) return { ok: false, error: 'channel_not_found' };
    if (!messages.some((m) => m.channel === channel)) return { ok: false, error: 'channel_not_found' };
    const m = messages.find((x) => x.channel === channel && x.ts === ts);
    if (!m) return { ok: false, error: 'message_not_found' };
    const base = `https://standin.slack.test/archives/${channel}/p${ts.replace('.', '')}`;
    return {
      ok: true,
      channel,
      permalink: m.threadTs ? `${base}?thread_ts=${m.threadTs}&cid=${channel}` : base,
    };
  }
  if (method !== 'views.publish') return undefined;
  const userId = args.user_id;
  if (typeof userId !== 'string' || !/^[UW][A-Z0-9]{2,}$/.test(userId)) return invalid(['invalid `user_id`']);
  let view = args.view;
  if (typeof view === 'string') {
    try {
      view = JSON.parse(view);
    } catch {
      return invalid(['[ERROR] must provide an object [json-pointer:/view]']);
    }
  }
  if (!view || typeof view !== 'object' || Array.isArray(view))
    return invalid(['[ERROR] must provide an object [json-pointer:/view]']);
  const v = view as Record<string, unknown>;
  if (JSON.stringify(v).length > MAX_VIEW_BYTES) return { ok: false, error: 'view_too_large' };
  const errors: string[] = [];
  if (v.type !== 'home') errors.push('[ERROR] must be one of home [json-pointer:/view/type]');
  if (!Array.isArray(v.blocks)) errors.push('[ERROR] must provide an array [json-pointer:/view/blocks]');
  const blocks = Array.isArray(v.blocks) ? v.blocks : [];
  if (blocks.length > MAX_HOME_BLOCKS)
    errors.push(`[ERROR] must be less than ${MAX_HOME_BLOCKS + 1} items [json-pointer:/view/blocks]`);
  // Each block under the same rules as in a message (the message-wide limits are the view's own above).
  for (const [i, block] of blocks.entries()) {
    const refused = checkMessage('x', [block]);
    for (const e of refused?.errors ?? [])
      errors.push(e.replace('[json-pointer:/blocks/0', `[json-pointer:/view/blocks/${i}`));
  }
  if (errors.length > 0) return invalid(errors);
  const list = published.get(standin) ?? [];
  list.push({ userId, view: { ...v, type: 'home', blocks } });
  published.set(standin, list);
  return {
    ok: true,
    view: {
      id: `V${String(list.length).padStart(8, '0')}`,
      type: 'home',
      blocks,
      hash: `${Date.now()}.${list.length}`,
    },
  };
}
