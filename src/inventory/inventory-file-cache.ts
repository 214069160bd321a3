/**
 * The CLI's inventory, kept between runs (issue 17): reading a 10 KB inventory through the YAML parser
 * and the schema costs a one-host diagnosis ~20 ms of CPU before anything can connect, every run,
 * for a file that rarely changes. The loaded inventory is stored as JSON in the cache directory and
 * reused while every file the load read (the inventory, the Ansible file an overlay names) has the
 * same device, inode, size, mtime and ctime, as the worker's in-memory cache (inventory-cache.ts)
 * decides it, and while the same code reads it (`codeId`: the built bundle's identity, so that a new
 * version never reads an old version's result). Not used with an ssh config (`ssh -G` reads files
 * this cannot watch) or without a cache directory. Any failure to read or write the cache costs only
 * the cache: the inventory is then loaded as without it. Only a successful load is stored: an invalid
 * inventory is read, and its errors reported, every time.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadInventoryOptions } from './load-inventory.js';
import type { Inventory, ResolvedHost } from './types.js';

export interface InventoryFileCache {
  dir: string;
  /** Identity of the code that loads: entries of other code are never read. */
  codeId: string;
}

interface Entry {
  /** Each file read, with its identity taken before it was read. */
  files: [string, string][];
  inventory: Omit<Inventory, 'hosts' | 'groups'> & {
    hosts: [string, ResolvedHost][];
    groups: [string, readonly string[]][];
  };
}

function identityNow(path: string): string {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return 'unreadable';
  }
}

function entryFile(cache: InventoryFileCache, options: LoadInventoryOptions): string {
  const { sshConfig: _ssh, onFileRead: _read, ...where } = options;
  const key = createHash('sha256')
    .update(JSON.stringify([cache.codeId, process.version, where]))
    .digest('hex')
    .slice(0, 32);
  return join(cache.dir, `${codePrefix(cache)}${key}.json`);
}

/** Entries are named by the code that wrote them, so that an upgrade can remove the old ones. */
const codePrefix = (cache: InventoryFileCache) =>
  `inventory-${createHash('sha256').update(cache.codeId).digest('hex').slice(0, 12)}-`;

function removeOtherBuilds(cache: InventoryFileCache): void {
  const mine = codePrefix(cache);
  for (const name of readdirSync(cache.dir)) {
    if (name.startsWith('inventory-') && name.endsWith('.json') && !name.startsWith(mine))
      rmSync(join(cache.dir, name), { force: true });
  }
}

function readEntry(file: string): Inventory | undefined {
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as Entry;
    if (!entry.files.every(([path, was]) => identityNow(path) === was)) return undefined;
    const { hosts, groups, ...rest } = entry.inventory;
    return { ...rest, hosts: new Map(hosts), groups: new Map(groups) };
  } catch {
    return undefined;
  }
}

function writeEntry(
  file: string,
  cache: InventoryFileCache,
  files: Map<string, string>,
  inventory: Inventory,
): void {
  try {
    const entry: Entry = {
      files: [...files],
      inventory: { ...inventory, hosts: [...inventory.hosts], groups: [...inventory.groups] },
    };
    mkdirSync(cache.dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
    renameSync(tmp, file);
    removeOtherBuilds(cache);
  } catch {
    // No cache this time: the next run loads as this one did.
  }
}

/** loadInventory(options), from the cache while its files are unchanged. */
export async function loadInventoryWithFileCache(
  options: LoadInventoryOptions,
  cache: InventoryFileCache | undefined,
  // Imported only when the cache cannot answer: the YAML parser and zod's schemas are not even
  // loaded on a hit (in the CLI's bundle, a module reached by import() is initialised when imported).
  load: (options: LoadInventoryOptions) => Promise<Inventory> = async (o) =>
    (await import('./load-inventory.js')).loadInventory(o),
): Promise<Inventory> {
  if (cache === undefined || options.sshConfig !== undefined) return load(options);
  const file = entryFile(cache, options);
  const cached = readEntry(file);
  if (cached !== undefined) return cached;
  const files = new Map<string, string>();
  const inventory = await load({
    ...options,
    onFileRead: (path) => {
      files.set(path, identityNow(path));
      options.onFileRead?.(path);
    },
  });
  writeEntry(file, cache, files, inventory);
  return inventory;
}
