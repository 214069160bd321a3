/**
 * The Bolt app: HTTP on `/slack/events` (signed requests; forged or stale ones get 401), or Socket
 * Mode when an app token is configured (for workspaces without a public URL). Listeners are thin:
 * they validate and enqueue.
 */
import { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { RestartClickDeps } from '../actions/restart-click.js';
import type { HomeDeps } from '../home/load-home.js';
import type { healthRoutes } from './http-routes.js';
import type { IntakeDeps } from './intake-deps.js';
import { boltLogger } from './pino-bolt-logger.js';
import { registerActions } from './register-actions.js';
import { registerCommand } from './register-command.js';
import { registerHome } from './register-home.js';
import { registerRestart } from './register-restart.js';
import type { SlackMetrics } from './slack-metrics.js';
import { countRateLimits, SLACK_RETRY } from './web-client.js';

export interface SlackAppOptions {
  botToken: string;
  signingSecret: string | undefined;
  appToken: string | undefined;
  apiUrl: string;
  /** HTTP port of /slack/events (and of the routes in Socket Mode). */
  port: number;
  routes: ReturnType<typeof healthRoutes>;
  logger: Logger;
  metrics: SlackMetrics;
}

export function createSlackApp(
  opts: SlackAppOptions,
  deps: IntakeDeps,
  restart?: RestartClickDeps,
  home?: HomeDeps,
): App {
  const common = {
    token: opts.botToken,
    logger: boltLogger(opts.logger),
    clientOptions: { slackApiUrl: opts.apiUrl, retryConfig: SLACK_RETRY, timeout: 15_000 },
    customRoutes: opts.routes,
  };
  const app = opts.appToken
    ? new App({ ...common, socketMode: true, appToken: opts.appToken, installerOptions: { port: opts.port } })
    : new App({ ...common, signingSecret: opts.signingSecret ?? '', port: opts.port });
  // Bolt builds its own client: its 429s are counted; its few calls count their errors where made.
  countRateLimits(app.client, opts.metrics);
  registerCommand(app, deps);
  registerActions(app, deps, opts.metrics);
  if (restart) registerRestart(app, restart);
  if (home) registerHome(app, home);
  app.error(async (err) => {
    opts.logger.error(
      { err: err.message, code: (err as { code?: string }).code },
      'unhandled error in a Slack listener',
    );
  });
  return app;
}
