import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InventoryError } from '../../../src/inventory/errors.js';
import {
  type InventoryFileCache,
  loadInventoryWithFileCache,
} from '../../../src/inventory/inventory-file-cache.js';
import { type LoadInventoryOptions, loadInventory } from '../../../src/inventory/load-inventory.js';

const yamlWith = (address: string) =>
  `ssh: { user: diag, privateKeyPath: /k, knownHostsPath: /kh }\nhosts:\n  web-1: { address: ${address} }\n`;

/** Every part of the inventory the format has: jump hosts, services, groups, alerts, a restart policy. */
const FULL = `ssh: { user: diag, privateKeyPath: ./id, knownHostsPath: ./kh, connectTimeoutMs: 3000 }
hosts:
  bastion: { address: 10.0.0.1 }
  web-1:
    address: 10.0.0.2
    ssh: { jumpHost: bastion, port: 2222, sudo: true }
    nginx: { errorLog: /var/log/nginx/e.log }
    services:
      - { name: app, kind: node, process: node-app, restart: systemctl restart app, logs: [/var/log/app.log] }
      - { name: php, kind: php-fpm, unit: php8.2-fpm }
groups:
  web: [web-1]
alerts:
  dedupWindow: 10m
  routes: [{ group: web, channel: C0123ABCD }]
restart:
  allow: [{ users: [U0123ABC], targets: [web] }]
  cooldown: 5m
`;

let dir: string;
let cache: InventoryFileCache;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'd502-inv-file-cache-'));
  cache = { dir: join(dir, 'cache'), codeId: 'build-1' };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** loadInventoryWithFileCache over the real loader, counting the loads it does. */
function counted(options: LoadInventoryOptions, c: InventoryFileCache | undefined = cache) {
  const count = { loads: 0 };
  const get = () =>
    loadInventoryWithFileCache(options, c, (o) => {
      count.loads++;
      return loadInventory(o);
    });
  return { get, count };
}

describe('the CLI’s inventory kept between runs', () => {
  it('gives the inventory the loader gives, jump hosts, services, alerts and restart policy included', async () => {
    const file = join(dir, 'inventory.yml');
    writeFileSync(file, FULL);
    const options = { flagPath: file, cwd: dir, homeDir: '/home/u' };
    const { get, count } = counted(options);
    const fresh = await loadInventory(options);
    expect(await get()).toEqual(fresh);
    const fromCache = await get();
    expect(count.loads).toBe(1);
    expect(fromCache).toEqual(fresh);
    expect(fromCache.hosts).toBeInstanceOf(Map);
    expect(fromCache.hosts.get('web-1')?.jump?.address).toBe('10.0.0.1');
  });

  it('is loaded again when the file changes, even at the same size and mtime', async () => {
    const file = join(dir, 'inventory.yml');
    writeFileSync(file, yamlWith('10.0.0.1'));
    const { get, count } = counted({ flagPath: file, cwd: dir });
    await get();
    expect((await get()).hosts.get('web-1')?.address).toBe('10.0.0.1');
    expect(count.loads).toBe(1);
    writeFileSync(file, yamlWith('10.0.0.2'));
    utimesSync(file, 1_000, 1_000);
    expect((await get()).hosts.get('web-1')?.address).toBe('10.0.0.2');
    expect(count.loads).toBe(2);
  });

  it('is loaded again when the Ansible file an overlay names changes', async () => {
    writeFileSync(join(dir, 'hosts.ini'), 'web-1 ansible_host=10.0.0.1\n');
    const overlay = join(dir, 'overlay.yml');
    writeFileSync(
      overlay,
      'ansible: ./hosts.ini\nssh: { user: diag, privateKeyPath: /k, knownHostsPath: /kh }\n',
    );
    const { get, count } = counted({ flagPath: overlay, cwd: dir });
    await get();
    await get();
    expect(count.loads).toBe(1);
    writeFileSync(join(dir, 'hosts.ini'), 'web-1 ansible_host=10.0.0.9\n');
    expect((await get()).hosts.get('web-1')?.address).toBe('10.0.0.9');
    expect(count.loads).toBe(2);
  });

  it('is not shared between builds, working directories or home directories', async () => {
    const file = join(dir, 'inventory.yml');
    writeFileSync(file, yamlWith('10.0.0.1'));
    await counted({ flagPath: file, cwd: dir }).get();
    const other = [
      counted({ flagPath: file, cwd: dir }, { ...cache, codeId: 'build-2' }),
      counted({ flagPath: file, cwd: '/' }),
      counted({ flagPath: file, cwd: dir, homeDir: '/home/other' }),
    ];
    for (const { get, count } of other) {
      await get();
      expect(count.loads).toBe(1);
    }
  });

  it("a new build's entries replace the old build's", async () => {
    const file = join(dir, 'inventory.yml');
    writeFileSync(file, yamlWith('10.0.0.1'));
    await counted({ flagPath: file, cwd: dir }).get();
    await counted({ flagPath: file, cwd: '/' }).get();
    expect(readdirSync(cache.dir)).toHaveLength(2);
    await counted({ flagPath: file, cwd: dir }, { ...cache, codeId: 'build-2' }).get();
    expect(readdirSync(cache.dir)).toHaveLength(1);
  });

  it('keeps no invalid inventory: its error every time', async () => {
    const file = join(dir, 'inventory.yml');
    writeFileSync(file, 'hosts: [');
    const { get, count } = counted({ flagPath: file, cwd: dir });
    await expect(get()).rejects.toBeInstanceOf(InventoryError);
    await expect(get()).rejects.toBeInstanceOf(InventoryError);
    expect(count.loads).toBe(2);
  });

  it('is not used with an ssh config, nor without a directory; a damaged entry is loaded over', async () => {
    const file = join(dir, 'inventory.yml');
    writeFileSync(file, yamlWith('web-1'));
    const config = join(dir, 'ssh_config');
    writeFileSync(config, 'Host web-1\n  HostName 10.0.0.5\n');
    const withSsh = counted({ flagPath: file, cwd: dir, sshConfig: { file: config } });
    await withSsh.get();
    await withSsh.get();
    expect(withSsh.count.loads).toBe(2);
    let loads = 0;
    const without = () =>
      loadInventoryWithFileCache({ flagPath: file, cwd: dir }, undefined, (o) => {
        loads++;
        return loadInventory(o);
      });
    await without();
    await without();
    expect(loads).toBe(2);

    const plain = counted({ flagPath: file, cwd: dir });
    await plain.get();
    const [entry] = readdirSync(cache.dir);
    writeFileSync(join(cache.dir, entry ?? ''), '{"files": [[');
    expect((await plain.get()).hosts.get('web-1')?.address).toBe('web-1');
    expect(plain.count.loads).toBe(2);
  });
});
