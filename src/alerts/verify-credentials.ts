/**
 * Credentials of the alert webhooks, compared in constant time (crypto.timingSafeEqual over
 * SHA-256 digests, so that lengths do not leak either). Pure: the clock is a parameter.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AlertsConfig } from '../config/alerts-config.js';

const digest = (text: string | Buffer) => createHash('sha256').update(text).digest();

export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Alertmanager's `http_config`: `authorization: { type: Bearer, credentials }` sends
 * `Authorization: Bearer <token>`; `basic_auth` sends `Authorization: Basic base64(user:password)`.
 */
export function verifyAlertmanager(
  creds: NonNullable<AlertsConfig['alertmanager']>,
  authorization: string | undefined,
): boolean {
  if (!authorization) return false;
  const space = authorization.indexOf(' ');
  if (space < 0) return false;
  const scheme = authorization.slice(0, space).toLowerCase();
  const value = authorization.slice(space + 1).trim();
  if (scheme === 'bearer' && creds.token !== undefined) return constantTimeEqual(value, creds.token);
  if (scheme === 'basic' && creds.basic !== undefined) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    // Both compared, always, so the time does not tell which one was wrong.
    const userOk = constantTimeEqual(decoded.slice(0, colon), creds.basic.user);
    const passOk = constantTimeEqual(decoded.slice(colon + 1), creds.basic.password);
    return userOk && passOk;
  }
  return false;
}

export type GrafanaVerdict = { ok: true } | { ok: false; reason: string };

/** hex(HMAC-SHA256): 64 hex digits, as grafana/alerting's webhook receiver sends it. */
const HMAC_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * What can be checked of Grafana's signature before the body is read: the signature header is
 * there and is 64 hex digits, and (with a timestamp header configured) the timestamp is there,
 * numeric and fresh. A request that fails this is refused without reading its body.
 */
export function checkGrafanaHeaders(
  creds: NonNullable<AlertsConfig['grafana']>,
  headers: { signature: string | undefined; timestamp: string | undefined },
  nowMs: number,
): GrafanaVerdict {
  if (!headers.signature) return { ok: false, reason: `missing ${creds.signatureHeader}` };
  if (!HMAC_HEX.test(headers.signature.trim()))
    return { ok: false, reason: `malformed ${creds.signatureHeader} (not 64 hex digits)` };
  if (creds.timestampHeader) {
    const ts = headers.timestamp?.trim() ?? '';
    if (!/^[0-9]{1,16}$/.test(ts))
      return { ok: false, reason: `missing or malformed ${creds.timestampHeader}` };
    // Grafana sends Unix seconds; milliseconds are accepted too.
    const n = Number(ts);
    const ms = n > 1e12 ? n : n * 1000;
    if (Math.abs(nowMs - ms) > creds.maxAgeS * 1000) return { ok: false, reason: 'stale timestamp' };
  }
  return { ok: true };
}

/**
 * Grafana's webhook HMAC (grafana/alerting, receivers/webhook): hex(HMAC-SHA256(secret, body)), or of
 * `timestamp + ":" + body` when a timestamp header is configured; then a stale timestamp is refused
 * (a replayed notification would otherwise be accepted forever).
 */
export function verifyGrafana(
  creds: NonNullable<AlertsConfig['grafana']>,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: Buffer,
  nowMs: number,
): GrafanaVerdict {
  const pre = checkGrafanaHeaders(creds, headers, nowMs);
  if (!pre.ok) return pre;
  const mac = createHmac('sha256', creds.secret);
  if (creds.timestampHeader) mac.update(`${headers.timestamp?.trim() ?? ''}:`);
  mac.update(body);
  const expected = mac.digest('hex');
  return constantTimeEqual((headers.signature ?? '').trim().toLowerCase(), expected)
    ? { ok: true }
    : { ok: false, reason: 'signature does not match' };
}
