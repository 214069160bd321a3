/**
 * Scenarios of issue 9 section 3: four causes whose evidence was in the probe output while the rules
 * read it wrong on hosts set up differently from the lab's defaults. Each cause comes in variants:
 * the app up elsewhere (C02), the upstream's own 502/503 in other `log_format`s (C26), a restart
 * window (C28), and an OOM kill of some other program while the app is merely down (C01 first, the
 * kill ranked below).
 */
import { mkdir, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sleep, waitFor } from '../exec.js';
import { renderEtcHosts } from '../host-fs.js';
import { outerPid } from '../host-init.js';
import { httpRequest } from '../http-client.js';
import { reconfigureNginx, setAppMode } from './host-actions.js';
import type { Scenario, ScenarioContext } from './types.js';

const rx = (source: string) => new RegExp(source);
const REFUSED = 'connect\\(\\) failed \\(111: Connection refused\\) while connecting to upstream';
const ENOENT = 'failed \\(2: No such file or directory\\) while connecting to upstream';

const service = (ctx: ScenarioContext, action: 'start' | 'stop' | 'restart', name: string) =>
  ctx.lab.service(ctx.host.name, action, name);
const exec = (ctx: ScenarioContext, command: string) => ctx.lab.exec(ctx.host.name, command);

/** The request line and upstream fields of the combined format, with `$upstream_*` laid out `tail`. */
const combined = (tail: string) =>
  `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" ${tail}`;

/** Requests that hit the fault before the scenario's own traffic (a burst before a restart). */
async function burst(ctx: ScenarioContext, urlPath: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await httpRequest({ address: ctx.host.address, path: urlPath });
}

/**
 * gunicorn started by hand the way lab-service starts it, on another bind; it writes the same pid
 * file, so restoreHost stops it like the lab's own.
 */
async function gunicornOn(ctx: ScenarioContext, bind: string): Promise<void> {
  await service(ctx, 'stop', 'gunicorn');
  await exec(
    ctx,
    `. /usr/local/etc/lab/host.env; mkdir -p /run/gunicorn /var/log/gunicorn; PYTHONDONTWRITEBYTECODE=1 setsid /usr/bin/gunicorn --daemon --bind ${bind} --workers 1 --timeout 3 --pid /run/gunicorn/gunicorn.pid --error-logfile /var/log/gunicorn/error.log --chdir "$LAB_APPS_DIR" lab_wsgi:app </dev/null >/dev/null 2>&1`,
  );
  await waitFor(`gunicorn on ${bind}`, async () => {
    const r = await ctx.lab.exec(ctx.host.name, `curl -sf -o /dev/null --max-time 1 http://${bind}/healthz`, {
      allowFail: true,
    });
    return r.code === 0;
  });
}

/** The Node app started by hand on another interface (lab-service would wait for 127.0.0.1). */
async function appOn(ctx: ScenarioContext, host: string): Promise<void> {
  await service(ctx, 'stop', 'app');
  await exec(
    ctx,
    `. /usr/local/etc/lab/host.env; mkdir -p /run/lab-app /var/log/app; LAB_APP_HOST=${host} LAB_APP_PORT=$LAB_APP_PORT LAB_APP_BACKLOG=511 setsid "$LAB_NODE" --max-old-space-size=64 --max-semi-space-size=1 "$LAB_APPS_DIR/lab-app.mjs" >>/var/log/app/app.log 2>&1 </dev/null &`,
  );
  await waitFor(`the app on ${host}:8081`, async () => {
    const r = await ctx.lab.exec(
      ctx.host.name,
      `curl -sf -o /dev/null --max-time 1 http://${host}:8081/healthz`,
      { allowFail: true },
    );
    return r.code === 0;
  });
}

const hogCgroup = (ctx: ScenarioContext) => path.join(ctx.lab.cfg.cgroupDir, `${ctx.host.name}-hog`);

/**
 * Runs `command` (a program that allocates until it dies; host.env is sourced) inside the host, in a 96 MB memory cgroup
 * of its own, and waits until the kernel has killed it.
 */
