/**
 * `POST /alerts/alertmanager` and `POST /alerts/grafana`, as Bolt customRoutes (raw node:http: no
 * body parsing, no signature check by Bolt). Auth before work: first what the headers carry (the
 * bearer or basic credentials; Grafana's signature header present and well-formed, its timestamp
 * fresh), answered 401 at once with the connection closed and not one byte of the body read; then
 * the declared size (413); then the body, read up to ALERT_WEBHOOK_MAX_BYTES; then Grafana's HMAC
 * over it (401); JSON and schema (400 naming the fields); then the intake. 200 only once every job
 * and the thread's state are in Redis, 503 otherwise (Redis or Slack down, the queue full) so that
 * Alertmanager retries.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { AlertsConfig } from '../config/alerts-config.js';
import { withDeadline } from '../queue/deadline.js';
import { QueueFullError, type RefusalReason } from '../queue/intake-limits.js';
import { type AlertSource, parseAlertGroup } from './payloads.js';
import type { IntakeResult } from './take-alert-group.js';
import { checkGrafanaHeaders, verifyAlertmanager, verifyGrafana } from './verify-credentials.js';

export type AlertRoute = {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
};

export interface AlertRouteDeps {
  config: AlertsConfig;
  take(group: import('./payloads.js').AlertGroup): Promise<IntakeResult>;
  logger: Logger;
  /** Counts each answer (metrics). */
  onAnswer?(source: AlertSource, status: number): void;
  /** Counts each notification refused by the queue-wide cap (metrics). */
  onRefused?(source: AlertSource, reason: RefusalReason): void;
  now?(): number;
}

/** A whole notification, Redis and Slack included, within this; past it the sender retries. */
const INTAKE_DEADLINE_MS = 8000;

class TooLarge extends Error {}

const tooLarge = (limit: number) => ({ error: `body larger than ${limit} bytes (ALERT_WEBHOOK_MAX_BYTES)` });

/** Reads at most `limit` bytes: past them it stops (TooLarge), whatever Content-Length said. */
async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new TooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

export function alertRoutes(deps: AlertRouteDeps): AlertRoute[] {
  const { config } = deps;
  const handle = (source: AlertSource) => (req: IncomingMessage, res: ServerResponse) => {
    const answer = (status: number, body: Record<string, unknown>, extra: Record<string, string> = {}) => {
      deps.onAnswer?.(source, status);
      res.writeHead(status, { 'content-type': 'application/json', ...extra });
      res.end(JSON.stringify(body));
    };
    /** Answered without reading the body: the connection is closed once the answer is out. */
    const refuseUnread = (status: number, body: Record<string, unknown>, extra: Record<string, string>) => {
      answer(status, body, { connection: 'close', ...extra });
      // Node would otherwise read (and discard) the rest of the body before closing.
      res.once('finish', () => req.socket.destroySoon());
    };
    const g = config.grafana;
    const grafanaHeaders = g
      ? {
          signature: header(req, g.signatureHeader),
          timestamp: g.timestampHeader ? header(req, g.timestampHeader) : undefined,
        }
      : { signature: undefined, timestamp: undefined };
    if (source === 'alertmanager') {
      if (!config.alertmanager || !verifyAlertmanager(config.alertmanager, req.headers.authorization))
        return refuseUnread(401, { error: 'missing or wrong credentials' }, { 'www-authenticate': 'Bearer' });
    } else {
      const verdict = g
        ? checkGrafanaHeaders(g, grafanaHeaders, (deps.now ?? Date.now)())
        : ({ ok: false, reason: 'Grafana intake is not configured' } as const);
      if (!verdict.ok) {
        deps.logger.warn({ source, reason: verdict.reason }, 'alert webhook refused');
        return refuseUnread(401, { error: 'missing or wrong signature' }, {});
      }
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > config.maxBodyBytes)
      return refuseUnread(413, tooLarge(config.maxBodyBytes), {});
    void (async () => {
      let body: Buffer;
      try {
        body = await readLimited(req, config.maxBodyBytes);
      } catch (err) {
        if (err instanceof TooLarge) return refuseUnread(413, tooLarge(config.maxBodyBytes), {});
        return answer(400, { error: 'could not read the body' });
      }
      if (source === 'grafana') {
        // Only a well-formed, fresh signature got here: the HMAC over the body (bounded) decides.
        const verdict = g
          ? verifyGrafana(g, grafanaHeaders, body, (deps.now ?? Date.now)())
          : ({ ok: false, reason: 'Grafana intake is not configured' } as const);
        if (!verdict.ok) {
          deps.logger.warn({ source, reason: verdict.reason }, 'alert webhook refused');
          return answer(401, { error: 'missing or wrong signature' });
        }
      }
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        return answer(400, { error: 'the body is not JSON' });
      }
      const parsed = parseAlertGroup(source, json);
      if (!parsed.ok) return answer(400, { error: 'not a valid notification', issues: parsed.issues });
      try {
        const result = await withDeadline(deps.take(parsed.group), INTAKE_DEADLINE_MS, 'alert intake');
        deps.logger.info(
          { source, groupKey: parsed.group.groupKey.slice(0, 200), ...result },
          'alert notification taken',
        );
        return answer(200, { ok: true, ...result });
      } catch (err) {
        if (err instanceof QueueFullError) {
          deps.onRefused?.(source, err.refusal.reason);
          deps.logger.warn({ source, err: err.message }, 'alert notification refused: the queue is full');
          return answer(503, { error: err.message }, { 'retry-after': String(err.refusal.retryAfterS) });
        }
        deps.logger.warn(
          { source, err: err instanceof Error ? err.message : String(err) },
          'alert notification not taken; the sender will retry',
        );
        return answer(
          503,
          { error: 'not queued (Redis or Slack unavailable); retry later' },
          { 'retry-after': '10' },
        );
      }
    })();
  };
  const routes: AlertRoute[] = [];
  if (config.alertmanager)
    routes.push({ path: '/alerts/alertmanager', method: ['POST'], handler: handle('alertmanager') });
  if (config.grafana) routes.push({ path: '/alerts/grafana', method: ['POST'], handler: handle('grafana') });
  return routes;
}
