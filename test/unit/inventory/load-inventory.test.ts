import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryError } from '../../../src/inventory/errors.js';
import { loadInventory, locateInventory, parseInventory } from '../../../src/inventory/load-inventory.js';

const FILE = '/etc/diagnose502/inventory.yml';

const EXAMPLE = `
ssh:
  user: diag
  port: 22
  privateKeyPath: ./keys/id_ed25519
  knownHostsPath: ./keys/known_hosts
  connectTimeoutMs: 5000
hosts:
  bastion:
    address: bastion.example.com
  web-1:
    address: 10.0.0.11
    ssh: { jumpHost: bastion }
  web-2:
    address: 10.0.0.12
    ssh: { sudo: true, privateKeyPath: /opt/keys/web2 }
  web-3:
    address: 10.0.0.13
    ssh: { port: 2222 }
    nginx:
      errorLog: /srv/nginx/error.log
    services:
      - name: app
        kind: node
        unit: app.service
        process: lab-app
        restart: systemctl restart app.service
        health: http://127.0.0.1:8081/healthz
        logs: [/var/log/app/app.log, { journal: app.service }]
      - name: php
        kind: php-fpm
        logs: { journal: php8.2-fpm.service }
groups:
  web: [web-1, web-2, web-3]
`;

/** The InventoryError a parse throws (fails the test if it does not throw). */
function parseError(text: string): InventoryError {
  try {
    parseInventory(text, FILE);
  } catch (error) {
    if (error instanceof InventoryError) return error;
    throw error;
  }
  throw new Error('expected parseInventory to throw');
}

const HOSTS_OK = `
ssh: { user: diag, privateKeyPath: /k, knownHostsPath: /kh }
hosts:
  web-1: { address: 10.0.0.11 }
`;

describe('parseInventory: the example inventory', () => {
  const inventory = parseInventory(EXAMPLE, FILE);

  it('merges ssh defaults with per-host overrides and makes paths absolute', () => {
    const web3 = inventory.hosts.get('web-3');
    expect(web3?.ssh).toEqual({
      user: 'diag',
      port: 2222,
      privateKeyPath: '/etc/diagnose502/keys/id_ed25519',
      knownHostsPath: '/etc/diagnose502/keys/known_hosts',
      connectTimeoutMs: 5000,
      sudo: false,
    });
    expect(inventory.hosts.get('web-2')?.ssh).toMatchObject({
      sudo: true,
      privateKeyPath: '/opt/keys/web2',
      port: 22,
    });
  });

  it('fills nginx paths with defaults', () => {
    expect(inventory.hosts.get('web-3')?.nginx).toEqual({
      errorLog: '/srv/nginx/error.log',
      accessLog: '/var/log/nginx/access.log',
    });
    expect(inventory.hosts.get('web-1')?.nginx.errorLog).toBe('/var/log/nginx/error.log');
  });

  it('normalises service logs to files and journal units', () => {
    const [app, php] = inventory.hosts.get('web-3')?.services ?? [];
    expect(app).toEqual({
      name: 'app',
      kind: 'node',
      unit: 'app.service',
      process: 'lab-app',
      restart: 'systemctl restart app.service',
      health: 'http://127.0.0.1:8081/healthz',
      logs: [
        { kind: 'file', path: '/var/log/app/app.log' },
        { kind: 'journal', unit: 'app.service' },
      ],
    });
    expect(php?.logs).toEqual([{ kind: 'journal', unit: 'php8.2-fpm.service' }]);
  });

  it('resolves the jump host to a full host', () => {
    const web1 = inventory.hosts.get('web-1');
    expect(web1?.ssh.jumpHost).toBe('bastion');
    expect(web1?.jump?.name).toBe('bastion');
    expect(web1?.jump?.address).toBe('bastion.example.com');
    expect(inventory.hosts.get('web-2')?.jump).toBeUndefined();
  });

  it('keeps hosts and groups in file order', () => {
    expect([...inventory.hosts.keys()]).toEqual(['bastion', 'web-1', 'web-2', 'web-3']);
    expect(inventory.groups.get('web')).toEqual(['web-1', 'web-2', 'web-3']);
    expect(inventory.path).toBe(FILE);
  });

  it('treats a default jump host that points at itself as a direct connection', () => {
    const text = `
ssh: { user: diag, privateKeyPath: /k, knownHostsPath: /kh, jumpHost: bastion }
hosts:
  bastion: { address: 10.0.0.1 }
  web-1: { address: 10.0.0.11 }
  web-2: { address: 10.0.0.12, ssh: { jumpHost: null } }
`;
    const inv = parseInventory(text, FILE);
    expect(inv.hosts.get('bastion')?.jump).toBeUndefined();
    expect(inv.hosts.get('web-1')?.jump?.name).toBe('bastion');
    expect(inv.hosts.get('web-2')?.jump).toBeUndefined();
  });

  it('expands ~/ only when a home directory is given', () => {
    const text = HOSTS_OK.replace('privateKeyPath: /k', 'privateKeyPath: ~/.ssh/id_ed25519');
    const inv = parseInventory(text, FILE, { homeDir: '/home/ops' });
    expect(inv.hosts.get('web-1')?.ssh.privateKeyPath).toBe('/home/ops/.ssh/id_ed25519');
    expect(parseError(text).message).toMatch(/ssh\.privateKeyPath: "~\/" cannot be expanded/);
  });
});