async function oomKillHog(ctx: ScenarioContext, command: string): Promise<void> {
  const { stdout } = await exec(
    ctx,
    `. /usr/local/etc/lab/host.env; nohup ${command} </dev/null >/dev/null 2>&1 & echo $!`,
  );
  const inner = Number(stdout.trim());
  const pid = await outerPid(ctx.host.netns, inner);
  if (pid === undefined) throw new Error(`lab: the memory hog (pid ${inner} inside) did not start`);
  const dir = hogCgroup(ctx);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'memory.limit_in_bytes'), String(96 * 1024 * 1024));
  await writeFile(path.join(dir, 'cgroup.procs'), String(pid));
  await waitFor('the kernel to OOM-kill the memory hog', async () => {
    const r = await ctx.lab.exec(ctx.host.name, `kill -0 ${inner}`, { allowFail: true });
    return r.code !== 0;
  });
}

const removeHogCgroup = async (ctx: ScenarioContext) => {
  await rmdir(hogCgroup(ctx)).catch(() => {});
};

const NODE_HOG = `"$LAB_NODE" -e 'const a=[];setInterval(()=>a.push(Buffer.alloc(16<<20,1)),20)'`;
const PYTHON_HOG = `python3 -c 'import time
a=[]
while True:
    a.append(b"x"*(16<<20)); time.sleep(0.02)'`;

