/**
 * Issue 9, "lines real logs carry": faults whose nginx lines the classifier once missed, each in
 * more than one variant, produced for real on a lab host: errno 28 on proxy and FastCGI temp files,
 * errno 24 under load, errno 99 to an IPv6 peer on a host without IPv6, config errors from a reload
 * that failed (SIGHUP, as systemd sends it), and the error log written through a wrapper that prefixes each
 * line (docker `--timestamps`, compose, syslog). Tengine and third-party module wording cannot be
 * produced here (Debian's nginx 1.22 has neither): test/unit/parse covers those with verbatim lines.
 */
import { NGINX_ERROR_LOG } from '../nginx-config.js';
import { reconfigureNginx, setAppMode, writeHostEnv, writeNginxConf } from './host-actions.js';
import type { Scenario, ScenarioContext } from './types.js';

const exec = (ctx: ScenarioContext, command: string) => ctx.lab.exec(ctx.host.name, command);
const service = (ctx: ScenarioContext, action: 'start' | 'stop' | 'restart', name: string) =>
  ctx.lab.service(ctx.host.name, action, name);

const REFUSED_8081 =
  /connect\(\) failed \(111: Connection refused\) while connecting to upstream, .*upstream: "http:\/\/127\.0\.0\.1:8081\//;
const V6_99 =
  /\[crit\] \d+#\d+: \*\d+ connect\(\) to \[::1\]:8081 failed \(99: Cannot assign requested address\) while connecting to upstream/;

/**
 * A host without IPv6 (hardening, a container runtime): the lab's hosts start that way (lab/net.ts);
 * said again so the scenario holds on its own, and checked by hostCheck.
 */
const DISABLE_IPV6 =
  'sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.lo.disable_ipv6=1';

/** Fills a tiny tmpfs mounted over one of nginx's temp paths (restoreHost unmounts them). */
const fullTempPath = (dir: string) =>
  `mkdir -p ${dir} && mount -t tmpfs -o size=64k,mode=0700,uid=33,gid=33 lab-temp ${dir} && ` +
  `dd if=/dev/zero of=${dir}/leftover.tmp bs=4k count=64 2>/dev/null; true`;

/**
 * Memory buffers small enough that a multi-megabyte response must spill to the temp file (nginx
 * writes there once every buffer is busy with the client), http-level so the server inherits them.
 */
const SMALL_BUFFERS = (m: 'proxy' | 'fastcgi') =>
  `${m}_buffer_size 4k;\n${m}_buffers 2 4k;\n${m}_busy_buffers_size 4k;\n`;

/** 8 MB answer: a static file served by a second nginx server, the upstream of `/`. */
const STATIC_UPSTREAM = `server {
    listen 127.0.0.1:8089;
    access_log off;
    root /srv/big;
}
`;

const BIG_PHP = `<?php
// 8 MB of output, so that nginx must buffer the FastCGI response to fastcgi_temp_path.
header('Content-Type: application/octet-stream');
$line = str_repeat('x', 1023) . "\\n";
for ($i = 0; $i < 8192; $i++) {
    echo $line;
}
`;

/**
 * Reads nginx's error log from a FIFO and appends each line to the log file the inventory names,
 * with the prefix a log wrapper writes: docker's `--timestamps` RFC 3339 nanoseconds, compose's
 * `web-1  | `, or syslog's `Nov 25 10:01:02 web-1 nginx[pid]: `. Reopens the FIFO after every
 * writer closes it (`nginx -t` opens and closes it too).
 */
const PREFIXER = `import datetime, os, sys
kind, fifo, out_path, host = sys.argv[1:5]
out = open(out_path, 'a', buffering=1)
while True:
    with open(fifo, 'r', errors='replace') as f:
        for line in f:
            now = datetime.datetime.now(datetime.timezone.utc)
            if kind == 'docker':
                prefix = now.strftime('%Y-%m-%dT%H:%M:%S.') + '%06d000Z ' % now.microsecond
            elif kind == 'compose':
                prefix = host + '  | '
            else:
                prefix = now.astimezone().strftime('%b %d %H:%M:%S ') + host + ' nginx[%d]: ' % os.getpid()
            out.write(prefix + line)
`;
const FIFO = '/run/lab/nginx-error.fifo';

