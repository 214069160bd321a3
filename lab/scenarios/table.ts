/**
 * Every fault the lab can produce, one entry per scenario. Signatures are the lines nginx 1.22,
 * php-fpm 8.2, gunicorn 20.1, OpenSSH 9.2 and the kernel really write here (each is checked by a
 * test in test/lab/); catalog references are to ../shared/reference/nginx-502-catalog.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deadAddress } from '../config.js';
import { renderEtcHosts } from '../host-fs.js';
import { httpRequest } from '../http-client.js';
import { PHP_SOCKET } from '../nginx-config.js';
import { PHP_FPM_LOG } from '../php-fpm-config.js';
import {
  appPidOutside,
  nftApply,
  reconfigureNginx,
  setAppMode,
  writeHostEnv,
  writeNginxConf,
  writePhpPool,
} from './host-actions.js';
import { APACHE_SCENARIOS } from './table-apache.js';
import { APP_SERVER_SCENARIOS } from './table-app-servers.js';
import { LOG_LINE_SCENARIOS } from './table-log-lines.js';
import { LOG_FILE_SCENARIOS } from './table-logs.js';
import { MISREAD_SCENARIOS } from './table-misread.js';
import { PUMA_SCENARIOS } from './table-puma.js';
import type { Scenario, ScenarioContext } from './types.js';

const SOCK = '/run/php/php8\\.2-fpm\\.sock';
const rx = (source: string) => new RegExp(source);

const REFUSED = 'connect\\(\\) failed \\(111: Connection refused\\) while connecting to upstream';
const TIMEOUT_CONNECT = 'upstream timed out \\(110: Connection timed out\\) while connecting to upstream';
const TIMEOUT_HEADER =
  'upstream timed out \\(110: Connection timed out\\) while reading response header from upstream';
const PREMATURE = 'upstream prematurely closed connection while reading response header from upstream';
const RESET_HEADER =
  'recv\\(\\) failed \\(104: Connection reset by peer\\) while reading response header from upstream';

const service = (ctx: ScenarioContext, action: 'start' | 'stop' | 'restart', name: string) =>
  ctx.lab.service(ctx.host.name, action, name);
const exec = (ctx: ScenarioContext, command: string) => ctx.lab.exec(ctx.host.name, command);

function appHostOf(ctx: ScenarioContext): { name: string; address: string } {
  if (!ctx.host.appHost) throw new Error(`lab: ${ctx.host.name} has no app host (is it a web host?)`);
  return ctx.host.appHost;
}

/** A firewall the way an operator writes one: the stock `inet filter` table, an output rule. */
const outputRule = (rule: string) => `table inet filter {
  chain output {
    type filter hook output priority filter; policy accept;
    ${rule}
  }
}
`;

