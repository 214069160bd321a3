import { stat } from 'node:fs/promises';
import { loadInventory } from '../inventory/load-inventory.js';
import type { Inventory } from '../inventory/types.js';

/**
 * The worker's inventory, looked at again for every job (an edit takes effect on the next one) but
 * parsed again only when the file changed (inode, size or modification time): jobs taken at once
 * share one parse. Before, fifty jobs at once parsed it twice each, and the hundred YAML documents
 * alive together were most of the worker's peak memory (issue 17). A load that fails is not kept.
 */
export function cachedInventory(path: string, cwd: string): () => Promise<Inventory> {
  let last: { key: string; inventory: Promise<Inventory> } | undefined;
  return async () => {
    const file = await stat(path).catch(() => undefined);
    const key = file ? `${file.ino}:${file.size}:${file.mtimeMs}` : '';
    if (last !== undefined && key !== '' && last.key === key) return last.inventory;
    const inventory = loadInventory({ flagPath: path, cwd });
    const entry = { key, inventory };
    last = entry;
    inventory.catch(() => {
      if (last === entry) last = undefined;
    });
    return inventory;
  };
}
