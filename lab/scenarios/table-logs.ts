/**
 * Issue 18 item 1, "every log nginx writes": faults whose 502s are in logs the inventory does not
 * name. A host whose logs are per site (error_log and access_log in its server block, the main error
 * log silent), and hosts whose error log was just rotated (the 502s are in error.log.1, or in
 * error.log.1.gz). The fault is one the live checks cannot see (the app answers; its header is too
 * big for nginx), so only the logs can tell.
 */
import { NGINX_ERROR_LOG } from '../nginx-config.js';
import { driveTraffic } from './drive.js';
import { reconfigureNginx, setAppMode } from './host-actions.js';
import type { Scenario, ScenarioContext } from './types.js';

const TOO_BIG = /\[error\] .*upstream sent too big header while reading response header from upstream/;
export const SITE_ERROR_LOG = '/var/log/nginx/site.error.log';
export const SITE_ACCESS_LOG = '/var/log/nginx/site.access.log';

/** 502s for real (the app's 16 KB header), then the error log rotated as logrotate does, then the app healthy again. */
async function tooBigThenRotate(ctx: ScenarioContext, compress: boolean): Promise<void> {
  await setAppMode(ctx.lab, ctx.host.name, { mode: 'huge-header', bytes: 16384 });
  await driveTraffic(ctx.lab, ctx.host.name, { path: '/', count: 3 });
  // nginx writes the line before the client has its answer, but give the write a moment all the same.
  await new Promise((r) => setTimeout(r, 300));
  await ctx.lab.exec(
    ctx.host.name,
    `rm -f ${NGINX_ERROR_LOG}.1 ${NGINX_ERROR_LOG}.1.gz && mv ${NGINX_ERROR_LOG} ${NGINX_ERROR_LOG}.1 && ` +
      `nginx -s reopen${compress ? ` && gzip -9 ${NGINX_ERROR_LOG}.1` : ''}`,
  );
  await setAppMode(ctx.lab, ctx.host.name, { mode: 'healthy' });
}

/**
 * logrotate with `dateext`, `dateformat -%Y%m%d%H%M%S` and `compress`, rotating twice inside the
 * window: the 502s land in the older rotated file, then healthy traffic, then the second rotation (its
 * file holds no error line). Only the older `.gz` has the cause.
 */
async function tooBigThenRotateTwice(ctx: ScenarioContext): Promise<void> {
  const rotate = `f=${NGINX_ERROR_LOG}-$(date +%Y%m%d%H%M%S) && mv ${NGINX_ERROR_LOG} "$f" && nginx -s reopen && sleep 0.3 && gzip -9 "$f"`;
  await ctx.lab.exec(ctx.host.name, `rm -f ${NGINX_ERROR_LOG}-*`);
  await setAppMode(ctx.lab, ctx.host.name, { mode: 'huge-header', bytes: 16384 });
  await driveTraffic(ctx.lab, ctx.host.name, { path: '/', count: 3 });
  await new Promise((r) => setTimeout(r, 300));
  await ctx.lab.exec(ctx.host.name, rotate);
  await setAppMode(ctx.lab, ctx.host.name, { mode: 'healthy' });
  await driveTraffic(ctx.lab, ctx.host.name, { path: '/', count: 2 });
  // Another second, so that the second rotation gets a name of its own.
  await new Promise((r) => setTimeout(r, 1100));
  await ctx.lab.exec(ctx.host.name, rotate);
}

export const LOG_FILE_SCENARIOS: Scenario[] = [
  {
    name: 'per-site-logs-header-too-big',
    expectedCause: 'header-too-big',
    summary: 'error_log/access_log in the server block; the main error log silent; a 16 KB header (C15)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 2 },
    expect: {
      status: 502,
      statusMatch: 'all',
      // The main error log stays silent: the site's own log has the lines.
      errorLog: null,
      logs: [{ file: SITE_ERROR_LOG, pattern: TOO_BIG }],
    },
    apply: async (ctx) => {
      await ctx.lab.exec(ctx.host.name, `rm -f ${SITE_ERROR_LOG} ${SITE_ACCESS_LOG}`);
      await reconfigureNginx(ctx.lab, ctx.host.name, {
        siteLogs: { error: SITE_ERROR_LOG, access: SITE_ACCESS_LOG },
      });
      await setAppMode(ctx.lab, ctx.host.name, { mode: 'huge-header', bytes: 16384 });
    },
  },
  {
    name: 'rotated-log-header-too-big',
    expectedCause: 'header-too-big',
    summary: 'the 502s are in error.log.1: the log was rotated since; the app answers again (C15)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 2 },
    expect: {
      status: 200,
      statusMatch: 'all',
      errorLog: null,
      // The last such line, verbatim: a finding quotes it (test/e2e checks findings quote the host).
      hostCheck: { command: `grep 'too big header' ${NGINX_ERROR_LOG}.1 | tail -n 1`, pattern: TOO_BIG },
    },
    apply: (ctx) => tooBigThenRotate(ctx, false),
  },
  {
    name: 'rotated-log-gz-header-too-big',
    expectedCause: 'header-too-big',
    summary: 'the 502s are in error.log.1.gz: rotated and compressed since; the app answers again (C15)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 2 },
    expect: {
      status: 200,
      statusMatch: 'all',
      errorLog: null,
      hostCheck: {
        command: `gzip -dc ${NGINX_ERROR_LOG}.1.gz | grep 'too big header' | tail -n 1`,
        pattern: TOO_BIG,
      },
    },
    apply: (ctx) => tooBigThenRotate(ctx, true),
  },
  {
    name: 'rotated-twice-dateext-header-too-big',
    expectedCause: 'header-too-big',
    summary:
      'the 502s are in the older of two dateext + compress rotations inside the window; the app answers again (C15)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 2 },
    expect: {
      status: 200,
      statusMatch: 'all',
      errorLog: null,
      hostCheck: {
        command: `for f in $(ls ${NGINX_ERROR_LOG}-*.gz | sort | head -n 1); do gzip -dc "$f"; done | grep 'too big header' | tail -n 1`,
        pattern: TOO_BIG,
      },
    },
    apply: tooBigThenRotateTwice,
  },
];