export const SCENARIOS: Scenario[] = [
  {
    name: 'healthy',
    expectedCause: 'no-502-evidence',
    summary: 'everything answers; no upstream errors',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 3 },
    expect: { status: 200, statusMatch: 'all', errorLog: null, accessLog: /" 200 \d+ .* us="200"/ },
    apply: async () => {},
  },
  {
    name: 'app-down',
    expectedCause: 'upstream-down',
    summary: 'the Node app behind / is stopped (C01)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 3 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: rx(`\\[error\\] \\d+#\\d+: \\*\\d+ ${REFUSED}, .*upstream: "http://127\\.0\\.0\\.1:8081/"`),
      hostCheck: { command: 'lab-service status app', pattern: /^app stopped$/m },
    },
    apply: async (ctx) => {
      await service(ctx, 'stop', 'app');
    },
  },
  {
    name: 'socket-missing',
    expectedCause: 'socket-missing',
    summary: 'php-fpm is stopped, so its unix socket is gone (C03)',
    needs: ['nginx', 'php-fpm'],
    drive: { path: '/php/', count: 2 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: rx(
        `\\[crit\\] .*connect\\(\\) to unix:${SOCK} failed \\(2: No such file or directory\\) while connecting to upstream`,
      ),
      hostCheck: { command: 'ls /run/php/', pattern: /^$/ },
    },
    apply: async (ctx) => {
      await service(ctx, 'stop', 'php-fpm');
    },
  },
  {
    name: 'socket-permission',
    expectedCause: 'socket-permission',
    summary: 'php-fpm socket owned by root:root mode 0600; nginx workers run as www-data (C05)',
    needs: ['nginx', 'php-fpm'],
    drive: { path: '/php/', count: 2 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: rx(
        `\\[crit\\] .*connect\\(\\) to unix:${SOCK} failed \\(13: Permission denied\\) while connecting to upstream`,
      ),
      hostCheck: { command: `stat -c '%U:%G %a' ${PHP_SOCKET}`, pattern: /^root:root 600$/m },
    },
    apply: async (ctx) => {
      await writePhpPool(ctx.lab, ctx.host.name, {
        listenOwner: 'root',
        listenGroup: 'root',
        listenMode: '0600',
      });
      await service(ctx, 'restart', 'php-fpm');
    },
  },
  {
    name: 'upstream-slow',
    expectedCause: 'upstream-slow',
    summary: 'the app takes 6 s, proxy_read_timeout is 3 s (C13)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 2, concurrency: 2 },
    expect: {
      status: 504,
      statusMatch: 'all',
      errorLog: rx(`\\[error\\] .*${TIMEOUT_HEADER}, .*upstream: "http://127\\.0\\.0\\.1:8081/"`),
      accessLog: /" 504 \d+ .* us="504" uct="[\d.]+" uht="-" urt="3\.\d+"/,
    },
    apply: async (ctx) => {
      await setAppMode(ctx.lab, ctx.host.name, { mode: 'slow', delayMs: 6000 });
    },
  },
  {
    name: 'header-too-big',
    expectedCause: 'header-too-big',
    summary: 'the app sends a 16 KB Set-Cookie; proxy_buffer_size is one page (C15)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 2 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: /\[error\] .*upstream sent too big header while reading response header from upstream/,
    },
    apply: async (ctx) => {
      await setAppMode(ctx.lab, ctx.host.name, { mode: 'huge-header', bytes: 16384 });
    },
  },
  {
    name: 'firewall-drop',
    expectedCause: 'network-blocked',
    summary: 'nftables on the web host drops its packets to the app host :8080 (C07, DROP)',
    needs: ['nginx'],
    drive: { path: '/remote/', count: 2, concurrency: 2 },
    expect: {
      status: 504,
      statusMatch: 'all',
      errorLog: rx(
        `\\[error\\] .*${TIMEOUT_CONNECT}, .*upstream: "http://10\\.88\\.\\d+\\.\\d+:8080/remote/"`,
      ),
      hostCheck: { command: 'nft list ruleset', pattern: /tcp dport 8080 drop/ },
    },
    apply: async (ctx) => {
      const app = appHostOf(ctx);
      await nftApply(ctx.lab, ctx.host.name, outputRule(`ip daddr ${app.address} tcp dport 8080 drop`));
    },
  },
  {
    name: 'firewall-reject',
    expectedCause: 'network-blocked',
    summary: 'nftables rejects web -> app :8080 with icmp host-unreachable, the firewalld way (C07, REJECT)',
    needs: ['nginx'],
    drive: { path: '/remote/', count: 2 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: /\[error\] .*connect\(\) failed \(113: No route to host\) while connecting to upstream/,
      hostCheck: { command: 'nft list ruleset', pattern: /tcp dport 8080 reject with icmp host-unreachable/ },
    },
    apply: async (ctx) => {
      const app = appHostOf(ctx);
      await nftApply(
        ctx.lab,
        ctx.host.name,
        outputRule(`ip daddr ${app.address} tcp dport 8080 reject with icmp type host-unreachable`),
      );
    },
  },
  {
    name: 'wrong-port',
    expectedCause: 'upstream-wrong-address',
    summary: 'nginx points app_backend at 8082; the app listens on 8081 (C02)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 2 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: rx(`\\[error\\] .*${REFUSED}, .*upstream: "http://127\\.0\\.0\\.1:8082/"`),
      hostCheck: { command: 'ss -ltn', pattern: /127\.0\.0\.1:8081 / },
    },
    apply: async (ctx) => {
      await reconfigureNginx(ctx.lab, ctx.host.name, { appServers: ['127.0.0.1:8082'] });
    },
  },
  {
    name: 'socket-stale',
    expectedCause: 'socket-stale',
    summary: 'php-fpm was killed -9: its socket file is left behind with nobody listening (C04)',
    needs: ['nginx', 'php-fpm'],
    drive: { path: '/php/', count: 2 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: rx(
        `\\[error\\] .*connect\\(\\) to unix:${SOCK} failed \\(111: Connection refused\\) while connecting to upstream`,
      ),
      hostCheck: {
        command: `test -S ${PHP_SOCKET} && echo socket-file-present; ss -xl | grep -q php8.2-fpm.sock || echo no-listener`,
        pattern: /socket-file-present\nno-listener/,
      },
    },
    apply: async (ctx) => {
      // SIGKILL leaves no chance to unlink the socket; the children go too, or they would keep accepting.
      await exec(ctx, 'm=$(cat /run/php/php8.2-fpm.pid); kill -9 $m $(ps -o pid= --ppid $m)');
    },
  },
  {
    name: 'php-max-children',
    expectedCause: 'worker-pool-exhausted',
    summary: 'pm.max_children = 1 and four parallel 2 s PHP requests; fastcgi_read_timeout is 3 s (C08)',
    needs: ['nginx', 'php-fpm'],
    drive: { path: '/php/?sleep=2', count: 4, concurrency: 4 },
    expect: {
      status: 504,
      statusMatch: 'some',
      errorLog: rx(`\\[error\\] .*${TIMEOUT_HEADER}, .*upstream: "fastcgi://unix:${SOCK}:?"`),
      logs: [
        {
          file: PHP_FPM_LOG,
          pattern: /WARNING: \[pool www\] server reached pm\.max_children setting \(1\), consider raising it/,
        },
      ],
    },
    apply: async (ctx) => {
      await writePhpPool(ctx.lab, ctx.host.name, { maxChildren: 1 });
      await service(ctx, 'restart', 'php-fpm');
    },
  },
  {
    name: 'gunicorn-worker-timeout',
    expectedCause: 'app-worker-timeout',
    summary: 'a 6 s request on gunicorn --timeout 3: the arbiter kills the worker (C09)',
    needs: ['nginx', 'gunicorn'],
    drive: { path: '/py/?sleep=6', count: 1 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: rx(`\\[error\\] .*${PREMATURE}, .*upstream: "http://127\\.0\\.0\\.1:8000/py/\\?sleep=6"`),
      logs: [{ file: '/var/log/gunicorn/error.log', pattern: /\[CRITICAL\] WORKER TIMEOUT \(pid:\d+\)/ }],
    },
    apply: async () => {},
  },
  {
    name: 'app-crash-mid-request',
    expectedCause: 'upstream-crash',
    summary: 'the Node app throws an uncaught exception while handling the request and exits (C10)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 1 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: rx(
        `\\[error\\] .*(${PREMATURE}|${RESET_HEADER}), .*upstream: "http://127\\.0\\.0\\.1:8081/"`,
      ),
      logs: [
        { file: '/var/log/app/app.log', pattern: /Error: lab-app: simulated crash while handling GET \// },
      ],
      hostCheck: { command: 'lab-service status app', pattern: /^app stopped$/m },
    },
    apply: async (ctx) => {
      await setAppMode(ctx.lab, ctx.host.name, { mode: 'crash' });
    },
  },
  {
    name: 'keepalive-race',
    expectedCause: 'keepalive-race',
    summary:
      'the app closes kept-alive upstream connections as nginx reuses them; POSTs are not retried (C12)',
    needs: ['nginx', 'app'],
    drive: { path: '/api/orders', count: 4, method: 'POST', bodyBytes: 64 },
    expect: {
      status: 502,
      statusMatch: 'some',
      errorLog: rx(
        `\\[error\\] .*${PREMATURE}, .*request: "POST /api/orders HTTP/1\\.1", upstream: "http://127\\.0\\.0\\.1:8081/api/orders"`,
      ),
      logs: [{ file: '/var/log/app/app.log', pattern: /closing idle keep-alive connection/ }],
    },
    apply: async (ctx) => {
      await setAppMode(ctx.lab, ctx.host.name, { mode: 'keepalive-race' });
    },
  },
  {
    name: 'protocol-mismatch',
    expectedCause: 'protocol-mismatch',
    summary: 'fastcgi_pass points at the HTTP app on 127.0.0.1:8081 (C16)',
    needs: ['nginx', 'app', 'php-fpm'],
    drive: { path: '/php/', count: 2 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog:
        /\[error\] .*upstream sent unsupported FastCGI protocol version: 72 while reading response header from upstream/,
    },
    apply: async (ctx) => {
      await reconfigureNginx(ctx.lab, ctx.host.name, { phpPass: '127.0.0.1:8081' });
    },
  },
  {
    name: 'invalid-header',
    expectedCause: 'protocol-mismatch',
    summary: 'the app answers with a NUL byte inside a header name (C16)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 2 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: /\[error\] .*upstream sent invalid header.* while reading response header from upstream/,
    },
    apply: async (ctx) => {
      await setAppMode(ctx.lab, ctx.host.name, { mode: 'invalid-header' });
    },
  },
  {
    name: 'tls-to-plain-port',
    expectedCause: 'upstream-tls-error',
    summary: 'proxy_pass https:// to the plain-HTTP app (C17)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 2 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: /\[(error|crit)\] .*SSL_do_handshake\(\) failed .* while SSL handshaking to upstream/,
    },
    apply: async (ctx) => {
      await reconfigureNginx(ctx.lab, ctx.host.name, { appScheme: 'https' });
    },
  },
  {
    name: 'dns-failure',
    expectedCause: 'dns-failure',
    summary: 'proxy_pass with a variable resolves per request through a resolver that does not answer (C18)',
    needs: ['nginx'],
    drive: { path: '/remote/', count: 1 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: /\[error\] .*app-\d+\.lab could not be resolved \(110: Operation timed out\)/,
    },
    apply: async (ctx) => {
      const app = appHostOf(ctx);
      await reconfigureNginx(ctx.lab, ctx.host.name, {
        remote: { kind: 'resolver', resolver: deadAddress(ctx.lab.cfg), name: `${app.name}.lab`, port: 8080 },
      });
    },
  },
  {
    name: 'no-live-upstreams',
    expectedCause: 'upstream-down',
    alsoCauses: ['no-live-upstreams'],
    summary: 'app_backend has two servers (8081, 8083), both down: every peer is marked failed (C01 + C21)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 3 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog:
        /\[error\] .*no live upstreams while connecting to upstream, .*upstream: "http:\/\/app_backend\/"/,
      errorLogAlso: [rx(REFUSED)],
    },
    apply: async (ctx) => {
      await reconfigureNginx(ctx.lab, ctx.host.name, { appServers: ['127.0.0.1:8081', '127.0.0.1:8083'] });
      await service(ctx, 'stop', 'app');
    },
  },
  {
    name: 'worker-connections',
    expectedCause: 'worker-connections-exhausted',
    summary:
      'worker_connections 5 and four parallel slow requests: no slot for the upstream connection (C24)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 4, concurrency: 4 },
    expect: {
      status: 500,
      statusMatch: 'some',
      errorLog: /\[alert\] .*5 worker_connections are not enough while connecting to upstream/,
    },
    apply: async (ctx) => {
      await setAppMode(ctx.lab, ctx.host.name, { mode: 'slow', delayMs: 1500 });
      await reconfigureNginx(ctx.lab, ctx.host.name, { workerConnections: 5 });
    },
  },
  {
    name: 'fd-exhausted',
    expectedCause: 'fd-exhausted',
    summary:
      'worker_rlimit_nofile leaves the worker one free descriptor: the client gets it, the upstream cannot (C23)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 2 },
    expect: {
      status: 500,
      statusMatch: 'all',
      errorLog: /\[alert\] .*socket\(\) failed \(24: Too many open files\) while connecting to upstream/,
      hostCheck: {
        command: 'grep "Max open files" /proc/$(pgrep -P "$(cat /run/nginx.pid)" | head -1)/limits',
        pattern: /Max open files\s+\d{1,2}\s+\d{1,2}\s+files/,
      },
    },
    apply: async (ctx) => {
      // Count a fresh worker's descriptors at rest (logs, listen socket, epoll, channel), then allow
      // one more. A restart, not a reload: during a reload the master holds extra descriptors and
      // the new worker would die in epoll_create().
      await service(ctx, 'restart', 'nginx');
      const { stdout } = await exec(ctx, 'ls /proc/$(pgrep -P "$(cat /run/nginx.pid)" | head -1)/fd | wc -l');
      await writeNginxConf(ctx.lab, ctx.host.name, { workerRlimitNofile: Number(stdout.trim()) + 1 });
      await service(ctx, 'restart', 'nginx');
    },
  },
  {
    name: 'disk-full',
    expectedCause: 'disk-full',
    summary: "nginx's client body temp dir is a full 64k filesystem; a 256 KB POST must be buffered (C25)",
    needs: ['nginx', 'app'],
    drive: { path: '/upload', count: 2, method: 'POST', bodyBytes: 256 * 1024 },
    expect: {
      status: 500,
      statusMatch: 'all',
      errorLog:
        /\[crit\] .*pwritev?\(\) "\/var\/lib\/nginx\/body\/\d+" failed \(28: No space left on device\)/,
      hostCheck: { command: 'df -P /var/lib/nginx/body', pattern: /100% \/var\/lib\/nginx\/body/ },
    },
    apply: async (ctx) => {
      await exec(
        ctx,
        'mount -t tmpfs -o size=64k,mode=0700,uid=33,gid=33 lab-body /var/lib/nginx/body && ' +
          'dd if=/dev/zero of=/var/lib/nginx/body/leftover.tmp bs=4k count=64 2>/dev/null; true',
      );
    },
  },
  {
    name: 'upstream-returned-502',
    expectedCause: 'upstream-returned-502',
    summary: 'the app answers 502 itself; nginx only relays it (C26)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 3 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: null,
      accessLog: /" 502 \d+ .* us="502" uct="[\d.]+" uht="[\d.]+"/,
    },
    apply: async (ctx) => {
      await setAppMode(ctx.lab, ctx.host.name, { mode: 'status', status: 502 });
    },
  },
  {
    name: 'nginx-config-invalid',
    expectedCause: 'nginx-config-invalid',
    summary:
      'a deploy moved the app to 8082 and edited nginx, but the reload failed on a typo: nginx still proxies to 8081',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 2 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog:
        /\[emerg\] \d+#\d+: unknown directive "proxy_passs" in \/etc\/nginx\/conf\.d\/deploy\.conf:\d+/,
      errorLogAlso: [rx(`${REFUSED}, .*upstream: "http://127\\.0\\.0\\.1:8081/"`)],
      hostCheck: {
        command: 'nginx -t 2>&1',
        pattern: /configuration file \/etc\/nginx\/nginx\.conf test failed/,
      },
    },
    apply: async (ctx) => {
      await writeHostEnv(ctx.lab, ctx.host.name, { appPort: 8082 });
      await service(ctx, 'restart', 'app');
      await writeNginxConf(ctx.lab, ctx.host.name, { appServers: ['127.0.0.1:8082'] });
      await ctx.lab.writeFile(
        ctx.host.name,
        '/etc/nginx/conf.d/deploy.conf',
        'server {\n    listen 8088;\n    location / {\n        proxy_passs http://127.0.0.1:8082;\n    }\n}\n',
      );
      // A reload signal straight to the master (RHEL's `systemctl reload` sends HUP): the master
      // logs [emerg] to the error log and keeps running the old config.
      await exec(ctx, 'kill -HUP "$(cat /run/nginx.pid)"');
    },
  },
  {
    name: 'nginx-down',
    expectedCause: 'nginx-down',
    summary: 'nginx itself is stopped: clients get connection refused, nothing is logged',
    needs: ['nginx'],
    drive: { path: '/', count: 2 },
    expect: {
      status: 0,
      statusMatch: 'all',
      errorLog: null,
      hostCheck: { command: 'lab-service status nginx', pattern: /^nginx stopped$/m },
    },
    apply: async (ctx) => {
      await service(ctx, 'stop', 'nginx');
    },
  },
  {
    name: 'oom-killed',
    expectedCause: 'upstream-oom-killed',
    summary: 'the app runs in a 160 MB memory cgroup and allocates until the kernel kills it (C11)',
    needs: ['nginx', 'app'],
    drive: { path: '/report', count: 1 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: rx(
        `\\[error\\] .*(${PREMATURE}|${RESET_HEADER}), .*upstream: "http://127\\.0\\.0\\.1:8081/report"`,
      ),
      kernelLog: /Memory cgroup out of memory: Killed process \d+ \(node\)/,
      hostCheck: { command: 'lab-service status app', pattern: /^app stopped$/m },
    },
    apply: async (ctx) => {
      const dir = path.join(ctx.lab.cfg.cgroupDir, ctx.host.name);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'memory.limit_in_bytes'), String(160 * 1024 * 1024));
      await writeFile(path.join(dir, 'cgroup.procs'), String(await appPidOutside(ctx.lab, ctx.host.name)));
      await setAppMode(ctx.lab, ctx.host.name, { mode: 'alloc', chunkMb: 16 });
    },
  },
  {
    name: 'restart-window',
    expectedCause: 'restart-window',
    summary: 'the app was restarted a moment ago: a burst of refused connections, healthy again now (C28)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 3 },
    expect: {
      status: 200,
      statusMatch: 'all',
      errorLog: rx(`\\[error\\] .*${REFUSED}, .*upstream: "http://127\\.0\\.0\\.1:8081/"`),
      logs: [{ file: '/var/log/app/app.log', pattern: /\[info\] lab-app listening on 127\.0\.0\.1:8081/ }],
    },
    apply: async (ctx) => {
      await service(ctx, 'stop', 'app');
      for (let i = 0; i < 3; i++) await httpRequest({ address: ctx.host.address, path: '/' });
      await service(ctx, 'start', 'app');
    },
  },
  {
    name: 'ssh-unreachable',
    expectedCause: 'host-unreachable',
    summary: 'sshd is stopped: the web still works, the diagnosis cannot log in',
    needs: ['sshd', 'nginx'],
    drive: { path: '/', count: 1 },
    expect: { status: 200, statusMatch: 'all', errorLog: null, ssh: /Connection refused/ },
    apply: async (ctx) => {
      await service(ctx, 'stop', 'sshd');
    },
  },
  {
    name: 'host-key-changed',
    expectedCause: 'host-key-mismatch',
    summary: 'the host key was regenerated (a rebuilt machine); known_hosts still pins the old one',
    needs: ['sshd', 'nginx'],
    drive: { path: '/', count: 1 },
    expect: {
      status: 200,
      statusMatch: 'all',
      errorLog: null,
      ssh: /REMOTE HOST IDENTIFICATION HAS CHANGED[\s\S]*Host key verification failed/,
    },
    apply: async (ctx) => {
      await exec(
        ctx,
        "rm -f /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key.pub && ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key",
      );
      await service(ctx, 'restart', 'sshd');
    },
  },
  {
    name: 'ephemeral-ports',
    expectedCause: 'ephemeral-ports-exhausted',
    summary: 'ip_local_port_range is two ports wide and four slow requests need upstream connections (C22)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 4, concurrency: 4 },
    expect: {
      status: 502,
      statusMatch: 'some',
      errorLog:
        /\[crit\] .*connect\(\) to 127\.0\.0\.1:8081 failed \(99: Cannot assign requested address\) while connecting to upstream/,
      hostCheck: { command: 'sysctl -n net.ipv4.ip_local_port_range', pattern: /^40000\s+40001$/m },
    },
    apply: async (ctx) => {
      await setAppMode(ctx.lab, ctx.host.name, { mode: 'slow', delayMs: 1500 });
      await exec(ctx, 'sysctl -qw net.ipv4.ip_local_port_range="40000 40001"');
    },
  },
  {
    name: 'address-changed',
    expectedCause: 'upstream-address-changed',
    summary:
      'the app host moved to a new address; /etc/hosts knows, nginx still uses the one it resolved at start (C19)',
    needs: ['nginx'],
    drive: { path: '/remote/', count: 1 },
    expect: {
      status: 504,
      statusMatch: 'all',
      errorLog: rx(
        `\\[error\\] .*${TIMEOUT_CONNECT}, .*upstream: "http://10\\.88\\.\\d+\\.2[1-5]\\d:8080/remote/"`,
      ),
      hostCheck: { command: 'getent hosts app-1', pattern: /^10\.88\.\d+\.25[1-4]\s+app-1/m },
    },
    apply: async (ctx) => {
      const app = ctx.lab.host(appHostOf(ctx).name);
      const moved = movedAddress(ctx.lab.cfg.subnetPrefix, app.lastOctet);
      await ctx.lab.exec(
        app.name,
        `ip addr add ${moved}/24 dev eth0 && ip addr del ${app.address}/24 dev eth0`,
      );
      const hosts = ctx.lab.hosts.map((h) => (h.name === app.name ? { ...h, address: moved } : h));
      await ctx.lab.writeFile(ctx.host.name, '/etc/hosts', renderEtcHosts(hosts));
    },
    restoreElsewhere: async (ctx) => {
      const app = ctx.lab.host(appHostOf(ctx).name);
      const moved = movedAddress(ctx.lab.cfg.subnetPrefix, app.lastOctet);
      await ctx.lab.exec(
        app.name,
        `ip addr replace ${app.address}/24 dev eth0; ip addr del ${moved}/24 dev eth0 2>/dev/null; true`,
      );
    },
  },
  {
    name: 'app-stuck',
    expectedCause: 'upstream-not-accepting',
    summary: 'the app is frozen (SIGSTOP) with a listen backlog of 1: new connections are not accepted (C14)',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 4, concurrency: 4 },
    expect: {
      status: 504,
      statusMatch: 'all',
      errorLog: rx(`\\[error\\] .*${TIMEOUT_CONNECT}, .*upstream: "http://127\\.0\\.0\\.1:8081/"`),
      hostCheck: { command: 'ps -o stat= -p $(cat /run/lab-app/app.pid)', pattern: /^T/m },
    },
    apply: async (ctx) => {
      await writeHostEnv(ctx.lab, ctx.host.name, { appBacklog: 1 });
      await service(ctx, 'restart', 'app');
      // A fresh worker holds no kept-alive connection that would bypass the full backlog.
      await reconfigureNginx(ctx.lab, ctx.host.name, {});
      await exec(ctx, 'kill -STOP $(cat /run/lab-app/app.pid)');
    },
  },
  {
    name: 'request-too-large',
    expectedCause: 'request-too-large',
    summary: 'the app resets connections whose body is over 64 KB; clients POST 256 KB (C27)',
    needs: ['nginx', 'app'],
    drive: { path: '/upload', count: 2, method: 'POST', bodyBytes: 256 * 1024 },
    expect: {
      status: 502,
      statusMatch: 'all',
      errorLog: rx(
        `\\[error\\] .*((writev|sendfile|send|recv|readv)\\(\\) failed \\((32|104): [^)]*\\) while (sending request to|reading response header from) upstream|${PREMATURE})`,
      ),
      logs: [{ file: '/var/log/app/app.log', pattern: /request body of 262144 bytes is over the limit/ }],
    },
    apply: async (ctx) => {
      await setAppMode(ctx.lab, ctx.host.name, { mode: 'reject-body', maxBytes: 65536 });
    },
  },
  {
    name: 'host-overload',
    expectedCause: 'host-overload',
    summary:
      'two runaway CPU burners (nice 19, self-ending after 5 min) on the web host; load is machine-wide',
    needs: ['nginx', 'app'],
    drive: { path: '/', count: 2 },
    expect: {
      status: 200,
      statusMatch: 'all',
      errorLog: null,
      hostCheck: {
        command: 'ps -eo stat=,args= | grep "[l]ab-cpu-burner"',
        pattern: /^RN\+?\s+lab-cpu-burner/m,
      },
    },
    apply: async (ctx) => {
      await exec(
        ctx,
        `for i in 1 2; do
          nohup nice -n 19 bash -c 'exec -a lab-cpu-burner bash -c "end=\\$((SECONDS+300)); while [ \\$SECONDS -lt \\$end ]; do :; done"' >/dev/null 2>&1 &
          echo $! > /run/lab/burner.$i.pid
        done`,
      );
    },
  },
  ...MISREAD_SCENARIOS,
  ...LOG_LINE_SCENARIOS,
  ...APP_SERVER_SCENARIOS,
  ...PUMA_SCENARIOS,
  ...APACHE_SCENARIOS,
  ...LOG_FILE_SCENARIOS,
];

export function findScenario(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`lab: no scenario "${name}" (known: ${SCENARIOS.map((x) => x.name).join(', ')})`);
  return s;
}

/** Where the address-changed scenario moves an app host (.251-.254 are never planned). */
function movedAddress(prefix: string, lastOctet: number): string {
  return `${prefix}.${251 + (lastOctet % 4)}`;
}
