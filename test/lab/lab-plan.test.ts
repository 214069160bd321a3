// The lab's pure parts (topology, names, rendered configs, inventory contract, scenario table).
// No root needed: these run everywhere.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { labConfig, parseLabId, vethName } from '../../lab/config.js';
import { hostPath } from '../../lab/host-fs.js';
import { buildInventory, renderInventory } from '../../lab/inventory.js';
import { defaultNginxSettings, renderNginxConf } from '../../lab/nginx-config.js';
import { SCENARIOS } from '../../lab/scenarios.js';
import { knownHostsLines } from '../../lab/sshd.js';
import { planTopology } from '../../lab/topology.js';
import { CAUSES } from '../../src/parse/causes.js';
import { SCENARIO_GROUPS } from './scenario-groups.js';

const cfg = labConfig(7, '/tmp/lab-7');

describe('lab names and topology', () => {
  it('derives every name and address from the lab id', () => {
    expect(cfg.uplink).toBe('d502up7');
    expect(cfg.uplinkAddress).toBe('10.88.7.1');
    expect(cfg.routerNetns).toBe('d502-7-router');
    expect(vethName(labConfig(254), 254)).toBe('d502v254h254');
    expect(vethName(labConfig(254), 254).length).toBeLessThanOrEqual(15);
    expect(parseLabId(undefined)).toBe(0);
    expect(() => parseLabId('300')).toThrow(/LAB_ID must be an integer from 0 to 254/);
  });

  it('plans mostly web hosts, at least one app host, full stacks on the first three web hosts', () => {
    const small = planTopology(cfg, 3);
    expect(small.map((h) => `${h.name}=${h.address}`)).toEqual([
      'web-1=10.88.7.11',
      'web-2=10.88.7.12',
      'app-1=10.88.7.211',
    ]);
    expect(small[0]?.appHost).toEqual({ name: 'app-1', address: '10.88.7.211' });
    const big = planTopology(cfg, 50);
    expect(big.filter((h) => h.kind === 'app')).toHaveLength(5);
    expect(big.filter((h) => h.services.includes('php-fpm')).map((h) => h.name)).toEqual([
      'web-1',
      'web-2',
      'web-3',
    ]);
    expect(new Set(big.map((h) => h.address)).size).toBe(50);
    expect(() => planTopology(cfg, 1)).toThrow(/--hosts must be an integer from 2/);
  });

  it('maps only private host paths to the machine', () => {
    expect(hostPath(cfg, 'web-1', '/var/log/nginx/error.log')).toBe(
      '/tmp/lab-7/hosts/web-1/var/log/nginx/error.log',
    );
    expect(hostPath(cfg, 'web-1', '/etc/hosts')).toBe('/tmp/lab-7/hosts/web-1/etc/hosts');
    expect(() => hostPath(cfg, 'web-1', '/etc/passwd')).toThrow(/not private to a lab host/);
    expect(() => hostPath(cfg, 'web-1', '/etc/hostsX')).toThrow(/not private/);
  });
});

describe('rendered configuration', () => {
  const [web] = planTopology(cfg, 3);
  if (!web) throw new Error('no web host planned');

  it('nginx.conf has the upstreams, locations, short timeouts and the upstream_time log format', () => {
    const conf = renderNginxConf(defaultNginxSettings(web));
    for (const line of [
      'user www-data;',
      'error_log /var/log/nginx/error.log warn;',
      'upstream app_backend {\n        server 127.0.0.1:8081;',
      'proxy_pass http://app_backend;',
      'fastcgi_pass unix:/run/php/php8.2-fpm.sock;',
      'proxy_pass http://127.0.0.1:8000;',
      'upstream remote_backend {\n        server app-1:8080;',
      'proxy_read_timeout 3s;',
      'proxy_connect_timeout 2s;',
      'access_log /var/log/nginx/access.log upstream_time;',
      'uct="$upstream_connect_time" uht="$upstream_header_time" urt="$upstream_response_time"',
    ]) {
      expect(conf).toContain(line);
    }
  });

  it('writes the inventory contract the diagnosis reads', () => {
    const hosts = planTopology(cfg, 3);
    const inv = parse(renderInventory(cfg, hosts));
    expect(inv).toEqual(buildInventory(cfg, hosts));
    expect(inv.ssh).toEqual({
      user: 'root',
      port: 22,
      privateKeyPath: '/tmp/lab-7/keys/id_ed25519',
      knownHostsPath: '/tmp/lab-7/known_hosts',
      connectTimeoutMs: 3000,
    });
    expect(inv.hosts['web-1'].address).toBe('10.88.7.11');
    expect(inv.hosts['web-1'].nginx).toEqual({
      errorLog: '/var/log/nginx/error.log',
      accessLog: '/var/log/nginx/access.log',
    });
    expect(inv.hosts['web-1'].services.map((s: { name: string }) => s.name)).toEqual([
      'app',
      'php-fpm',
      'gunicorn',
      'uwsgi',
      'puma',
      'apache',
    ]);
    expect(inv.hosts['web-1'].services[0]).toEqual({
      name: 'app',
      kind: 'node',
      process: 'lab-app',
      restart: '/usr/local/sbin/lab-service restart app',
      health: 'http://127.0.0.1:8081/healthz',
      logs: ['/var/log/app/app.log'],
    });
    expect(inv.hosts['app-1'].services[0].health).toBe('http://127.0.0.1:8080/healthz');
    expect(inv.hosts['app-1'].nginx).toBeUndefined();
    expect(inv.groups).toEqual({ web: ['web-1', 'web-2'], app: ['app-1'], all: ['web-1', 'web-2', 'app-1'] });
  });

  it('pins each host key by address and by name in known_hosts', () => {
    const text = knownHostsLines([
      { name: 'web-1', address: '10.88.7.11', hostKey: 'ssh-ed25519 AAAAC3Nz root@web-1' },
    ]);
    expect(text).toBe('10.88.7.11 ssh-ed25519 AAAAC3Nz\nweb-1 ssh-ed25519 AAAAC3Nz\n');
  });
});

describe('scenario table', () => {
  it('names a known cause for every scenario and has no duplicate names', () => {
    const names = SCENARIOS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of SCENARIOS) {
      expect(CAUSES).toContain(s.expectedCause);
      for (const c of s.alsoCauses ?? []) expect(CAUSES).toContain(c);
    }
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(20);
  });

  it('has every scenario checked by exactly one lab test file', () => {
    const covered = Object.values(SCENARIO_GROUPS).flat();
    expect([...covered].sort()).toEqual(SCENARIOS.map((s) => s.name).sort());
  });
});