type PrefixKind = 'docker' | 'compose' | 'syslog';

/** Starts the prefixer (a burner: restoreHost kills it) and points the http{} error_log at its FIFO. */
async function wrapErrorLog(ctx: ScenarioContext, kind: PrefixKind): Promise<void> {
  await ctx.lab.writeFile(ctx.host.name, '/run/lab/prefix-log.py', PREFIXER);
  await exec(
    ctx,
    `rm -f ${FIFO} && mkfifo -m 0600 ${FIFO} && ` +
      `(setsid nohup python3 -u /run/lab/prefix-log.py ${kind} ${FIFO} ${NGINX_ERROR_LOG} ${ctx.host.name} </dev/null >/dev/null 2>&1 & echo $! > /run/lab/burner.prefix-log.pid)`,
  );
  // Request-time errors go to the http{} error_log; startup and reload lines stay in the main one.
  await ctx.lab.writeFile(ctx.host.name, '/etc/nginx/conf.d/wrapped-log.conf', `error_log ${FIFO} warn;\n`);
  await reconfigureNginx(ctx.lab, ctx.host.name, {});
}

const PREFIX_RE: Record<PrefixKind, string> = {
  docker: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z \\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d ',
  compose: '^web-\\d+ {2}\\| \\d{4}/\\d\\d/\\d\\d ',
  syslog: '^[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d web-\\d+ nginx\\[\\d+\\]: \\d{4}/\\d\\d/\\d\\d ',
};

/** A failed reload after a deploy moved the app to 8082: the old config keeps proxying to 8081. */
async function failedReload(ctx: ScenarioContext, deployConf: string): Promise<void> {
  await writeHostEnv(ctx.lab, ctx.host.name, { appPort: 8082 });
  await service(ctx, 'restart', 'app');
  await writeNginxConf(ctx.lab, ctx.host.name, { appServers: ['127.0.0.1:8082'] });
  await ctx.lab.writeFile(ctx.host.name, '/etc/nginx/conf.d/deploy.conf', deployConf);
  // The reload as systemd does it on RHEL (ExecReload=kill -s HUP $MAINPID): the master parses the
  // new config, logs [emerg] to its error log and keeps the old one. (`nginx -s reload` would parse in
  // the signalling process, which on Debian's build, --error-log-path=stderr, logs to stderr only.)
  await exec(ctx, 'kill -HUP "$(cat /run/nginx.pid)"');
}

/**
 * IPv6 on with a global address (getaddrinfo's AI_ADDRCONFIG, which nginx sets, ignores loopback)
 * and Debian's `::1 localhost` line: nginx resolves `server localhost:8081` to both families.
 * restoreHost turns IPv6 off again (the lab's hosts have none) and rewrites /etc/hosts.
 */
async function resolveLocalhostToBoth(ctx: ScenarioContext): Promise<void> {
  await exec(
    ctx,
    'sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.lo.disable_ipv6=0 && ' +
      'ip -6 addr add fd00:88::10/64 dev eth0 nodad',
  );
  const hosts = await ctx.lab.readFile(ctx.host.name, '/etc/hosts');
  await ctx.lab.writeFile(ctx.host.name, '/etc/hosts', `${hosts}::1 localhost ip6-localhost ip6-loopback\n`);
  await reconfigureNginx(ctx.lab, ctx.host.name, { appServers: ['localhost:8081'] });
}

const CONFIG_TEST_FAILS = {
  command: 'nginx -t 2>&1',
  pattern: /configuration file \/etc\/nginx\/nginx\.conf test failed/,
};

