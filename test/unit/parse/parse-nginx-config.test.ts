import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { globMatcher } from '../../../src/parse/nginx-include.js';
import { parseConfigText } from '../../../src/parse/nginx-tokenize.js';
import {
  parseNginxConfig,
  parseNginxSize,
  parseNginxTestOutput,
  parseNginxTimeS,
} from '../../../src/parse/parse-nginx-config.js';
import type { NginxDirective, PassSite } from '../../../src/parse/types.js';

const DEBIAN = readFileSync(new URL('./fixtures/debian-nginx-T.txt', import.meta.url), 'utf8');

function site(sites: PassSite[], location: string | undefined, target?: string): PassSite {
  const s = sites.find((p) => p.location === location && (target === undefined || p.target === target));
  if (!s) throw new Error(`no pass site at ${location}`);
  return s;
}

describe('parseNginxConfig: Debian nginx -T', () => {
  const cfg = parseNginxConfig(DEBIAN);

  it('lists the dumped files in dump order and parses without errors', () => {
    expect(cfg.files[0]).toBe('/etc/nginx/nginx.conf');
    expect(cfg.files).toContain('/etc/nginx/snippets/fastcgi-php.conf');
    expect(cfg.files).toHaveLength(11);
    expect(cfg.parseErrors).toBeUndefined();
  });

  it('reads the main-context settings', () => {
    expect(cfg.user).toBe('www-data');
    expect(cfg.workerProcesses).toBe('auto');
    expect(cfg.workerConnections).toBe(768);
    expect(cfg.workerRlimitNofile).toBeUndefined();
  });

  it('expands globbed and relative includes in place, sorted like glob(3)', () => {
    const http = cfg.tree.find((d) => d.name === 'http')?.block ?? [];
    expect(http.some((d) => d.name === 'include')).toBe(false);
    expect(http.find((d) => d.name === 'types')?.file).toBe('/etc/nginx/mime.types');
    const servers = http.filter((d) => d.name === 'server');
    expect(servers.map((s) => s.file)).toEqual([
      '/etc/nginx/sites-enabled/api.example.com',
      '/etc/nginx/sites-enabled/default',
    ]);
    // `include snippets/fastcgi-php.conf;` then, inside it, `include fastcgi.conf;`: both relative to /etc/nginx.
    const php = servers[1]?.block?.find((d) => d.name === 'location' && d.args[1] === '\\.php$');
    const names = php?.block?.map((d) => `${d.name}@${d.file.split('/').pop()}:${d.line}`) ?? [];
    expect(names).toContain('fastcgi_split_path_info@fastcgi-php.conf:2');
    expect(names).toContain('fastcgi_param@fastcgi.conf:2');
    expect(names).toContain('fastcgi_pass@default:27');
    expect(cfg.tree.filter((d) => d.name === 'load_module').map((d) => d.args[0])).toEqual([
      'modules/ngx_http_geoip2_module.so',
      'modules/ngx_stream_module.so',
    ]);
  });

  it('reads error_log/access_log/log_format with their levels and formats', () => {
    expect(cfg.errorLogs).toEqual([
      { path: '/var/log/nginx/error.log' },
      { path: '/var/log/nginx/example.error.log', level: 'warn' },
    ]);
    expect(cfg.accessLogs).toEqual([
      { path: '/var/log/nginx/access.log', format: 'combined' },
      { path: '/var/log/nginx/example.access.log', format: 'upstream_time' },
    ]);
    expect(cfg.logFormats.upstream_time).toBe(
      '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time ua="$upstream_addr" us="$upstream_status" uct="$upstream_connect_time" uht="$upstream_header_time" urt="$upstream_response_time"',
    );
    expect(cfg.tempPaths).toEqual(['/var/cache/nginx/proxy_temp', '/var/cache/nginx/client_temp']);
  });

  it('reads the upstream group with server params, keepalive and zone', () => {
    expect(cfg.upstreams).toEqual([
      {
        name: 'backend',
        servers: [
          { address: '127.0.0.1:8000', params: ['max_fails=3', 'fail_timeout=10s'] },
          { address: '10.0.0.12:8000', params: ['backup'] },
          { address: 'app3.internal', params: [] },
          { address: '10.0.0.13:8000', params: ['down'] },
        ],
        keepalive: 32,
        keepaliveTimeoutS: 4,
        zone: 'backend',
        file: '/etc/nginx/conf.d/upstreams.conf',
        line: 6,
      },
    ]);
  });

  it('fastcgi_pass to the php-fpm socket: fastcgi_* timeouts only (http proxy_read_timeout does not apply)', () => {
    const php = site(cfg.passes, '~ \\.php$');
    expect(php).toMatchObject({
      directive: 'fastcgi_pass',
      target: 'unix:/run/php/php8.2-fpm.sock',
      scheme: 'fastcgi',
      serverNames: ['example.com', 'www.example.com'],
      listen: ['80', '[::]:80'],
      file: '/etc/nginx/sites-enabled/default',
      line: 27,
      connectTimeoutS: 60,
      sendTimeoutS: 60,
      readTimeoutS: 300,
      bufferSizeBytes: 32768,
      resolvers: [],
    });
  });

  it('proxy timeouts inherit http -> server -> location -> nested location', () => {
    const api = site(cfg.passes, '/api/');
    expect(api).toMatchObject({ group: 'backend', connectTimeoutS: 5, sendTimeoutS: 60, readTimeoutS: 90 });
    expect(api.bufferSizeBytes).toBe(16384);
    const exp = site(cfg.passes, '/api/export');
    expect(exp).toMatchObject({ group: 'backend', connectTimeoutS: 5, readTimeoutS: 90, line: 38 });
    expect(exp.bufferSizeBytes).toBe(16384);
    expect(site(cfg.passes, '/legacy')).toMatchObject({ readTimeoutS: 90, connectTimeoutS: 60 });
    expect(site(cfg.passes, '/api/export').readTimeoutS).toBe(90);
  });

  it('a pass inside `if` belongs to its location', () => {
    expect(site(cfg.passes, '/status')).toMatchObject({ target: 'http://127.0.0.1:9100', readTimeoutS: 90 });
  });

  it('variable proxy_pass keeps the resolver in effect and the server-level send timeout', () => {
    const v = site(cfg.passes, '/', '$api_upstream');
    expect(v).toMatchObject({
      scheme: 'http',
      resolvers: ['127.0.0.53'],
      sendTimeoutS: 20,
      serverNames: ['api.example.com'],
      listen: ['443'],
    });
    expect(v.group).toBeUndefined();
  });

  it('schemes of grpc/uwsgi/https/unix passes', () => {
    expect(site(cfg.passes, '/grpc').scheme).toBe('grpc');
    expect(site(cfg.passes, '/uw').scheme).toBe('uwsgi');
    expect(site(cfg.passes, '/partner/').scheme).toBe('https');
    expect(site(cfg.passes, '/sock/').scheme).toBe('http');
  });

  it('targets: deduplicated concrete endpoints with their provenance', () => {
    const summary = cfg.targets.map((t) =>
      t.kind === 'tcp'
        ? `tcp ${t.scheme} ${t.host}:${t.port}${t.group ? ` <${t.group}>` : ''}`
        : t.kind === 'unix'
          ? `unix ${t.scheme} ${t.path}`
          : `var ${t.scheme} ${t.expr}`,
    );
    expect(summary).toEqual([
      'var http $api_upstream',
      'tcp http api.internal:5001',
      'tcp grpc 127.0.0.1:50051',
      'unix uwsgi /tmp/uwsgi.sock',
      'tcp https partner.example.net:443',
      'unix http /run/gunicorn/app.sock',
      'unix fastcgi /run/php/php8.2-fpm.sock',
      'tcp http 127.0.0.1:8000 <backend>',
      'tcp http 10.0.0.12:8000 <backend>',
      'tcp http app3.internal:80 <backend>',
      'tcp http localhost:5000',
      'tcp http 127.0.0.1:9100',
    ]);
    const backend = cfg.targets.find((t) => t.kind === 'tcp' && t.host === '127.0.0.1' && t.port === 8000);
    expect(backend?.via).toEqual([
      '/etc/nginx/sites-enabled/default:33 proxy_pass http://backend',
      '/etc/nginx/sites-enabled/default:38 proxy_pass http://backend',
    ]);
    const resolved = cfg.targets.find((t) => t.kind === 'tcp' && t.host === 'api.internal');
    expect(resolved?.via).toEqual([
      '/etc/nginx/sites-enabled/api.example.com:12 proxy_pass $api_upstream (= http://api.internal:5001)',
    ]);
  });
});

