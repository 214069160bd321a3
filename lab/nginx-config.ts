/**
 * nginx.conf of a lab web host, rendered from settings so that scenarios change one field (an
 * upstream port, worker_connections, the resolver) and get an otherwise realistic config.
 * Timeouts are short on purpose: tests wait for them.
 */

import { APACHE_ADDRESS } from './apache-config.js';
import { PUMA_SOCKET } from './puma-config.js';
import type { HostSpec } from './topology.js';
import { UWSGI_SOCKET } from './uwsgi-config.js';

export const NGINX_ERROR_LOG = '/var/log/nginx/error.log';
export const NGINX_ACCESS_LOG = '/var/log/nginx/access.log';
export const PHP_SOCKET = '/run/php/php8.2-fpm.sock';

export type RemoteUpstream =
  /** An upstream{} block; names resolve once, at config load, from /etc/hosts. */
  | { kind: 'static'; servers: string[] }
  /** proxy_pass with a variable: resolved at request time through `resolver`. */
  | { kind: 'resolver'; resolver: string; name: string; port: number };

export interface NginxSettings {
  serverName: string;
  workerConnections: number;
  workerRlimitNofile?: number;
  /** Servers of `upstream app_backend` (the Node app at `/`). */
  appServers: string[];
  appScheme: 'http' | 'https';
  /** fastcgi_pass target at /php/, or none when the host runs no php-fpm. */
  phpPass?: string;
  /** SCRIPT_FILENAME at /php/ (default /srv/php/index.php). */
  phpScript?: string;
  gunicorn: boolean;
  uwsgi: boolean;
  puma: boolean;
  apache: boolean;
  remote?: RemoteUpstream;
  /** Another access-log format than `upstream_time` (scenarios that read other `log_format`s). */
  logFormat?: { name: string; format: string; escape?: 'json' | 'default' };
  /** `proxy_next_upstream` of location / (nginx's default: error timeout). */
  appNextUpstream?: string;
  /** Logs of the default server itself (per-site logs: its errors and requests go there, not to the main logs). */
  siteLogs?: { error: string; access: string };
  /** Shown at /lab-config, so a caller can tell when a reload has taken effect. */
  generation: number;
}

export function defaultNginxSettings(host: HostSpec): NginxSettings {
  return {
    serverName: host.name,
    workerConnections: 512,
    appServers: ['127.0.0.1:8081'],
    appScheme: 'http',
    phpPass: host.services.includes('php-fpm') ? `unix:${PHP_SOCKET}` : undefined,
    gunicorn: host.services.includes('gunicorn'),
    uwsgi: host.services.includes('uwsgi'),
    puma: host.services.includes('puma'),
    apache: host.services.includes('apache'),
    remote: host.appHost ? { kind: 'static', servers: [`${host.appHost.name}:8080`] } : undefined,
    generation: 1,
  };
}

// Catalog section 5.1 "upstream_time": the $upstream_* fields tell nginx-made 502s from passed-through ones.
const LOG_FORMAT = `log_format upstream_time '$remote_addr - $remote_user [$time_local] "$request" '
        '$status $body_bytes_sent "$http_referer" "$http_user_agent" '
        'rt=$request_time ua="$upstream_addr" us="$upstream_status" '
        'uct="$upstream_connect_time" uht="$upstream_header_time" urt="$upstream_response_time" '
        'ul="$upstream_response_length" cs=$upstream_cache_status host="$host"';`;

function renderRemote(remote: RemoteUpstream): { upstream: string; location: string } {
  if (remote.kind === 'static') {
    return {
      upstream: `    upstream remote_backend {\n${remote.servers.map((s) => `        server ${s};\n`).join('')}    }\n`,
      location: `        location /remote/ {
            proxy_pass http://remote_backend;
            proxy_set_header Host $host;
            proxy_connect_timeout 2s;
            proxy_read_timeout 3s;
        }\n`,
    };
  }
  return {
    upstream: '',
    location: `        location /remote/ {
            # A variable in proxy_pass makes nginx resolve the name per request through "resolver".
            resolver ${remote.resolver} valid=10s ipv6=off;
            resolver_timeout 2s;
            set $remote_upstream ${remote.name};
            proxy_pass http://$remote_upstream:${remote.port};
            proxy_connect_timeout 2s;
            proxy_read_timeout 3s;
        }\n`,
  };
}

