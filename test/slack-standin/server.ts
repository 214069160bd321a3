/**
 * A local stand-in for Slack's Web API (`slack.com/api/:method`), reached through SLACK_API_URL.
 * It checks the bearer token, enforces the Block Kit limits with Slack's own error bodies, answers
 * `not_in_channel` for channels the bot is not in, can answer 429 with Retry-After, can go down
 * (every Web API call and file upload answers 503, as Slack's edge does during an outage), serves
 * the files upload trio and `response_url` targets, and records every call.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkMessage } from './block-rules.js';
import { historyHomeMethod } from './methods-history-home.js';
import { ViewsStandin } from './views.js';

export interface Call {
  method: string;
  args: Record<string, unknown>;
  /** What the stand-in answered (status 429 included). */
  status: number;
  response: Record<string, unknown>;
}

export interface Message {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  threadTs?: string;
  /** Every version of the message, oldest first (post, then each update). */
  history: Array<{ text: string; blocks: unknown[] }>;
}

export interface UploadedFile {
  id: string;
  filename: string;
  title?: string;
  content: string;
  /** The file's bytes as uploaded (a PNG is not text). */
  bytes: Buffer;
  /** The `length` given to files.getUploadURLExternal (Slack trusts it; a test can compare). */
  declaredLength: number;
  channel?: string;
  threadTs?: string;
}

export const BOT_USER_ID = 'UBOT0001';

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The bytes of the one file part of a multipart upload, or the body itself when it is not multipart. */
async function uploadedBytes(req: IncomingMessage, body: Buffer): Promise<Buffer> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) return body;
  const form = await new Response(new Uint8Array(body), { headers: { 'content-type': type } }).formData();
  for (const value of form.values()) {
    if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer());
  }
  return Buffer.alloc(0);
}

function parseArgs(req: IncomingMessage, body: Buffer): Record<string, unknown> {
  const type = req.headers['content-type'] ?? '';
  const text = body.toString('utf8');
  if (type.startsWith('application/json')) return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  const args: Record<string, unknown> = Object.fromEntries(new URLSearchParams(text));
  // Web API clients send structured fields (blocks, files) as JSON strings in a form.
  for (const key of ['blocks', 'files', 'attachments']) {
    if (typeof args[key] === 'string') {
      try {
        args[key] = JSON.parse(args[key] as string);
      } catch {
        args[key] = { unparsable: args[key] };
      }
    }
  }
  return args;
}

export class SlackStandin {
  readonly calls: Call[] = [];
  readonly messages: Message[] = [];
  readonly files: UploadedFile[] = [];
  readonly ephemeral: Array<Record<string, unknown>> = [];
  /** Bodies POSTed to response_url targets, by target id. */
  readonly responses = new Map<string, Array<Record<string, unknown>>>();
  /** Members of Slack user groups, for usergroups.users.list (scope usergroups:read). */
  readonly usergroups = new Map<string, string[]>();
  /** Channels the bot was not invited to: posts there answer `not_in_channel`. */
  readonly notInChannel = new Set<string>();
  /** views.open: trigger ids and the modals opened (views.ts). */
  readonly views = new ViewsStandin();
  /** Block types this workspace does not have (e.g. `data_visualization` on an older one): `invalid_blocks`. */
  readonly refusedBlockTypes = new Set<string>();
  private readonly rateLimits = new Map<string, { times: number; retryAfterS: number }>();
  private readonly failures = new Map<string, { times: number; error: string }>();
  /** While set (epoch ms), every Web API call and upload answers 503: an outage of Slack's edge. */
  private downUntil = 0;
  private downTimer: NodeJS.Timeout | undefined;
  private readonly uploads = new Map<string, { filename: string; length: number; bytes?: Buffer }>();
  private server: Server | undefined;
  private nextTs = 1_700_000_000_000_100;
  private nextId = 1;
  private waiters: Array<() => void> = [];
  url = '';

  /** Socket Mode: the app token accepted by apps.connections.open, and the WebSocket URL it hands out. */
  appToken: string | undefined;
  socketUrl: string | undefined;

  constructor(readonly token: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        res.writeHead(500).end(String(err));
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return `${this.url}/api/`;
  }

