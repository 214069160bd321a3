/**
 * Auth before work on `POST /slack/events` (HTTP mode): Bolt's HTTPReceiver reads the whole body (up
 * to its 4 MB limit) before it checks the signature. This guard runs first and refuses, from the
 * headers alone, a request that cannot be Slack's: no `X-Slack-Signature` of the form `v0=<64 hex>`,
 * or an `X-Slack-Request-Timestamp` that is not a number within 5 minutes of now (Slack's rule,
 * docs.slack.dev "Verifying requests from Slack"). It is answered 401 at once and the connection
 * closed, without reading the body. Bolt still verifies the HMAC of every request that passes.
 *
 * The one unsigned request Slack sends, `ssl_check=1` (Bolt answers it without a signature), is a
 * few dozen bytes: a request without signature headers passes only with a declared body of at most
 * SSL_CHECK_MAX_BYTES, which Bolt then reads and refuses unless it is an ssl_check.
 */
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';

const SIGNATURE = /^v0=[0-9a-f]{64}$/;
const MAX_SKEW_S = 5 * 60;
export const SSL_CHECK_MAX_BYTES = 512;
export const SLACK_EVENTS_PATH = '/slack/events';

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? undefined : v);

/** Pure: whether the headers can belong to a request Slack signed (or to Slack's small ssl_check). */
export function slackHeadersAcceptable(
  headers: IncomingHttpHeaders,
  nowS: number,
): { ok: true } | { ok: false; reason: string } {
  const signature = one(headers['x-slack-signature']);
  const timestamp = one(headers['x-slack-request-timestamp']);
  if (signature === undefined && timestamp === undefined) {
    const length = Number(one(headers['content-length']));
    return Number.isInteger(length) && length <= SSL_CHECK_MAX_BYTES
      ? { ok: true }
      : { ok: false, reason: 'no X-Slack-Signature' };
  }
  if (!signature || !SIGNATURE.test(signature)) return { ok: false, reason: 'malformed X-Slack-Signature' };
  if (!timestamp || !/^[0-9]{1,12}$/.test(timestamp))
    return { ok: false, reason: 'missing or malformed X-Slack-Request-Timestamp' };
  if (Math.abs(nowS - Number(timestamp)) > MAX_SKEW_S)
    return { ok: false, reason: 'stale X-Slack-Request-Timestamp' };
  return { ok: true };
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Puts the header check in front of the server's request listeners (Bolt's). Bolt creates its server
 * in `app.start()`, so this runs right after; a request in between still meets Bolt's own check.
 */
export function guardSlackEvents(
  server: Server,
  onRefused: (reason: string) => void = () => {},
  now: () => number = Date.now,
): void {
  const listeners = server.listeners('request') as Listener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === SLACK_EVENTS_PATH) {
      const verdict = slackHeadersAcceptable(req.headers, Math.floor(now() / 1000));
      if (!verdict.ok) {
        onRefused(verdict.reason);
        res.writeHead(401, { 'content-type': 'text/plain', connection: 'close' });
        res.end('not signed by Slack\n');
        // Node would otherwise read (and discard) the rest of the body before closing.
        res.once('finish', () => req.socket.destroySoon());
        return;
      }
    }
    for (const listener of listeners) listener.call(server, req, res);
  });
}