describe('parseInventory: errors name the field, the line and the fix', () => {
  it('reports a bad address with its field path, value, line and fix', () => {
    const error = parseError(HOSTS_OK.replace('10.0.0.11', '10.0.0.300'));
    expect(error.code).toBe('inventory-invalid');
    expect(error.issues).toEqual([
      `hosts.web-1.address: expected an IP address or host name (got "10.0.0.300") (line 4). Fix: set hosts.web-1.address in ${FILE}`,
    ]);
    expect(error.message).toContain(FILE);
  });

  it('reports every problem at once', () => {
    const text = `
ssh: { user: diag, privateKeyPath: /k, knownHostsPath: /kh, port: 70000 }
hosts:
  web-1:
    address: "not an address"
    nginx: { errorLog: logs/error.log }
    services:
      - name: App
        kind: java
        health: ftp://x
`;
    const error = parseError(text);
    const joined = error.issues.join('\n');
    expect(error.issues).toHaveLength(6);
    expect(joined).toMatch(/^ssh\.port: .*70000/m);
    expect(joined).toMatch(/^hosts\.web-1\.address: expected an IP address or host name/m);
    expect(joined).toMatch(/^hosts\.web-1\.nginx\.errorLog: expected an absolute path .*\(line 6\)/m);
    expect(joined).toMatch(/^hosts\.web-1\.services\[0\]\.name: expected a lowercase name matching/m);
    expect(joined).toMatch(/^hosts\.web-1\.services\[0\]\.kind: expected one of php-fpm/m);
    expect(joined).toMatch(/^hosts\.web-1\.services\[0\]\.health: expected an http/m);
  });

  it('refuses relative and non-absolute log paths for services', () => {
    const text = `${HOSTS_OK}    services: [{ name: app, logs: [app.log] }]\n`;
    const error = parseError(text.replace('web-1: { address: 10.0.0.11 }', 'web-1:\n    address: 10.0.0.11'));
    expect(error.issues.join('\n')).toMatch(
      /hosts\.web-1\.services\[0\]\.logs\[0\]: expected an absolute path .*got "app\.log"/,
    );
  });

  it('suggests the intended field for an unknown one', () => {
    const error = parseError(HOSTS_OK.replace('address:', 'adress:'));
    const joined = error.issues.join('\n');
    expect(joined).toMatch(/hosts\.web-1\.adress: unknown field \(did you mean address\?\)/);
    expect(joined).toMatch(/hosts\.web-1\.address: missing/);
  });

  it('refuses unknown group members, with close matches', () => {
    const error = parseError(`${HOSTS_OK}groups:\n  web: [web-1, web1x, db-9]\n`);
    expect(error.issues).toHaveLength(2);
    expect(error.issues[0]).toMatch(
      /^groups\.web\[1\]: "web1x" is not a host of this inventory \(did you mean web-1\?\) \(line 6\)/,
    );
    expect(error.issues[1]).toMatch(/^groups\.web\[2\]: "db-9" is not a host/);
  });

  it('refuses a jump host that is not a host, and jump loops', () => {
    const unknown = parseError(
      HOSTS_OK.replace('knownHostsPath: /kh', 'knownHostsPath: /kh, jumpHost: bastoin'),
    );
    expect(unknown.issues[0]).toMatch(/^ssh\.jumpHost: jump host "bastoin" is not a host of this inventory/);
    const loop = parseError(`
ssh: { user: diag, privateKeyPath: /k, knownHostsPath: /kh }
hosts:
  a: { address: 10.0.0.1, ssh: { jumpHost: b } }
  b: { address: 10.0.0.2, ssh: { jumpHost: a } }
`);
    expect(loop.issues).toHaveLength(1);
    expect(loop.issues[0]).toMatch(/jump hosts form a loop: a → b → a/);
  });

  it('refuses duplicate addresses on the same SSH port, allows them on different ports', () => {
    const dup = parseError(`${HOSTS_OK}  web-2: { address: 10.0.0.11 }\n`);
    expect(dup.issues[0]).toMatch(
      /^hosts\.web-2\.address: duplicate address: hosts\.web-1 already uses 10\.0\.0\.11/,
    );
    const ports = parseInventory(`${HOSTS_OK}  web-2: { address: 10.0.0.11, ssh: { port: 2222 } }\n`, FILE);
    expect(ports.hosts.size).toBe(2);
  });

  it('refuses service names that do not match ^[a-z0-9][a-z0-9._-]*$, and duplicates', () => {
    const base = HOSTS_OK.replace(
      'web-1: { address: 10.0.0.11 }',
      'web-1:\n    address: 10.0.0.11\n    services:',
    );
    const bad = parseError(`${base}\n      - name: "my app"\n`);
    expect(bad.issues[0]).toMatch(/^hosts\.web-1\.services\[0\]\.name: expected a lowercase name/);
    const dup = parseError(`${base}\n      - name: app\n      - name: app\n`);
    expect(dup.issues[0]).toMatch(/^hosts\.web-1\.services\[1\]\.name: duplicate service name "app"/);
  });

  it('refuses a group named like a host, and host names that differ only in case', () => {
    const error = parseError(`${HOSTS_OK}  Web-1: { address: 10.0.0.12 }\ngroups:\n  web-1: [web-1]\n`);
    const joined = error.issues.join('\n');
    expect(joined).toMatch(/hosts\.Web-1: same name as hosts\.web-1 apart from case/);
    expect(joined).toMatch(/groups\.web-1: group has the same name as hosts\.web-1/);
  });

  it('says which required ssh setting is missing and where to set it', () => {
    const error = parseError('hosts:\n  web-1: { address: 10.0.0.11 }\n');
    expect(error.issues).toEqual([
      `ssh.user: missing: not set in the ssh defaults nor on any host. Fix: set ssh.user in ${FILE}`,
      `ssh.privateKeyPath: missing: not set in the ssh defaults nor on any host. Fix: set ssh.privateKeyPath in ${FILE}`,
      `ssh.knownHostsPath: missing: not set in the ssh defaults nor on any host. Fix: set ssh.knownHostsPath in ${FILE}`,
    ]);
    const partial = parseError(
      'ssh: { privateKeyPath: /k, knownHostsPath: /kh }\nhosts:\n  a: { address: 10.0.0.1, ssh: { user: x } }\n  b: { address: 10.0.0.2 }\n',
    );
    expect(partial.issues[0]).toMatch(
      /^hosts\.b\.ssh\.user: missing: .*Fix: set ssh\.user \(for every host\) or hosts\.b\.ssh\.user/,
    );
  });

  it('refuses bad host names, brackets names with dots in paths', () => {
    const error = parseError(
      `${HOSTS_OK}  "web 2": { address: 10.0.0.12 }\n  web-3.example.com: { address: "" }\n`,
    );
    const joined = error.issues.join('\n');
    expect(joined).toMatch(/hosts\["web 2"\]: invalid name: expected a name of letters/);
    expect(joined).toMatch(/hosts\["web-3\.example\.com"\]\.address: expected an IP address or host name/);
  });

  it('refuses an empty file and a file without hosts', () => {
    expect(parseError('').message).toMatch(/is empty/);
    expect(parseError('hosts: {}\n').issues[0]).toMatch(/^hosts: expected at least one host/);
    expect(parseError('- a\n- b\n').issues[0]).toMatch(/^\(top level\): expected object/);
  });

  it('names line and column of YAML syntax errors', () => {
    const error = parseError('ssh:\n  user: diag\nhosts:\n  web-1: { address: 10.0.0.11\n');
    expect(error.code).toBe('inventory-syntax');
    expect(error.message).toMatch(
      new RegExp(`^${FILE.replace(/\./g, '\\.')}:\\d+:\\d+: YAML syntax error: `),
    );
    expect(error.message).toMatch(/Fix: correct the YAML at line \d+, column \d+/);
  });

  it('reports duplicate keys (a host defined twice) as a syntax error with its line', () => {
    const error = parseError(`${HOSTS_OK}  web-1: { address: 10.0.0.12 }\n`);
    expect(error.code).toBe('inventory-syntax');
    expect(error.message).toMatch(/:5:3: YAML syntax error: Map keys must be unique/);
  });
});