describe('targets: edge cases', () => {
  const http = (body: string): string => `events {}\nhttp {\n${body}\n}\n`;

  it('groups reached only through a variable are still probed; down servers never are', () => {
    const cfg = parseNginxConfig(
      http(`upstream api { server 10.1.0.1:9000; server 10.1.0.2:9000 down; server unix:/run/api.sock; }
        server { listen 80; location / { proxy_pass http://$http_x_pool; } }`),
    );
    expect(cfg.targets).toEqual([
      {
        kind: 'variable',
        expr: 'http://$http_x_pool',
        scheme: 'http',
        via: ['/etc/nginx/nginx.conf:4 proxy_pass http://$http_x_pool'],
      },
      {
        kind: 'tcp',
        host: '10.1.0.1',
        port: 9000,
        scheme: 'http',
        group: 'api',
        via: ['/etc/nginx/nginx.conf:3 upstream api (no literal *_pass names it)'],
      },
      {
        kind: 'unix',
        path: '/run/api.sock',
        scheme: 'http',
        group: 'api',
        via: ['/etc/nginx/nginx.conf:3 upstream api (no literal *_pass names it)'],
      },
    ]);
  });

  it('a variable only in the URI keeps the literal host; IPv6 and default ports', () => {
    const cfg = parseNginxConfig(
      http(`server { location /a { proxy_pass http://[::1]:5000$request_uri; }
        location /b { proxy_pass https://10.0.0.9; }
        location /c { grpc_pass grpcs://grpc.internal; } }`),
    );
    expect(cfg.targets.map((t) => (t.kind === 'tcp' ? `${t.host}|${t.port}|${t.scheme}` : t.kind))).toEqual([
      '::1|5000|http',
      '10.0.0.9|443|https',
      'grpc.internal|443|grpcs',
    ]);
  });

  it('`http://group$request_uri` still names the group (matched case-insensitively)', () => {
    const cfg = parseNginxConfig(
      http(
        'upstream App { server 127.0.0.1:3000; }\nserver { location / { proxy_pass http://app$request_uri; } }',
      ),
    );
    expect(cfg.passes[0]?.group).toBe('App');
    expect(cfg.targets).toMatchObject([{ kind: 'tcp', host: '127.0.0.1', port: 3000, group: 'App' }]);
  });

  it('upstream servers default to port 80 whatever the pass scheme (ngx_http_upstream_server)', () => {
    const cfg = parseNginxConfig(
      http('upstream tls { server secure.internal; }\nserver { location / { proxy_pass https://tls; } }'),
    );
    expect(cfg.targets).toMatchObject([
      { kind: 'tcp', host: 'secure.internal', port: 80, scheme: 'https', group: 'tls' },
    ]);
  });

  it('fastcgi_pass naming a group uses the group; a bare host without port is skipped', () => {
    const cfg = parseNginxConfig(
      http(
        'upstream php { server 127.0.0.1:9000; }\nserver { location / { fastcgi_pass php; } location /x { fastcgi_pass phpx; } }',
      ),
    );
    expect(cfg.passes.map((p) => p.group)).toEqual(['php', undefined]);
    expect(cfg.targets).toMatchObject([
      { kind: 'tcp', host: '127.0.0.1', port: 9000, scheme: 'fastcgi', group: 'php' },
    ]);
  });
});