export const LOG_LINE_SCENARIOS: Scenario[] = [
  {
    name: 'disk-full-proxy-temp',
    expectedCause: 'disk-full',
    summary:
      'an 8 MB upstream response must spill to proxy_temp_path, a full 64k filesystem: pwrite() fails with 28, the body is cut (C25)',
    needs: ['nginx'],
    drive: { path: '/report.bin', count: 2 },
    expect: {
      status: 200,
      statusMatch: 'some',
      errorLog:
        /\[crit\] \d+#\d+: \*\d+ pwritev?\(\) "\/var\/lib\/nginx\/proxy\/[\d/]+" failed \(28: No space left on device\) while reading upstream/,
      hostCheck: { command: 'df -P /var/lib/nginx/proxy', pattern: /100% \/var\/lib\/nginx\/proxy/ },
    },
    apply: async (ctx) => {
      await exec(ctx, 'mkdir -p /srv/big && head -c 8388608 /dev/zero > /srv/big/report.bin');
      await ctx.lab.writeFile(
        ctx.host.name,
        '/etc/nginx/conf.d/report.conf',
        SMALL_BUFFERS('proxy') + STATIC_UPSTREAM,
      );
      await exec(ctx, fullTempPath('/var/lib/nginx/proxy'));
      await reconfigureNginx(ctx.lab, ctx.host.name, { appServers: ['127.0.0.1:8089'] });
    },
  },
  {
    name: 'disk-full-fastcgi-temp',
    expectedCause: 'disk-full',
    summary:
      'php-fpm answers 8 MB and fastcgi_temp_path (RHEL layout, /var/lib/nginx/tmp/fastcgi) is a full 64k filesystem: pwrite() fails with 28 (C25)',
    needs: ['nginx', 'php-fpm'],
    drive: { path: '/php/', count: 2 },
    expect: {
      status: 200,
      statusMatch: 'some',
      errorLog:
        /\[crit\] \d+#\d+: \*\d+ pwritev?\(\) "\/var\/lib\/nginx\/tmp\/fastcgi\/[\d/]+" failed \(28: No space left on device\) while reading upstream/,
      hostCheck: {
        command: 'df -P /var/lib/nginx/tmp/fastcgi',
        pattern: /100% \/var\/lib\/nginx\/tmp\/fastcgi/,
      },
    },
    apply: async (ctx) => {
      await ctx.lab.writeFile(ctx.host.name, '/srv/php/big.php', BIG_PHP);
      await exec(ctx, fullTempPath('/var/lib/nginx/tmp/fastcgi'));
      await ctx.lab.writeFile(
        ctx.host.name,
        '/etc/nginx/conf.d/report.conf',
        `fastcgi_temp_path /var/lib/nginx/tmp/fastcgi 1 2;\n${SMALL_BUFFERS('fastcgi')}`,
      );
      await reconfigureNginx(ctx.lab, ctx.host.name, { phpScript: '/srv/php/big.php' });
    },
  },
  {
    name: 'fd-exhausted-under-load',
    expectedCause: 'fd-exhausted',
    summary:
      'worker_rlimit_nofile leaves three spare descriptors and four slow requests arrive at once: socket() fails with 24 (C23)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 4, concurrency: 4, timeoutMs: 20_000 },
    expect: {
      status: 500,
      statusMatch: 'some',
      errorLog:
        /\[alert\] \d+#\d+: \*\d+ socket\(\) failed \(24: Too many open files\) while connecting to upstream/,
      hostCheck: {
        command: 'grep "Max open files" /proc/$(pgrep -P "$(cat /run/nginx.pid)" | head -1)/limits',
        pattern: /Max open files\s+\d{1,2}\s+\d{1,2}\s+files/,
      },
    },
    apply: async (ctx) => {
      // As fd-exhausted: count a fresh worker's descriptors at rest, restart (not reload) with the limit.
      await service(ctx, 'restart', 'nginx');
      const { stdout } = await exec(ctx, 'ls /proc/$(pgrep -P "$(cat /run/nginx.pid)" | head -1)/fd | wc -l');
      await writeNginxConf(ctx.lab, ctx.host.name, { workerRlimitNofile: Number(stdout.trim()) + 3 });
      await service(ctx, 'restart', 'nginx');
      await setAppMode(ctx.lab, ctx.host.name, { mode: 'slow', delayMs: 1500 });
    },
  },
  {
    name: 'fd-exhausted-reload',
    expectedCause: 'fd-exhausted',
    summary:
      "the master's open-file limit is two above what it holds; a reload that adds a listener fails at [emerg] socket() with 24, the old config keeps serving (C23)",
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 2 },
    expect: {
      status: 200,
      statusMatch: 'all',
      errorLog: /\[emerg\] \d+#\d+: socket\(\) 0\.0\.0\.0:8091 failed \(24: Too many open files\)/,
      hostCheck: { command: 'ss -Hltn "sport = :8091"', pattern: /^$/ },
    },
    apply: async (ctx) => {
      await ctx.lab.writeFile(
        ctx.host.name,
        '/etc/nginx/conf.d/status.conf',
        'server {\n    listen 8091;\n    return 204;\n}\n',
      );
      // As a too small LimitNOFILE would leave it: a reload parses the config (two files open at
      // once), reopens both logs (two more), then needs a socket for the new listener: no room.
      await exec(
        ctx,
        'm=$(cat /run/nginx.pid); n=$(ls /proc/$m/fd | wc -l); ' +
          'prlimit --pid "$m" --nofile=$((n + 2)):$((n + 2)) && kill -HUP "$m"',
      );
    },
  },
  {
    name: 'ipv6-off-localhost',
    expectedCause: 'upstream-wrong-address',
    summary:
      'upstream app_backend says localhost:8081, resolved to 127.0.0.1 and ::1 while the host had IPv6; then IPv6 was turned off: the ::1 tries fail with 99 (C02)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 4 },
    expect: {
      status: 200,
      statusMatch: 'all',
      errorLog: V6_99,
      accessLog: /" 200 \d+ .* ua="\[::1\]:8081, 127\.0\.0\.1:8081" us="502, 200"/,
      hostCheck: { command: 'sysctl -n net.ipv6.conf.lo.disable_ipv6', pattern: /^1$/m },
    },
    apply: async (ctx) => {
      await resolveLocalhostToBoth(ctx);
      await exec(ctx, DISABLE_IPV6);
    },
  },
  {
    name: 'ipv6-lo-off-localhost',
    expectedCause: 'upstream-wrong-address',
    summary:
      'upstream app_backend says localhost:8081 (127.0.0.1 and ::1); then IPv6 went off on lo only: the ::1 tries fail with 101, not a firewall (C02)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 4 },
    expect: {
      status: 200,
      statusMatch: 'all',
      errorLog:
        /\[error\] \d+#\d+: \*\d+ connect\(\) to \[::1\]:8081 failed \(101: Network is unreachable\) while connecting to upstream/,
      accessLog: /" 200 \d+ .* ua="\[::1\]:8081, 127\.0\.0\.1:8081" us="502, 200"/,
      hostCheck: { command: 'sysctl -n net.ipv6.conf.lo.disable_ipv6', pattern: /^1$/m },
    },
    apply: async (ctx) => {
      await resolveLocalhostToBoth(ctx);
      await exec(ctx, 'sysctl -qw net.ipv6.conf.lo.disable_ipv6=1');
    },
  },
  {
    name: 'ipv6-off-literal',
    expectedCause: 'upstream-wrong-address',
    summary:
      'upstream app_backend names [::1]:8081 on a host with IPv6 disabled: connect() fails with 99 at once (C02, not C22)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 3 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: V6_99,
      hostCheck: { command: 'sysctl -n net.ipv6.conf.lo.disable_ipv6', pattern: /^1$/m },
    },
    apply: async (ctx) => {
      await exec(ctx, DISABLE_IPV6);
      await reconfigureNginx(ctx.lab, ctx.host.name, { appServers: ['[::1]:8081'] });
    },
  },
  {
    name: 'ipv6-off-both-families',
    expectedCause: 'upstream-wrong-address',
    summary:
      'upstream app_backend lists 127.0.0.1:8081 and [::1]:8081, the host has no IPv6: the [::1] tries fail with 99 and are retried (C02)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 4 },
    expect: {
      status: 200,
      statusMatch: 'all',
      errorLog: V6_99,
      accessLog: /" 200 \d+ .* ua="\[::1\]:8081, 127\.0\.0\.1:8081" us="502, 200"/,
      hostCheck: { command: 'sysctl -n net.ipv6.conf.all.disable_ipv6', pattern: /^1$/m },
    },
    apply: async (ctx) => {
      await exec(ctx, DISABLE_IPV6);
      await reconfigureNginx(ctx.lab, ctx.host.name, { appServers: ['[::1]:8081', '127.0.0.1:8081'] });
    },
  },
  {
    name: 'reload-missing-include',
    expectedCause: 'nginx-config-invalid',
    summary:
      'a reload after a deploy whose server includes a snippet that was not shipped: [emerg] open() in the error log, nginx still proxies to 8081',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 2 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog:
        /\[emerg\] \d+#\d+: open\(\) "\/etc\/nginx\/snippets\/app-8082\.conf" failed \(2: No such file or directory\) in \/etc\/nginx\/conf\.d\/deploy\.conf:3/,
      errorLogAlso: [REFUSED_8081],
      hostCheck: CONFIG_TEST_FAILS,
    },
    apply: async (ctx) => {
      await failedReload(
        ctx,
        'server {\n    listen 8088;\n    include /etc/nginx/snippets/app-8082.conf;\n}\n',
      );
    },
  },
  {
    name: 'reload-duplicate-directive',
    expectedCause: 'nginx-config-invalid',
    summary:
      'a reload after a deploy that repeats proxy_pass in one location: [emerg] "proxy_pass" directive is duplicate, the old config keeps serving',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 2 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog:
        /\[emerg\] \d+#\d+: "proxy_pass" directive is duplicate in \/etc\/nginx\/conf\.d\/deploy\.conf:5/,
      errorLogAlso: [REFUSED_8081],
      hostCheck: CONFIG_TEST_FAILS,
    },
    apply: async (ctx) => {
      await failedReload(
        ctx,
        'server {\n    listen 8088;\n    location / {\n        proxy_pass http://127.0.0.1:8082;\n        proxy_pass http://127.0.0.1:8083;\n    }\n}\n',
      );
    },
  },
  {
    name: 'log-prefix-docker-app-down',
    expectedCause: 'upstream-down',
    summary:
      "nginx's error log goes through a docker --timestamps style wrapper; the app behind / is stopped (C01)",
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 3 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: new RegExp(`${PREFIX_RE.docker}\\[error\\] \\d+#\\d+: \\*\\d+ connect\\(\\) failed \\(111: `),
    },
    apply: async (ctx) => {
      await wrapErrorLog(ctx, 'docker');
      await service(ctx, 'stop', 'app');
    },
  },
  {
    name: 'log-prefix-compose-socket-missing',
    expectedCause: 'socket-missing',
    summary: "nginx's error log goes through a compose-style `web-1  | ` wrapper; php-fpm is stopped (C03)",
    needs: ['nginx', 'php-fpm'],
    drive: { path: '/php/', count: 2 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: new RegExp(
        `${PREFIX_RE.compose}\\d\\d:\\d\\d:\\d\\d \\[crit\\] .*connect\\(\\) to unix:\\S+ failed \\(2: No such file or directory\\)`,
      ),
    },
    apply: async (ctx) => {
      await wrapErrorLog(ctx, 'compose');
      await service(ctx, 'stop', 'php-fpm');
    },
  },
  {
    name: 'log-prefix-syslog-ipv6-off',
    expectedCause: 'upstream-wrong-address',
    summary:
      "nginx's error log goes through a syslog-style `host nginx[pid]:` wrapper; the upstream is [::1] on a host without IPv6 (C02)",
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 3 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: new RegExp(`${PREFIX_RE.syslog}\\d\\d:\\d\\d:\\d\\d ${V6_99.source}`),
    },
    apply: async (ctx) => {
      await wrapErrorLog(ctx, 'syslog');
      await exec(ctx, DISABLE_IPV6);
      await reconfigureNginx(ctx.lab, ctx.host.name, { appServers: ['[::1]:8081'] });
    },
  },
];
