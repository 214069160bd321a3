/**
 * Finds and reads the inventory file, then validates it (parse-inventory.ts). The entry point for
 * the CLI and the bot; the finding (locate-inventory.ts), validating (parse-inventory.ts,
 * cross-check.ts, checks/) and resolving (build-inventory.ts) each live in their own file.
 */
import { readFile } from 'node:fs/promises';
import { InventoryError } from './errors.js';
import { type LocateInventoryOptions, locateInventory, SOURCE_TEXT } from './locate-inventory.js';
import { type ParseInventoryOptions, validateInventory } from './parse-inventory.js';
import { type InventorySourceOptions, readInventorySource } from './sources.js';
import type { Inventory } from './types.js';

// The entry points callers and tests have always imported from here.
export { DEFAULT_INVENTORY_FILE, type InventoryLocation, locateInventory } from './locate-inventory.js';
export { type ParseInventoryOptions, parseInventory, validateInventory } from './parse-inventory.js';

export type LoadInventoryOptions = LocateInventoryOptions & ParseInventoryOptions & InventorySourceOptions;

export async function loadInventory(options: LoadInventoryOptions): Promise<Inventory> {
  const location = locateInventory(options);
  let text: string;
  options.onFileRead?.(location.path);
  try {
    text = await readFile(location.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new InventoryError(
        'inventory-not-found',
        `inventory file ${location.path} (${SOURCE_TEXT[location.source]}) does not exist. ` +
          'Fix: pass --inventory <file>, set DIAGNOSE502_INVENTORY, or create ./inventory.yml' +
          (location.source === 'default'
            ? '; or, if `ssh <host>` works, name the host in ~/.ssh/config (or pass --ssh-config FILE) and no inventory is needed'
            : ''),
        { file: location.path, cause: error },
      );
    }
    throw new InventoryError(
      'inventory-unreadable',
      `inventory file ${location.path} (${SOURCE_TEXT[location.source]}) cannot be read: ${code ?? String(error)}. ` +
        'Fix: check that the path is a file and readable by this user',
      { file: location.path, cause: error },
    );
  }
  // Ansible inventories and the ssh config (issue 19): sources.ts.
  const source = await readInventorySource(text, location.path, options);
  const inventory = validateInventory(source, location.path, options);
  return source.notes.length === 0 ? inventory : { ...inventory, notes: source.notes };
}
