import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNginxConfig } from '../../../src/parse/parse-nginx-config.js';
import type { UpstreamTarget } from '../../../src/parse/types.js';

/**
 * The config parser on real configurations from public repositories (sources in
 * fixtures/real-configs/README.md and each fixture's header). `targets` are the endpoints nginx dials
 * for HTTP (what the upstream checks probe), `stream` the `stream {}` targets listed as context.
 * Written by reading each config, not from the parser's output.
 */
const TABLE: Record<string, { targets: string[]; stream?: string[] }> = {
  'npm-proxy-hosts': {
    // `proxy_pass $forward_scheme://$server:$port$request_uri;` (conf.d/include/proxy.conf) in five hosts.
    targets: [
      'http://127.0.0.1:9000',
      'http://8.210.245.107:5244',
      'http://host.docker.internal:8002',
      'http://frontend:80',
      'http://nginx-web:80',
    ],
    stream: ['tcp://localhost:3001'],
  },
  'lsio-organizr-auth': { targets: ['http://organizr:80'] },
  'lsio-dnsdist-grpc': { targets: ['grpcs://dnsdist:443'] },
  'cachify-memcached': { targets: ['memcached://localhost:11211'] },
  'nginx-docs-memcached': { targets: ['memcached://host:11211', 'http://backend:80'] },
  'docker-upstream-in-set': { targets: ['https://nginx_dev_example_com:443'] },
  'django-gunicorn-unix': { targets: ['http+unix:/project/django_gunicorn.sock'] },
  'nixos-stream': { targets: [], stream: ['tcp://10.10.2.1:9555'] },
  'udp-stream-notes': {
    targets: [],
    stream: ['udp://ntp1.example.com:123', 'udp://ntp2.example.com:123', 'udp://127.0.0.1:1194'],
  },
};

const DIR = new URL('./fixtures/real-configs/', import.meta.url);
const name = (t: UpstreamTarget): string =>
  t.kind === 'tcp'
    ? `${t.scheme}://${t.host}:${t.port}`
    : t.kind === 'unix'
      ? `${t.scheme}+unix:${t.path}`
      : `variable ${t.expr}`;
const concrete = (ts: UpstreamTarget[] | undefined): string[] =>
  (ts ?? []).filter((t) => t.kind !== 'variable').map(name);

describe('config targets on real configurations', () => {
  const fixtures = readdirSync(DIR)
    .filter((f) => f.endsWith('.nginx-T.txt'))
    .map((f) => f.replace('.nginx-T.txt', ''));

  it('every fixture has a row in the table, and every row a fixture', () => {
    expect(fixtures.sort()).toEqual(Object.keys(TABLE).sort());
  });

  it.each(Object.entries(TABLE))('%s: every target found, none invented', (fixture, want) => {
    const cfg = parseNginxConfig(readFileSync(new URL(`${fixture}.nginx-T.txt`, DIR), 'utf8'));
    expect(concrete(cfg.targets).sort()).toEqual([...want.targets].sort());
    expect(concrete(cfg.streamTargets).sort()).toEqual([...(want.stream ?? [])].sort());
  });

  it('recall over the table: targets found / targets present, with crashes and inventions', () => {
    let present = 0;
    let found = 0;
    let invented = 0;
    let crashes = 0;
    for (const [fixture, want] of Object.entries(TABLE)) {
      const expected = [...want.targets, ...(want.stream ?? [])];
      present += expected.length;
      try {
        const cfg = parseNginxConfig(readFileSync(new URL(`${fixture}.nginx-T.txt`, DIR), 'utf8'));
        const got = new Set([...concrete(cfg.targets), ...concrete(cfg.streamTargets)]);
        found += expected.filter((e) => got.has(e)).length;
        invented += [...got].filter((g) => !expected.includes(g)).length;
      } catch {
        crashes++;
      }
    }
    console.log(
      `real-config table: ${Object.keys(TABLE).length} configurations, recall ${found}/${present}, crashes ${crashes}, invented ${invented}`,
    );
    expect({ found, crashes, invented }).toEqual({ found: present, crashes: 0, invented: 0 });
  });

  it('an NPM proxy host says which `set` values it resolved', () => {
    const cfg = parseNginxConfig(readFileSync(new URL('npm-proxy-hosts.nginx-T.txt', DIR), 'utf8'));
    const t = cfg.targets.find((x) => x.kind === 'tcp' && x.host === 'frontend');
    expect(t?.via).toEqual([
      '/etc/nginx/conf.d/include/proxy.conf:7 proxy_pass $forward_scheme://$server:$port$request_uri (= http://frontend:80/)',
    ]);
  });
});
