import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { logDirectives, logFiles } from '../../../src/parse/log-directives.js';
import { parseNginxConfig } from '../../../src/parse/parse-nginx-config.js';

const DEBIAN = readFileSync(new URL('./fixtures/debian-nginx-T.txt', import.meta.url), 'utf8');
// Captured from a lab host running the per-site-logs scenario (real nginx 1.22.1, `nginx -T 2>&1`,
// saved by test/lab/scenarios-logs.test.ts with D502_SAVE_NGINX_T set).
const LAB = readFileSync(new URL('./fixtures/lab-per-site-nginx-T.txt', import.meta.url), 'utf8');
const PER_SITE = readFileSync(new URL('./fixtures/per-site-logs-nginx-T.txt', import.meta.url), 'utf8');

const brief = (dump: string) =>
  logDirectives(parseNginxConfig(dump)).map((d) => [
    d.kind,
    d.target,
    d.context,
    d.serverNames.join(' '),
    d.location ?? '',
    d.kind === 'error' ? d.level : d.format,
    d.readable,
  ]);

describe('log directives at every level of nginx -T (issue 18 item 1)', () => {
  it('the stock Debian dump: the main error log, the http access log, and a site with its own two', () => {
    expect(brief(DEBIAN)).toEqual([
      ['error', '/var/log/nginx/error.log', 'main', '', '', 'error', true],
      ['access', '/var/log/nginx/access.log', 'http', '', '', 'combined', true],
      [
        'access',
        '/var/log/nginx/example.access.log',
        'server',
        'example.com www.example.com',
        '',
        'upstream_time',
        true,
      ],
      [
        'error',
        '/var/log/nginx/example.error.log',
        'server',
        'example.com www.example.com',
        '',
        'warn',
        true,
      ],
    ]);
    const site = logDirectives(parseNginxConfig(DEBIAN)).find((d) => d.format === 'upstream_time');
    expect(site?.formatString).toContain('us="$upstream_status"');
  });

  it('a dump with logs per site: server, location and if levels, off, syslog and stderr', () => {
    const all = logDirectives(parseNginxConfig(PER_SITE));
    const files = logFiles(all);
    // Every file nginx writes, once, with the sites writing to it.
    expect(files.map((f) => [f.kind, f.path, f.sites.join(' ')])).toEqual([
      ['error', '/var/log/nginx/error.log', ''],
      ['access', '/var/log/nginx/access.log', ''],
      // sites-enabled/* expands in name order, as nginx's glob does: blog before shop.
      ['error', '/var/log/nginx/blog.error.log', 'blog.example.com'],
      ['error', '/var/log/nginx/shop.error.log', 'shop.example.com'],
      ['access', '/var/log/nginx/shop.access.log', 'shop.example.com'],
      ['access', '/var/log/nginx/shop.api.access.log', 'shop.example.com'],
      ['access', '/var/log/nginx/shop.slow.access.log', 'shop.example.com'],
    ]);
    const api = all.find((d) => d.target === '/var/log/nginx/shop.api.access.log');
    expect([api?.context, api?.location, api?.format]).toEqual(['location', '/api/', 'upstream_time']);
    expect(all.find((d) => d.target === '/var/log/nginx/shop.slow.access.log')?.context).toBe('if');
    const unreadable = all.filter((d) => !d.readable).map((d) => [d.target, d.why?.split(':')[0]]);
    expect(unreadable).toEqual([
      ['syslog:server=unix:/dev/log,tag=blog', 'sent to syslog (server=unix'],
      ['stderr', 'written to stderr'],
      ['off', 'logging is off here'],
    ]);
  });

  it("the real dump of the lab host with per-site logs: the main logs and the server block's two, access off named", () => {
    expect(brief(LAB)).toEqual([
      ['error', '/var/log/nginx/error.log', 'main', '', '', 'warn', true],
      ['access', '/var/log/nginx/access.log', 'http', '', '', 'upstream_time', true],
      ['error', '/var/log/nginx/site.error.log', 'server', 'web-1', '', 'error', true],
      ['access', '/var/log/nginx/site.access.log', 'server', 'web-1', '', 'upstream_time', true],
      ['access', 'off', 'location', 'web-1', '= /lab-config', 'combined', false],
    ]);
  });

  it('never throws and invents nothing on a dump without logs', () => {
    expect(logDirectives(parseNginxConfig('events {}\nhttp { server { listen 80; } }\n'))).toEqual([]);
  });
});
