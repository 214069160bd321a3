/**
 * `/healthz` (the process is up), `/readyz` (Redis and Slack answer) and `/metrics` (Prometheus).
 * Plain node:http handlers, so that Bolt's customRoutes and the worker's own server share them.
 * `/readyz` and `/metrics` tell what the bot runs and what fails: they answer only a request that
 * carries `Authorization: Bearer <DIAGNOSE502_METRICS_TOKEN>` (checked from the headers, in constant
 * time, before any work); without a configured token they answer 401 to everyone.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { constantTimeEqual } from '../alerts/verify-credentials.js';
import { withDeadline } from '../queue/deadline.js';

export interface RouteDeps {
  /** Each check resolves or throws; its message is shown in /readyz. */
  readiness: Record<string, () => Promise<void>>;
  metrics(): Promise<{ contentType: string; body: string }>;
  /** The bearer token of /readyz and /metrics; undefined: both are closed. */
  token: string | undefined;
}

/** True when the request carries the token; otherwise it has been answered 401. */
function authorized(token: string | undefined, req: IncomingMessage, res: ServerResponse): boolean {
  const auth = req.headers.authorization ?? '';
  const bearer = /^Bearer +(\S+)\s*$/i.exec(auth)?.[1];
  if (token !== undefined && bearer !== undefined && constantTimeEqual(bearer, token)) return true;
  res.writeHead(401, {
    'content-type': 'application/json',
    'www-authenticate': 'Bearer',
    connection: 'close',
  });
  res.end(
    JSON.stringify({
      error:
        token === undefined
          ? 'closed: set DIAGNOSE502_METRICS_TOKEN and send it as "Authorization: Bearer <token>"'
          : 'missing or wrong bearer token (DIAGNOSE502_METRICS_TOKEN)',
    }),
  );
  return false;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function healthRoutes(
  deps: RouteDeps,
): Array<{ path: string; method: string[]; handler: RouteHandler }> {
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  return [
    { path: '/healthz', method: ['GET'], handler: (_req, res) => json(res, 200, { ok: true }) },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (req, res) => {
        if (!authorized(deps.token, req, res)) return;
        const names = Object.keys(deps.readiness);
        // A dependency that does not answer is not ready; the probe itself must not hang.
        const pending = names.map((n) => withDeadline(deps.readiness[n]?.() ?? Promise.resolve(), 2000, n));
        void Promise.allSettled(pending).then((results) => {
          const checks = Object.fromEntries(
            results.map((r, i) => [
              names[i],
              r.status === 'fulfilled' ? 'ok' : String((r.reason as Error)?.message ?? r.reason),
            ]),
          );
          const ok = results.every((r) => r.status === 'fulfilled');
          json(res, ok ? 200 : 503, { ok, checks });
        });
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (req, res) => {
        if (!authorized(deps.token, req, res)) return;
        void deps.metrics().then(
          (m) => {
            res.writeHead(200, { 'content-type': m.contentType });
            res.end(m.body);
          },
          (err) => json(res, 500, { error: String(err) }),
        );
      },
    },
  ];
}

/** The same routes on a bare server (the worker process, which has no Bolt app). */
export function routeRequests(routes: ReturnType<typeof healthRoutes>): RouteHandler {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes.find((r) => r.path === path && r.method.includes(req.method ?? 'GET'));
    if (route) route.handler(req, res);
    else res.writeHead(404).end();
  };
}
