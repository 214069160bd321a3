import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InventoryError } from '../../../src/inventory/errors.js';
import { cachedInventory } from '../../../src/inventory/inventory-cache.js';
import { type LoadInventoryOptions, loadInventory } from '../../../src/inventory/load-inventory.js';
import type { Inventory } from '../../../src/inventory/types.js';

const yamlWith = (address: string) =>
  `ssh: { user: diag, privateKeyPath: /k, knownHostsPath: /kh }\nhosts:\n  web-1: { address: ${address} }\n`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'd502-inv-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** cachedInventory over the real loader, counting the loads it starts. */
function counted(options: LoadInventoryOptions) {
  const count = { loads: 0 };
  const get = cachedInventory(options, (o) => {
    count.loads++;
    return loadInventory(o);
  });
  return { get, count };
}

describe('the worker’s inventory cache', () => {
  it('parses an unchanged file once, and again when the file changes', async () => {
    const file = join(dir, 'inventory.yml');
    writeFileSync(file, yamlWith('10.0.0.1'));
    const { get, count } = counted({ flagPath: file, cwd: dir });

    const first = await get();
    expect(await get()).toBe(first);
    expect(count.loads).toBe(1);

    // Same size and even the same mtime as before: the ctime (and the size for .2) still differ.
    writeFileSync(file, yamlWith('10.0.0.2'));
    expect((await get()).hosts.get('web-1')?.address).toBe('10.0.0.2');
    writeFileSync(file, yamlWith('10.0.0.3'));
    utimesSync(file, 1_000, 1_000);
    expect((await get()).hosts.get('web-1')?.address).toBe('10.0.0.3');
    expect(count.loads).toBe(3);
  });

  it('jobs that ask at once share one load', async () => {
    const file = join(dir, 'inventory.yml');
    writeFileSync(file, yamlWith('10.0.0.1'));
    const { get, count } = counted({ flagPath: file, cwd: dir });
    const all = await Promise.all(Array.from({ length: 50 }, () => get()));
    expect(new Set(all).size).toBe(1);
    expect(count.loads).toBe(1);
  });

  it('reloads when the Ansible file an overlay names changes', async () => {
    const ini = join(dir, 'hosts.ini');
    const overlay = join(dir, 'overlay.yml');
    writeFileSync(ini, 'web-1 ansible_host=10.0.0.1\n');
    writeFileSync(
      overlay,
      `ansible: ./hosts.ini\nssh: { user: diag, privateKeyPath: /k, knownHostsPath: /kh }\n`,
    );
    const { get, count } = counted({ flagPath: overlay, cwd: dir });
    expect((await get()).hosts.get('web-1')?.address).toBe('10.0.0.1');
    await get();
    expect(count.loads).toBe(1);
    writeFileSync(ini, 'web-1 ansible_host=10.0.0.9\n');
    expect((await get()).hosts.get('web-1')?.address).toBe('10.0.0.9');
    expect(count.loads).toBe(2);
  });

  it('a broken file is not kept: the error now, the inventory once it is fixed', async () => {
    const file = join(dir, 'inventory.yml');
    writeFileSync(file, 'hosts: [');
    const get = cachedInventory({ flagPath: file, cwd: dir });
    await expect(get()).rejects.toBeInstanceOf(InventoryError);
    writeFileSync(file, yamlWith('10.0.0.4'));
    expect((await get()).hosts.get('web-1')?.address).toBe('10.0.0.4');
    rmSync(file);
    await expect(get()).rejects.toThrow(/does not exist/);
  });

  it('with an ssh config, a file it includes is read again on the next call', async () => {
    const file = join(dir, 'inventory.yml');
    const included = join(dir, 'included.conf');
    const config = join(dir, 'ssh_config');
    writeFileSync(
      file,
      'ssh: { user: diag, privateKeyPath: /k, knownHostsPath: /kh }\nhosts:\n  web-1: { address: web-1 }\n',
    );
    writeFileSync(config, `Include ${included}\n`);
    writeFileSync(included, 'Host web-1\n  HostName 10.0.0.5\n');
    const { get, count } = counted({ flagPath: file, cwd: dir, sshConfig: { file: config } });
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(a.hosts.get('web-1')?.address).toBe('10.0.0.5');
    writeFileSync(included, 'Host web-1\n  HostName 10.0.0.6\n');
    const later: Inventory = await get();
    expect(later.hosts.get('web-1')?.address).toBe('10.0.0.6');
    expect(count.loads).toBe(2);
  });
});