describe('tokenizer (ngx_conf_read_token)', () => {
  const parse = (text: string): NginxDirective[] => {
    const r = parseConfigText(text, '/t.conf');
    expect(r.errors).toEqual([]);
    return r.directives;
  };

  it('quotes, escapes, comments and braced variables', () => {
    const [a, b, c, d] = parse(
      [
        'add_header X-Test "a \\"quoted\\" {value}; # not a comment";',
        "return 200 'it\\'s\\n';   # trailing comment",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: nginx `${var}` syntax
        'set $x ${host}_suffix;',
        'log_format f "$remote_addr#1" \'$status\';',
      ].join('\n'),
    );
    expect(a?.args).toEqual(['X-Test', 'a "quoted" {value}; # not a comment']);
    expect(b?.args).toEqual(['200', "it's\n"]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: nginx `${var}` syntax
    expect(c?.args).toEqual(['$x', '${host}_suffix']);
    expect(d).toMatchObject({ name: 'log_format', args: ['f', '$remote_addr#1', '$status'], line: 4 });
  });

  it('blocks, line numbers and *_by_lua_block bodies', () => {
    const [loc] = parse(
      [
        'location ~* ^/api/(v1|v2) {',
        '  content_by_lua_block {',
        '    local t = { a = "}" } -- } in a comment',
        '    ngx.say(t.a)',
        '  }',
        '  proxy_pass http://x;',
        '}',
      ].join('\n'),
    );
    expect(loc?.args).toEqual(['~*', '^/api/(v1|v2)']);
    expect(loc?.block?.map((d) => [d.name, d.line])).toEqual([
      ['content_by_lua_block', 2],
      ['proxy_pass', 6],
    ]);
    expect(loc?.block?.[0]?.args[0]).toContain('ngx.say(t.a)');
  });

  it('reports unbalanced braces instead of throwing', () => {
    expect(parseConfigText('http { server {', '/x.conf').errors).toEqual([
      '/x.conf:1: unexpected end of file, expecting "}"',
    ]);
    expect(parseConfigText('}', '/x.conf').errors).toEqual(['/x.conf:1: unexpected "}"']);
  });

  it('resolves ./ and ../ in includes, and keeps nginx -t lines out of the files wherever they land', () => {
    const cfg = parseNginxConfig(
      [
        '# configuration file /etc/nginx/nginx.conf:',
        'http { include ./conf.d/../sites/*.conf; }',
        '',
        '# configuration file /etc/nginx/sites/a.conf:',
        'server { location / { proxy_pass http://127.0.0.1:8080; } }',
        'nginx: [warn] the "http2_push" directive is obsolete, ignoring in /etc/nginx/sites/a.conf:3',
        '',
      ].join('\n'),
    );
    expect(cfg.parseErrors).toBeUndefined();
    expect(cfg.passes.map((p) => `${p.file}:${p.line}`)).toEqual(['/etc/nginx/sites/a.conf:1']);
    expect(
      parseNginxTestOutput('# configuration file /x:\nnginx: configuration file /x test is successful\n').ok,
    ).toBe(true);
  });

  it('records includes that are missing from the dump', () => {
    const cfg = parseNginxConfig(
      '# configuration file /etc/nginx/nginx.conf:\ninclude /etc/nginx/missing.conf;\n',
    );
    expect(cfg.parseErrors).toEqual([
      '/etc/nginx/nginx.conf:1: include /etc/nginx/missing.conf is not in the dump',
    ]);
  });
});

describe('glob(3) matching of include patterns', () => {
  it.each([
    ['/etc/nginx/sites-enabled/*', '/etc/nginx/sites-enabled/default', true],
    ['/etc/nginx/sites-enabled/*', '/etc/nginx/sites-enabled/.default.swp', false],
    ['/etc/nginx/sites-enabled/*', '/etc/nginx/sites-enabled/sub/x', false],
    ['/etc/nginx/conf.d/*.conf', '/etc/nginx/conf.d/app.conf', true],
    ['/etc/nginx/conf.d/*.conf', '/etc/nginx/conf.d/app.conf.bak', false],
    ['/etc/nginx/conf.d/[a-c]?.conf', '/etc/nginx/conf.d/b1.conf', true],
  ])('%s vs %s', (pattern, path, want) => {
    expect(globMatcher(pattern)(path)).toBe(want);
  });
});

describe('nginx -t output and units', () => {
  it('reads the test verdict', () => {
    expect(parseNginxTestOutput(DEBIAN)).toEqual({
      ok: true,
      lines: [
        'nginx: the configuration file /etc/nginx/nginx.conf syntax is ok',
        'nginx: configuration file /etc/nginx/nginx.conf test is successful',
      ],
    });
    const failed = parseNginxTestOutput(
      'nginx: [emerg] host not found in upstream "app:8000" in /etc/nginx/conf.d/app.conf:12\nnginx: configuration file /etc/nginx/nginx.conf test failed\n',
    );
    expect(failed.ok).toBe(false);
    expect(failed.lines[0]).toContain('host not found in upstream "app:8000"');
  });

  it.each([
    ['60', 60],
    ['60s', 60],
    ['1m30s', 90],
    ['500ms', 0.5],
    ['1h', 3600],
    ['2d', 172800],
    ['1m 30s', 90],
  ])('time %s -> %d s', (text, want) => {
    expect(parseNginxTimeS(text)).toBe(want);
  });

  it.each([
    ['4096', 4096],
    ['16k', 16384],
    ['16K', 16384],
    ['1m', 1048576],
  ])('size %s -> %d bytes', (text, want) => {
    expect(parseNginxSize(text)).toBe(want);
  });

  it('rejects values that are not nginx units', () => {
    expect(parseNginxTimeS('fast')).toBeUndefined();
    expect(parseNginxTimeS('')).toBeUndefined();
    expect(parseNginxSize('16kb')).toBeUndefined();
  });
});
