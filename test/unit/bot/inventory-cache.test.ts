import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedInventory } from '../../../src/bot/inventory-cache.js';

const inventoryText = (address: string) =>
  `ssh: { user: diag, privateKeyPath: ./id_ed25519, knownHostsPath: ./known_hosts }\nhosts:\n  web-1: { address: ${address} }\n`;

describe("the worker's inventory", () => {
  it('is parsed once while the file is unchanged, again once it changes, and a bad file is not kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'd502-inv-cache-'));
    writeFileSync(join(dir, 'id_ed25519'), '');
    writeFileSync(join(dir, 'known_hosts'), '');
    const file = join(dir, 'inventory.yml');
    writeFileSync(file, inventoryText('10.0.0.1'));
    const inventory = cachedInventory(file, dir);

    // Jobs taken at once share one parse.
    const [a, b] = await Promise.all([inventory(), inventory()]);
    expect(a).toBe(b);
    expect(await inventory()).toBe(a);
    expect(a.hosts.get('web-1')?.address).toBe('10.0.0.1');

    // An edit takes effect on the next job.
    writeFileSync(file, inventoryText('10.0.0.22'));
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const edited = await inventory();
    expect(edited).not.toBe(a);
    expect(edited.hosts.get('web-1')?.address).toBe('10.0.0.22');

    // A file that does not load is reported each time, never served from before.
    writeFileSync(file, 'hosts: [');
    utimesSync(file, new Date(), new Date(Date.now() + 10_000));
    await expect(inventory()).rejects.toThrow();
    await expect(inventory()).rejects.toThrow();
  });
});
