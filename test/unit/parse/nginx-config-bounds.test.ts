/**
 * Config dumps are bounded (issue 15): a legitimate large included file is read, and a hostile dump
 * (includes that double per level, blocks nested a million deep, a file past the size bound) is read
 * up to the bound, with the part left out named in `notRead`, never a throw (which made the host
 * inconclusive).
 */
import { describe, expect, it } from 'vitest';
import { MAX_EXPANDED_DIRECTIVES } from '../../../src/parse/nginx-include.js';
import { MAX_FILE_CHARS, parseNginxConfig } from '../../../src/parse/parse-nginx-config.js';

const file = (path: string, text: string) => `# configuration file ${path}:\n${text}\n`;
const SERVER = 'server { listen 80; location / { proxy_pass http://127.0.0.1:8080; } }';

describe('nginx -T dumps are read within bounds', () => {
  it('reads a 2.6 MiB included deny list (a RangeError before) and the server after it', () => {
    const deny = Array.from(
      { length: 160_000 },
      (_, i) => `deny 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255};`,
    ).join('\n');
    const dump =
      file('/etc/nginx/nginx.conf', `events {}\nhttp {\n include /etc/nginx/deny.conf;\n ${SERVER}\n}`) +
      file('/etc/nginx/deny.conf', deny);
    expect(dump.length).toBeGreaterThan(2.6 * 1024 * 1024);
    const config = parseNginxConfig(dump);
    expect(config.targets.map((t) => (t.kind === 'tcp' ? `${t.host}:${t.port}` : t.kind))).toEqual([
      '127.0.0.1:8080',
    ]);
    expect(config.tree.find((d) => d.name === 'http')?.block?.length).toBe(160_001);
    expect(config.notRead).toBeUndefined();
  });

  it('stops includes that double per level at the expansion bound, and says so', () => {
    const levels = 24; // 2^24 copies of the leaf unbounded: about 1.6 billion directives
    let dump = file('/etc/nginx/nginx.conf', `http { include /etc/nginx/l0.conf; ${SERVER} }`);
    for (let i = 0; i < levels; i++)
      dump += file(
        `/etc/nginx/l${i}.conf`,
        `include /etc/nginx/l${i + 1}.conf;\ninclude /etc/nginx/l${i + 1}.conf;`,
      );
    dump += file(`/etc/nginx/l${levels}.conf`, 'add_header X-A b;\n'.repeat(100));
    const started = performance.now();
    const config = parseNginxConfig(dump);
    expect(performance.now() - started).toBeLessThan(10_000);
    const http = config.tree.find((d) => d.name === 'http')?.block ?? [];
    expect(http.length).toBeLessThanOrEqual(MAX_EXPANDED_DIRECTIVES);
    expect(config.notRead?.[0]).toMatch(
      /include \/etc\/nginx\/l\d+\.conf and every include after it \(the configuration would expand past/,
    );
    // The rest of the configuration is still read.
    expect(config.targets).toHaveLength(1);
  });

  it('reads blocks nested a million deep up to the depth bound, without overflowing the stack', () => {
    const dump = file(
      '/etc/nginx/nginx.conf',
      `user www-data;\nhttp { ${SERVER} }\nevents ${'a { '.repeat(1_000_000)}`,
    );
    const config = parseNginxConfig(dump);
    expect(config.user).toBe('www-data');
    expect(config.targets).toHaveLength(1);
    expect(config.notRead?.[0]).toMatch(/blocks nested deeper than 64 levels/);
  });

  it('leaves a file over the size bound out, names it, and reads the others', () => {
    const big = `# ${'x'.repeat(MAX_FILE_CHARS)}`;
    const dump =
      file('/etc/nginx/nginx.conf', `http { include /etc/nginx/big.conf; ${SERVER} }`) +
      file('/etc/nginx/big.conf', big);
    const config = parseNginxConfig(dump);
    expect(config.notRead).toEqual(['/etc/nginx/big.conf (8.0 MiB, over 8 MiB)']);
    expect(config.targets).toHaveLength(1);
  });
});
