import { describe, expect, it } from 'vitest';
import { parseNginxConfig } from '../../../src/parse/parse-nginx-config.js';
import type { UpstreamTarget } from '../../../src/parse/types.js';
import { nginxConfigProbe } from '../../../src/probes/defs/nginx-config.js';

const http = (body: string): string => `events {}\nhttp {\n${body}\n}\n`;
const summary = (ts: UpstreamTarget[] | undefined): string[] =>
  (ts ?? []).map((t) =>
    t.kind === 'tcp'
      ? `${t.scheme}://${t.host}:${t.port}${t.group ? ` <${t.group}>` : ''}`
      : t.kind === 'unix'
        ? `${t.scheme}+unix:${t.path}${t.group ? ` <${t.group}>` : ''}`
        : `variable ${t.scheme} ${t.expr}`,
  );

describe('targets: host in a literal `set`, URI in other variables (issue 18 item 5)', () => {
  it('the Nginx Proxy Manager shape resolves to the concrete host', () => {
    const cfg = parseNginxConfig(
      http(`server { set $forward_scheme https; set $server "10.0.0.5"; set $port 8443;
        location / { proxy_pass $forward_scheme://$server:$port$request_uri; } }`),
    );
    expect(summary(cfg.targets)).toEqual([
      // The variable target keeps the pass's own guess; the resolved one carries the `set` scheme.
      'variable http $forward_scheme://$server:$port$request_uri',
      'https://10.0.0.5:8443',
    ]);
  });

  it('captures, $args and named captures in the URI leave the host as set', () => {
    const cfg = parseNginxConfig(
      http(`server { set $app 10.0.0.7; set $p 3000;
        location ~ ^/a/(.*)$ { proxy_pass http://$app:$p/$1; }
        location ~ ^/b/(?<rest>.*)$ { proxy_pass http://$app:$p/b/$rest?$args; }
        location /c { proxy_pass http://10.0.0.8:4000/$arg_page; } }`),
    );
    expect(summary(cfg.targets).filter((t) => !t.startsWith('variable'))).toEqual([
      'http://10.0.0.7:3000',
      'http://10.0.0.8:4000',
    ]);
    expect(cfg.targets.find((t) => t.kind === 'tcp')?.via[0]).toMatch(/\(= http:\/\/10\.0\.0\.7:3000\/…\)$/);
  });

  it('a capture or header in the host part is not guessed', () => {
    const cfg = parseNginxConfig(
      http(`server { set $p 3000;
        location ~ ^/(\\w+)/ { proxy_pass http://$1:$p; }
        location /h { proxy_pass http://$http_x_backend$request_uri; }
        location /u { proxy_pass http://unix:/run/$1.sock:/; } }`),
    );
    expect(cfg.targets.every((t) => t.kind === 'variable')).toBe(true);
  });
});

describe('targets: memcached_pass', () => {
  it('literal host:port, unix socket and a group; no port and no group is nothing to dial', () => {
    const cfg = parseNginxConfig(
      http(`upstream mc { server 10.0.0.9:11211; server 10.0.0.10:11211; }
        server { location /a { set $memcached_key $uri; memcached_pass 127.0.0.1:11211; }
          location /b { memcached_pass unix:/run/memcached/memcached.sock; }
          location /c { memcached_pass mc; memcached_read_timeout 2s; }
          location /d { memcached_pass cachehost; } }`),
    );
    expect(summary(cfg.targets)).toEqual([
      'memcached://127.0.0.1:11211',
      'memcached+unix:/run/memcached/memcached.sock',
      'memcached://10.0.0.9:11211 <mc>',
      'memcached://10.0.0.10:11211 <mc>',
    ]);
    const c = cfg.passes.find((p) => p.location === '/c');
    expect(c).toMatchObject({
      directive: 'memcached_pass',
      scheme: 'memcached',
      group: 'mc',
      readTimeoutS: 2,
    });
  });
});

describe('targets: a group used only through a variable keeps its scheme', () => {
  it('fastcgi_pass $pool reaches the groups as FastCGI, not HTTP', () => {
    const cfg = parseNginxConfig(
      http(`upstream php82 { server 127.0.0.1:9082; } upstream php74 { server unix:/run/php/php7.4-fpm.sock; }
        server { location ~ \\.php$ { fastcgi_pass $pool; } }`),
    );
    expect(summary(cfg.targets)).toEqual([
      'variable fastcgi $pool',
      'fastcgi://127.0.0.1:9082 <php82>',
      'fastcgi+unix:/run/php/php7.4-fpm.sock <php74>',
    ]);
  });

  it('a map naming the group gives it the scheme of the pass that reads the map', () => {
    const cfg = parseNginxConfig(
      http(`map $http_content_type $grpc_pool { default grpc_main; }
        map $host $web_pool { default web_main; }
        upstream grpc_main { server 10.0.0.20:50051; } upstream web_main { server 10.0.0.21:8080; }
        server { location /rpc { grpc_pass grpc://$grpc_pool; } location / { proxy_pass http://$web_pool; } }`),
    );
    expect(summary(cfg.targets).filter((t) => !t.startsWith('variable'))).toEqual([
      'grpc://10.0.0.20:50051 <grpc_main>',
      'http://10.0.0.21:8080 <web_main>',
    ]);
  });
});

describe('stream {} targets: listed as context, never probed', () => {
  it('groups and addresses of stream servers, tcp or udp, apart from the HTTP targets', () => {
    const cfg = parseNginxConfig(
      `events {}\nhttp { server { location / { proxy_pass http://127.0.0.1:8080; } } }
stream { upstream db { server 10.0.0.30:5432; server 10.0.0.31:5432 backup; }
  server { listen 5432; proxy_pass db; }
  server { listen 53 udp; proxy_pass 10.0.0.53:53; }
  server { listen 6000; proxy_pass $backend; } }\n`,
    );
    expect(summary(cfg.targets)).toEqual(['http://127.0.0.1:8080']);
    expect(summary(cfg.streamTargets)).toEqual([
      'tcp://10.0.0.30:5432 <db>',
      'tcp://10.0.0.31:5432 <db>',
      'udp://10.0.0.53:53',
      'variable tcp $backend',
    ]);
  });

  it('the check line names them as context, apart from the upstream targets it checks', () => {
    const text = `events {}\nhttp { server { location / { proxy_pass http://127.0.0.1:8080; } } }
stream { server { listen 53 udp; proxy_pass 10.0.0.53:53; } }\n`;
    const line = nginxConfigProbe.check(
      { dump: { installed: true, version: '1.22.1', exitCode: 0, text }, config: parseNginxConfig(text) },
      { result: () => undefined } as never,
    );
    expect(line.summary).toBe(
      'nginx -t ok (1.22.1), 1 upstream target; 1 stream {} target (TCP/UDP, not checked: no HTTP 502 there)',
    );
  });

  it('no stream block, no field (the JSON shape only grows when there is something to say)', () => {
    expect(parseNginxConfig(http('server { }')).streamTargets).toBeUndefined();
  });
});