function renderLogFormat(s: NginxSettings): string {
  if (!s.logFormat) return `${LOG_FORMAT}\n    access_log ${NGINX_ACCESS_LOG} upstream_time;`;
  const { name, format } = s.logFormat;
  const esc = s.logFormat.escape ? ` escape=${s.logFormat.escape}` : '';
  return `log_format ${name}${esc} '${format}';\n    access_log ${NGINX_ACCESS_LOG} ${name};`;
}

export function renderNginxConf(s: NginxSettings): string {
  const remote = s.remote ? renderRemote(s.remote) : { upstream: '', location: '' };
  const php = s.phpPass
    ? `        location /php/ {
            include fastcgi_params;
            fastcgi_param SCRIPT_FILENAME ${s.phpScript ?? '/srv/php/index.php'};
            fastcgi_pass ${s.phpPass};
            fastcgi_read_timeout 3s;
        }\n`
    : '';
  const py = s.gunicorn
    ? `        location /py/ {
            proxy_pass http://127.0.0.1:8000;
            proxy_set_header Host $host;
            # Longer than gunicorn's --timeout (3 s): gunicorn kills a slow worker before nginx gives up.
            proxy_read_timeout 10s;
        }\n`
    : '';
  const uw = s.uwsgi
    ? `        location /uw/ {
            include uwsgi_params;
            uwsgi_pass ${UWSGI_SOCKET};
            uwsgi_connect_timeout 2s;
            # Longer than uWSGI's --harakiri (3 s): uWSGI kills a slow worker before nginx gives up.
            uwsgi_read_timeout 10s;
        }\n`
    : '';
  const rb = s.puma
    ? `        location /rb/ {
            proxy_pass http://unix:${PUMA_SOCKET};
            proxy_set_header Host $host;
            proxy_connect_timeout 2s;
            # Longer than puma kills a stuck worker (worker_timeout 6 s after its last check-in, one
            # every 5 s): the master's kill comes first; a request slower than this is a 504.
            proxy_read_timeout 8s;
        }\n`
    : '';
  const ap = s.apache
    ? `        location /ap/ {
            proxy_pass http://${APACHE_ADDRESS};
            proxy_set_header Host $host;
            proxy_connect_timeout 2s;
            # Longer than Apache's Timeout (3 s): Apache gives up on a silent CGI script first.
            proxy_read_timeout 8s;
        }\n`
    : '';
  return `# Generated by the diagnose502 lab (lab/nginx-config.ts) for ${s.serverName}, generation ${s.generation}.
user www-data;
worker_processes 1;
pid /run/nginx.pid;
error_log ${NGINX_ERROR_LOG} warn;
${s.workerRlimitNofile ? `worker_rlimit_nofile ${s.workerRlimitNofile};\n` : ''}
events {
    worker_connections ${s.workerConnections};
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;

    ${renderLogFormat(s)}

    upstream app_backend {
${s.appServers.map((a) => `        server ${a};\n`).join('')}        keepalive 16;
    }
${remote.upstream}
    server {
        listen 80 default_server;
        server_name ${s.serverName};
${s.siteLogs ? `        error_log ${s.siteLogs.error};\n        access_log ${s.siteLogs.access} upstream_time;\n` : ''}
        location = /lab-config {
            access_log off;
            default_type text/plain;
            return 200 "generation ${s.generation}\\n";
        }

        location / {
            proxy_pass ${s.appScheme}://app_backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_connect_timeout 2s;
            proxy_read_timeout 3s;
${s.appNextUpstream ? `            proxy_next_upstream ${s.appNextUpstream};\n` : ''}        }
${php}${py}${uw}${rb}${ap}${remote.location}    }

    include /etc/nginx/conf.d/*.conf;
}
`;
}
