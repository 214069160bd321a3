/**
 * Requests signed exactly as Slack signs them (docs.slack.dev "Verifying requests from Slack"):
 * HMAC-SHA256 over `v0:<timestamp>:<raw body>` with the signing secret, hex, in X-Slack-Signature.
 */
import { createHmac } from 'node:crypto';

export function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SlackPostOptions {
  secret: string;
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  /** Overrides the signature (forgeries). */
  signature?: string;
}

/** POSTs a form body the way Slack does: a string body and the exact content type (see slack-platform.md). */
export async function postSigned(
  url: string,
  form: Record<string, string>,
  opts: SlackPostOptions,
): Promise<{ status: number; body: string; ms: number }> {
  const body = new URLSearchParams(form).toString();
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': opts.signature ?? sign(opts.secret, ts, body),
    },
    body,
  });
  return { status: res.status, body: await res.text(), ms: performance.now() - started };
}

export function slashCommand(
  text: string,
  o: { user?: string; channel?: string; responseUrl: string },
): Record<string, string> {
  return {
    token: 'deprecated-verification-token',
    team_id: 'T0001',
    team_domain: 'test',
    channel_id: o.channel ?? 'C0INCIDENT',
    channel_name: 'incident',
    user_id: o.user ?? 'U0ONCALL',
    user_name: 'oncall',
    command: '/diagnose502',
    text,
    api_app_id: 'A0001',
    is_enterprise_install: 'false',
    response_url: o.responseUrl,
    trigger_id: `${Date.now()}.1.abc`,
  };
}

/** A block_actions payload for a button of a bot message, as Slack sends it. */
export function buttonClick(o: {
  actionId: string;
  value: string;
  channel: string;
  messageTs: string;
  user?: string;
  responseUrl: string;
}): Record<string, string> {
  const payload = {
    type: 'block_actions',
    user: { id: o.user ?? 'U0ONCALL', username: 'oncall', team_id: 'T0001' },
    api_app_id: 'A0001',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: o.messageTs, channel_id: o.channel, is_ephemeral: false },
    trigger_id: `${Date.now()}.1.def`,
    team: { id: 'T0001', domain: 'test' },
    channel: { id: o.channel, name: 'incident' },
    message: { type: 'message', ts: o.messageTs, text: 'report', blocks: [] },
    state: { values: {} },
    response_url: o.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: o.actionId,
        block_id: 'd502_report_actions',
        value: o.value,
        text: { type: 'plain_text', text: 'x' },
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
  return { payload: JSON.stringify(payload) };
}
