/**
 * `/healthz` (the process is up), `/readyz` (Redis and Slack answer) and `/metrics` (Prometheus).
 * Plain node:http handlers, so that Bolt's customRoutes and the worker's own server share them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { withDeadline } from '../queue/deadline.js';

export interface RouteDeps {
  /** Each check resolves or throws; its message is shown in /readyz. */
  readiness: Record<string, () => Promise<void>>;
  metrics(): Promise<{ contentType: string; body: string }>;
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
      handler: (_req, res) => {
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
      handler: (_req, res) => {
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
