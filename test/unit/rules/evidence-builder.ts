import type { Evidence, ServiceEvidence, TargetCheck, TargetState } from '../../../src/diagnosis/evidence.js';
import { parseErrorLog } from '../../../src/parse/parse-error-log.js';
import { parseNginxConfig } from '../../../src/parse/parse-nginx-config.js';
import type { UpstreamTarget } from '../../../src/parse/types.js';
import { accessStats, HEALTHY_ACCESS } from './log-builders.js';

/**
 * Test evidence that starts from a healthy Debian web host (nginx -> gunicorn `app` on 127.0.0.1:8081
 * via upstream app_backend, php8.2-fpm on a unix socket) and lets each case override parts. Logs and
 * `nginx -T` go through the real parsers, so the rules see what production sees.
 */

export const NOW_MS = Date.UTC(2026, 10, 21, 10, 15, 0);

/** A Debian-style `nginx -T` dump; line numbers of sites-enabled/default matter to the assertions. */
export function nginxDump(site: string, mainExtra = ''): string {
  return `nginx: the configuration file /etc/nginx/nginx.conf syntax is ok
nginx: configuration file /etc/nginx/nginx.conf test is successful
# configuration file /etc/nginx/nginx.conf:
user www-data;
worker_processes auto;
${mainExtra}events {
    worker_connections 768;
}
http {
    error_log /var/log/nginx/error.log;
    access_log /var/log/nginx/access.log;
    include /etc/nginx/sites-enabled/*;
}

# configuration file /etc/nginx/sites-enabled/default:
${site}`;
}

export const DEFAULT_SITE = `upstream app_backend {
    server 127.0.0.1:8081;
}
server {
    listen 80 default_server;
    server_name shop.example.com;
    location / {
        proxy_pass http://app_backend;
    }
    location ~ \\.php$ {
        include fastcgi_params;
        fastcgi_pass unix:/run/php/php8.2-fpm.sock;
    }
}
`;

export type TestEvidence = Evidence;

export function label(t: UpstreamTarget): string {
  if (t.kind === 'unix') return `unix:${t.path}`;
  if (t.kind === 'variable') return t.expr;
  return t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}

/** A probe result as the upstream probe reports an answering target. */
export function openCheck(target: UpstreamTarget): TargetCheck {
  return {
    target,
    state: 'open',
    detail: `${label(target)} accepts connections`,
    lines: target.kind === 'unix' ? [`srw-rw---- 1 www-data www-data 0 Nov 21 09:00 ${target.path}`] : [],
    ...(target.kind === 'unix'
      ? {
          socket: {
            owner: 'www-data',
            group: 'www-data',
            mode: '660',
            workerMayConnect: true,
            listening: true,
          },
        }
      : {}),
  };
}

export function service(
  name: string,
  kind: string,
  listening: string[],
  over: Partial<ServiceEvidence> = {},
): ServiceEvidence {
  return {
    name,
    kind,
    running: true,
    pids: [4100, 4101],
    ageS: 86_400,
    listening,
    logLines: [],
    settings: {},
    ...over,
  };
}

export function healthy(): TestEvidence {
  const config = parseNginxConfig(nginxDump(DEFAULT_SITE));
  return {
    host: 'web-3',
    collectedAtMs: NOW_MS,
    windowStartMs: NOW_MS - 15 * 60_000,
    utcOffsetMinutes: 0,
    nginx: {
      running: true,
      masterPid: 2120,
      workerPids: [2131, 2132],
      workerUser: 'www-data',
      masterAgeS: 864_000,
      workerAgeS: 86_400,
      version: '1.24.0',
      listening: ['0.0.0.0:80', '[::]:80'],
      configTestOk: true,
      configTestOutput: [
        'nginx: the configuration file /etc/nginx/nginx.conf syntax is ok',
        'nginx: configuration file /etc/nginx/nginx.conf test is successful',
      ],
      config,
      workerOpenFds: 42,
      workerFdLimit: 65_535,
    },
    errorLog: { path: '/var/log/nginx/error.log', entries: [], truncated: false, bytesRead: 18_211 },
    accessLog: accessStats(HEALTHY_ACCESS),
    targets: config.targets.map(openCheck),
    resources: {
      cpus: 4,
      load1: 0.4,
      load5: 0.5,
      memTotalKb: 8_000_000,
      memAvailableKb: 5_100_000,
      swapTotalKb: 2_000_000,
      swapFreeKb: 1_990_000,
      psi: { cpu: 1.2, memory: 0, io: 0.3 },
      disks: [
        {
          mount: '/',
          usedPct: 41,
          inodesUsedPct: 12,
          availKb: 30_000_000,
          line: '/dev/vda1 50G 20G 30G 41% /',
        },
      ],
      fileNr: { used: 2_100, max: 9_223_372 },
      timeWait: 120,
      ephemeralRange: { low: 32_768, high: 60_999 },
    },
    kernel: { oomKills: [], segfaults: [], other: [] },
    services: [
      service('app', 'gunicorn', ['127.0.0.1:8081'], { settings: { timeout: '30' } }),
      service('php8.2-fpm', 'php-fpm', ['/run/php/php8.2-fpm.sock'], {
        pids: [3100, 3101],
        settings: { 'pm.max_children': '5' },
      }),
    ],
    security: {
      selinux: 'disabled',
      apparmor: 'disabled',
      denials: [],
      blockingRules: [],
      firewallTool: 'nftables',
    },
    unavailable: {},
  };
}

/** Replace the error-log window with these lines, parsed by the real parser. */
export function withErrors<E extends Evidence>(ev: E, text: string): E {
  ev.errorLog = {
    path: '/var/log/nginx/error.log',
    entries: parseErrorLog(text),
    truncated: false,
    bytesRead: text.length,
  };
  return ev;
}

/** Replace config (and targets: every target open unless a case changes it) with a parsed `nginx -T`. */
export function withSite(ev: Evidence, site: string, mainExtra = ''): Evidence {
  ev.nginx.config = parseNginxConfig(nginxDump(site, mainExtra));
  ev.targets = ev.nginx.config.targets.map(openCheck);
  return ev;
}

/** Set the probe state of the target with this label (`127.0.0.1:8081`, `unix:/run/...`). */
export function setTarget(
  ev: Evidence,
  name: string,
  state: TargetState,
  detail: string,
  over: Partial<TargetCheck> = {},
): Evidence {
  const tc = ev.targets.find((t) => label(t.target) === name);
  if (!tc) throw new Error(`no target ${name} in ${ev.targets.map((t) => label(t.target)).join(', ')}`);
  // A probe that found something else than an open target reports its own lines (and no socket stat unless given).
  Object.assign(tc, { state, detail, lines: [], socket: state === 'open' ? tc.socket : undefined, ...over });
  return ev;
}

export function svc(ev: Evidence, name: string): ServiceEvidence {
  const s = ev.services.find((x) => x.name === name);
  if (!s) throw new Error(`no service ${name}`);
  return s;
}