describe('locateInventory and loadInventory', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'diagnose502-inv-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prefers --inventory, then DIAGNOSE502_INVENTORY, then ./inventory.yml', () => {
    expect(locateInventory({ flagPath: 'a.yml', envPath: '/b.yml', cwd: '/w' })).toEqual({
      path: '/w/a.yml',
      source: 'flag',
    });
    expect(locateInventory({ envPath: '/b.yml', cwd: '/w' })).toEqual({ path: '/b.yml', source: 'env' });
    expect(locateInventory({ envPath: '  ', cwd: '/w' })).toEqual({
      path: '/w/inventory.yml',
      source: 'default',
    });
  });

  it('loads a file and anchors relative key paths at its directory', async () => {
    writeFileSync(join(dir, 'inventory.yml'), EXAMPLE);
    const inventory = await loadInventory({ cwd: dir });
    expect(inventory.path).toBe(join(dir, 'inventory.yml'));
    expect(inventory.hosts.get('web-1')?.ssh.privateKeyPath).toBe(join(dir, 'keys/id_ed25519'));
  });

  it('says where a missing inventory path came from and how to fix it', async () => {
    const error = await loadInventory({ envPath: 'nope.yml', cwd: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InventoryError);
    expect((error as InventoryError).code).toBe('inventory-not-found');
    expect((error as InventoryError).message).toContain('from DIAGNOSE502_INVENTORY');
    expect((error as InventoryError).message).toContain('Fix: pass --inventory');
  });

  it('reports a directory as unreadable', async () => {
    const error = await loadInventory({ flagPath: dir, cwd: dir }).catch((e: unknown) => e);
    expect((error as InventoryError).code).toBe('inventory-unreadable');
  });
});