export const MISREAD_SCENARIOS: Scenario[] = [
  // C02: nothing listens where nginx dials; the app server is up on another port/socket/address.
  {
    name: 'wrong-address-gunicorn-port',
    expectedCause: 'upstream-wrong-address',
    summary: 'gunicorn was moved to 127.0.0.1:8001; nginx still proxies /py/ to 8000 (C02)',
    needs: ['nginx', 'gunicorn'],
    drive: { path: '/py/', count: 2 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: rx(`\\[error\\] .*${REFUSED}, .*upstream: "http://127\\.0\\.0\\.1:8000/py/"`),
      hostCheck: { command: 'ss -ltnp', pattern: /127\.0\.0\.1:8001 .*gunicorn/ },
    },
    apply: async (ctx) => {
      await gunicornOn(ctx, '127.0.0.1:8001');
    },
  },
  {
    name: 'wrong-address-php-tcp',
    expectedCause: 'upstream-wrong-address',
    summary:
      'fastcgi_pass 127.0.0.1:9000 (the tutorial default); the php-fpm pool listens on its unix socket (C02)',
    needs: ['nginx', 'php-fpm'],
    drive: { path: '/php/', count: 2 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: rx(`\\[error\\] .*${REFUSED}, .*upstream: "fastcgi://127\\.0\\.0\\.1:9000"`),
      hostCheck: { command: 'ss -lxp', pattern: /php8\.2-fpm\.sock .*php-fpm/ },
    },
    apply: async (ctx) => {
      await reconfigureNginx(ctx.lab, ctx.host.name, { phpPass: '127.0.0.1:9000' });
    },
  },
  {
    name: 'wrong-address-localhost-ipv6',
    expectedCause: 'upstream-wrong-address',
    summary:
      'app_backend names localhost:8081, which resolves to ::1 and 127.0.0.1; the app listens on 127.0.0.1 only (C02, IPv4 retry hides it)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 4 },
    expect: {
      status: 200,
      statusMatch: 'all',
      errorLog: rx(`\\[error\\] .*${REFUSED}, .*upstream: "http://\\[::1\\]:8081/"`),
      hostCheck: { command: 'getent ahosts localhost', pattern: /^::1\s/m },
    },
    apply: async (ctx) => {
      // Lab hosts run without IPv6; a stock host has ::1 on lo, `::1 localhost` in /etc/hosts and
      // some non-loopback IPv6 address, without which getaddrinfo(AI_ADDRCONFIG) leaves ::1 out.
      await exec(ctx, 'sysctl -qw net.ipv6.conf.lo.disable_ipv6=0 && ip -6 addr add fd0d:502::1/128 dev lo');
      await ctx.lab.writeFile(
        ctx.host.name,
        '/etc/hosts',
        `::1 localhost ip6-localhost ip6-loopback\n${renderEtcHosts(ctx.lab.hosts)}`,
      );
      await reconfigureNginx(ctx.lab, ctx.host.name, { appServers: ['localhost:8081'] });
    },
    restoreElsewhere: async (ctx) => {
      await exec(ctx, 'ip -6 addr flush dev lo 2>/dev/null; sysctl -qw net.ipv6.conf.lo.disable_ipv6=1');
    },
  },
  {
    name: 'wrong-address-interface',
    expectedCause: 'upstream-wrong-address',
    summary: 'the app binds to the host address on eth0; nginx dials 127.0.0.1:8081 (C02)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 2 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: rx(`\\[error\\] .*${REFUSED}, .*upstream: "http://127\\.0\\.0\\.1:8081/"`),
      hostCheck: { command: 'ss -ltn', pattern: /10\.88\.\d+\.\d+:8081 / },
    },
    apply: async (ctx) => {
      await appOn(ctx, ctx.host.address);
    },
  },
  // C26: the app answers 502/503 itself; nginx relays it. Each variant writes $upstream_* its own way.
  {
    name: 'returned-502-us-quoted',
    expectedCause: 'upstream-returned-502',
    summary: 'the app answers 502; log_format has us="$upstream_status" but no $upstream_header_time (C26)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 3 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: null,
      accessLog: /" 502 \d+ .* ua="127\.0\.0\.1:8081" us="502" urt="[\d.]+"$/,
    },
    apply: async (ctx) => {
      await setAppMode(ctx.lab, ctx.host.name, { mode: 'status', status: 502 });
      await reconfigureNginx(ctx.lab, ctx.host.name, {
        logFormat: {
          name: 'main_ext',
          format: combined('ua="$upstream_addr" us="$upstream_status" urt="$upstream_response_time"'),
        },
      });
    },
  },
  {
    name: 'returned-503-kv-unquoted',
    expectedCause: 'upstream-returned-502',
    summary: 'the app answers 503; a key=value log_format without quotes or the combined prefix (C26)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 3 },
    expect: {
      status: 503,
      statusMatch: 'all',
      errorLog: null,
      accessLog:
        /status=503 upstream_addr=127\.0\.0\.1:8081 upstream_status=503 upstream_response_time=[\d.]+/,
    },
    apply: async (ctx) => {
      await setAppMode(ctx.lab, ctx.host.name, { mode: 'status', status: 503 });
      await reconfigureNginx(ctx.lab, ctx.host.name, {
        logFormat: {
          name: 'kv',
          format:
            'time=$time_iso8601 client=$remote_addr method=$request_method uri=$request_uri status=$status upstream_addr=$upstream_addr upstream_status=$upstream_status upstream_response_time=$upstream_response_time request_time=$request_time',
        },
      });
    },
  },
  {
    name: 'returned-502-json',
    expectedCause: 'upstream-returned-502',
    summary: 'the app answers 502; log_format escape=json with keys of its own (C26)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 3 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: null,
      accessLog: /"status":502,.*"backend":"127\.0\.0\.1:8081","backend_status":"502"/,
    },
    apply: async (ctx) => {
      await setAppMode(ctx.lab, ctx.host.name, { mode: 'status', status: 502 });
      await reconfigureNginx(ctx.lab, ctx.host.name, {
        logFormat: {
          name: 'json_combined',
          escape: 'json',
          format:
            '{"ts":"$time_iso8601","client":"$remote_addr","req":"$request","status":$status,"backend":"$upstream_addr","backend_status":"$upstream_status","backend_time":"$upstream_response_time","rt":$request_time}',
        },
      });
    },
  },
  {
    name: 'returned-502-retried',
    expectedCause: 'upstream-returned-502',
    summary:
      'two peers both answer 502; proxy_next_upstream http_502 retries; unquoted lists "502, 502" (C26)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 3 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: null,
      accessLog: /upstream_status=502, 502 upstream_addr=127\.0\.0\.1:8081, 127\.0\.0\.1:8081 /,
    },
    apply: async (ctx) => {
      await setAppMode(ctx.lab, ctx.host.name, { mode: 'status', status: 502 });
      await reconfigureNginx(ctx.lab, ctx.host.name, {
        // max_fails=0: the 502s must not mark the peers down (no "no live upstreams" line).
        appServers: ['127.0.0.1:8081 max_fails=0', '127.0.0.1:8081 max_fails=0'],
        appNextUpstream: 'error timeout http_502',
        logFormat: {
          name: 'retries',
          format: combined(
            'upstream_status=$upstream_status upstream_addr=$upstream_addr upstream_response_time=$upstream_response_time rt=$request_time',
          ),
        },
      });
    },
  },
  // C28: refused (or missing socket) for a moment while the app restarted; it answers since.
  {
    name: 'restart-window-gunicorn',
    expectedCause: 'restart-window',
    summary: 'gunicorn was restarted a moment ago: a burst of refused connections on /py/, healthy now (C28)',
    needs: ['nginx', 'gunicorn'],
    drive: { path: '/py/', count: 3 },
    expect: {
      status: 200,
      statusMatch: 'all',
      errorLog: rx(`\\[error\\] .*${REFUSED}, .*upstream: "http://127\\.0\\.0\\.1:8000/py/"`),
      logs: [{ file: '/var/log/gunicorn/error.log', pattern: /Listening at: http:\/\/127\.0\.0\.1:8000/ }],
    },
    apply: async (ctx) => {
      await service(ctx, 'stop', 'gunicorn');
      await burst(ctx, '/py/', 3);
      await sleep(1000);
      await service(ctx, 'start', 'gunicorn');
    },
  },
  {
    name: 'restart-window-php-fpm',
    expectedCause: 'restart-window',
    summary: 'php-fpm was restarted a moment ago: its socket was missing for a burst, healthy now (C28)',
    needs: ['nginx', 'php-fpm'],
    drive: { path: '/php/', count: 2 },
    expect: {
      status: 200,
      statusMatch: 'all',
      errorLog: rx(`\\[crit\\] .*connect\\(\\) to unix:/run/php/php8\\.2-fpm\\.sock ${ENOENT}`),
    },
    apply: async (ctx) => {
      await service(ctx, 'stop', 'php-fpm');
      await burst(ctx, '/php/', 3);
      await sleep(1000);
      await service(ctx, 'start', 'php-fpm');
    },
  },
  // C11 only when it is the app's process: here another program is killed while the app is down.
  {
    name: 'oom-unrelated-node',
    expectedCause: 'upstream-down',
    alsoCauses: ['upstream-oom-killed'],
    summary:
      'the Node app is stopped; later the kernel OOM-kills another node process on the host: the kill is context (C01 first)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 2 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: rx(`\\[error\\] .*${REFUSED}, .*upstream: "http://127\\.0\\.0\\.1:8081/"`),
      kernelLog: /Memory cgroup out of memory: Killed process \d+ \(node\)/,
      hostCheck: { command: 'lab-service status app', pattern: /^app stopped$/m },
    },
    apply: async (ctx) => {
      await service(ctx, 'stop', 'app');
      await burst(ctx, '/', 3);
      // Clearly after the refusals, beyond the drift of dmesg's stamps from the wall clock.
      await sleep(5000);
      await oomKillHog(ctx, NODE_HOG);
    },
    restoreElsewhere: removeHogCgroup,
  },
  {
    name: 'oom-unrelated-python',
    expectedCause: 'upstream-down',
    alsoCauses: ['upstream-oom-killed'],
    summary:
      'the Node app is stopped; later the kernel OOM-kills a python3 batch job on the host: the kill is context (C01 first)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 2 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: rx(`\\[error\\] .*${REFUSED}, .*upstream: "http://127\\.0\\.0\\.1:8081/"`),
      kernelLog: /Memory cgroup out of memory: Killed process \d+ \(python3\)/,
      hostCheck: { command: 'lab-service status app', pattern: /^app stopped$/m },
    },
    apply: async (ctx) => {
      await service(ctx, 'stop', 'app');
      await burst(ctx, '/', 3);
      // Clearly after the refusals, beyond the drift of dmesg's stamps from the wall clock.
      await sleep(5000);
      await oomKillHog(ctx, PYTHON_HOG);
    },
    restoreElsewhere: removeHogCgroup,
  },
];