  async stop(): Promise<void> {
    clearTimeout(this.downTimer);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next `times` calls of `method` answer HTTP 200 with `{ok: false, error}` (e.g. `fatal_error`). */
  failWith(method: string, error: string, times = 1): void {
    this.failures.set(method, { times, error });
  }

  /** The next `times` calls of `method` answer HTTP 429 with `Retry-After: retryAfterS`. */
  rateLimit(method: string, retryAfterS: number, times = 1): void {
    this.rateLimits.set(method, { times, retryAfterS });
  }

  /**
   * An outage: for `ms` (until `up()` when omitted) every Web API call and file upload answers
   * HTTP 503 with an HTML body, as Slack's edge answered in its outages. Calls are still recorded.
   */
  outage(ms = Number.POSITIVE_INFINITY): void {
    this.downUntil = Date.now() + ms;
    clearTimeout(this.downTimer);
    // Waiters re-check when it ends, so a test can wait for what follows the outage.
    if (Number.isFinite(ms)) this.downTimer = setTimeout(() => this.notify(), ms + 1);
  }

  /** Ends the outage now. */
  up(): void {
    this.downUntil = 0;
    clearTimeout(this.downTimer);
    this.notify();
  }

  get down(): boolean {
    return Date.now() < this.downUntil;
  }

  /** A fresh response_url target (5 uses, as Slack allows). */
  responseUrl(): string {
    const id = `r${this.nextId++}`;
    this.responses.set(id, []);
    return `${this.url}/response/${id}`;
  }

  callsOf(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves when `predicate` holds, re-checked after every call; rejects after `timeoutMs`. */
  async waitFor<T>(
    predicate: () => T | undefined | false,
    timeoutMs = 30_000,
    what = 'condition',
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`slack stand-in: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private send(res: ServerResponse, status: number, body: Record<string, unknown>, headers = {}): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const body = await readBody(req);
    if (this.down && (path.startsWith('/api/') || path.startsWith('/upload/'))) {
      const method = path.startsWith('/api/') ? path.slice('/api/'.length) : 'upload';
      this.calls.push({ method, args: {}, status: 503, response: {} });
      res
        .writeHead(503, { 'content-type': 'text/html' })
        .end('<html><body>503 Service Unavailable</body></html>');
      this.notify();
      return;
    }
    if (path.startsWith('/upload/')) {
      const up = this.uploads.get(path.slice('/upload/'.length));
      if (!up) return this.send(res, 404, { ok: false });
      // filesUploadV2 posts the bytes as multipart/form-data (or raw): keep the file part's bytes.
      up.bytes = await uploadedBytes(req, body);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${up.bytes.length}`);
      this.notify();
      return;
    }
    if (path.startsWith('/response/')) {
      const list = this.responses.get(path.slice('/response/'.length));
      if (!list) return this.send(res, 404, { ok: false, error: 'expired_url' });
      if (list.length >= 5) return this.send(res, 404, { ok: false, error: 'used_url' });
      list.push(JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>);
      this.notify();
      return this.send(res, 200, { ok: true });
    }
    const method = path.replace(/^\/api\//, '');
    const args = parseArgs(req, body);
    const answer = (status: number, response: Record<string, unknown>, headers = {}) => {
      this.calls.push({ method, args, status, response });
      this.send(res, status, response, headers);
      this.notify();
    };
    const limit = this.rateLimits.get(method);
    if (limit && limit.times > 0) {
      limit.times--;
      return answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limit.retryAfterS) });
    }
    const failure = this.failures.get(method);
    if (failure && failure.times > 0) {
      failure.times--;
      return answer(200, { ok: false, error: failure.error });
    }
    const auth = req.headers.authorization ?? (args.token ? `Bearer ${String(args.token)}` : undefined);
    if (auth === undefined) return answer(200, { ok: false, error: 'not_authed' });
    if (method === 'apps.connections.open') {
      // Only an app-level token (xapp-) may open a Socket Mode connection.
      if (!this.appToken || auth !== `Bearer ${this.appToken}`)
        return answer(200, { ok: false, error: 'invalid_auth' });
      return answer(
        200,
        this.socketUrl ? { ok: true, url: this.socketUrl } : { ok: false, error: 'socket_mode_off' },
      );
    }
    if (auth !== `Bearer ${this.token}`) return answer(200, { ok: false, error: 'invalid_auth' });
    answer(200, this.apiMethod(method, args));
  }

  private apiMethod(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const channel = String(args.channel ?? args.channel_id ?? '');
    const more = historyHomeMethod(this, method, args, this.messages);
    if (more) return more;
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://standin.slack.test/',
          team: 'Test',
          user: 'diagnose502',
          team_id: 'T0001',
          user_id: BOT_USER_ID,
          bot_id: 'B0001',
        };
      case 'chat.postMessage': {
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (this.notInChannel.has(channel)) return { ok: false, error: 'not_in_channel' };
        const refused = checkMessage(args.text, args.blocks, this.refusedBlockTypes);
        if (refused) return { ...refused };
        const ts = this.ts();
        const text = String(args.text ?? '');
        const blocks = (args.blocks as unknown[]) ?? [];
        this.messages.push({
          channel,
          ts,
          text,
          blocks,
          ...(args.thread_ts ? { threadTs: String(args.thread_ts) } : {}),
          history: [{ text, blocks }],
        });
        return { ok: true, channel, ts, message: { text, ts } };
      }
      case 'chat.update': {
        const m = this.messages.find((x) => x.channel === channel && x.ts === String(args.ts));
        if (!m) return { ok: false, error: 'message_not_found' };
        const refused = checkMessage(args.text, args.blocks, this.refusedBlockTypes);
        if (refused) return { ...refused };
        m.text = String(args.text ?? '');
        m.blocks = (args.blocks as unknown[]) ?? [];
        m.history.push({ text: m.text, blocks: m.blocks });
        return { ok: true, channel, ts: m.ts, text: m.text };
      }
      case 'chat.postEphemeral': {
        if (this.notInChannel.has(channel)) return { ok: false, error: 'not_in_channel' };
        const refused = checkMessage(args.text, args.blocks, this.refusedBlockTypes);
        if (refused) return { ...refused };
        this.ephemeral.push(args);
        return { ok: true, message_ts: this.ts() };
      }
      case 'files.getUploadURLExternal': {
        const id = `F${String(this.nextId++).padStart(6, '0')}`;
        const length = Number(args.length);
        if (!args.filename || !Number.isFinite(length) || length < 1)
          return { ok: false, error: 'invalid_arguments' };
        this.uploads.set(id, { filename: String(args.filename), length });
        return { ok: true, upload_url: `${this.url}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const list = (args.files as Array<{ id: string; title?: string }>) ?? [];
        if (channel && this.notInChannel.has(channel)) return { ok: false, error: 'not_in_channel' };
        const done: UploadedFile[] = [];
        for (const f of list) {
          const up = this.uploads.get(f.id);
          if (!up || up.bytes === undefined) return { ok: false, error: 'file_not_found' };
          const file: UploadedFile = {
            id: f.id,
            filename: up.filename,
            content: up.bytes.toString('utf8'),
            bytes: up.bytes,
            declaredLength: up.length,
            ...(f.title ? { title: f.title } : {}),
            ...(channel ? { channel } : {}),
            ...(args.thread_ts ? { threadTs: String(args.thread_ts) } : {}),
          };
          this.files.push(file);
          done.push(file);
        }
        return { ok: true, files: done.map((f) => ({ id: f.id, title: f.title ?? f.filename })) };
      }
      case 'usergroups.users.list': {
        // docs.slack.dev/reference/methods/usergroups.users.list: `users` is the list of member ids.
        const members = this.usergroups.get(String(args.usergroup ?? ''));
        if (!args.usergroup) return { ok: false, error: 'invalid_arguments' };
        if (!members) return { ok: false, error: 'no_such_subteam' };
        return { ok: true, users: members };
      }
      case 'views.open':
        return this.views.open(args);
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private ts(): string {
    const n = String(this.nextTs++);
    return `${n.slice(0, 10)}.${n.slice(10)}`;
  }
}
