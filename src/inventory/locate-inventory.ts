/** Where the inventory file is: `--inventory`, then `DIAGNOSE502_INVENTORY`, then `./inventory.yml`. */
import { resolve } from 'node:path';

export const DEFAULT_INVENTORY_FILE = 'inventory.yml';

export type InventorySource = 'flag' | 'env' | 'default';

export interface InventoryLocation {
  /** Absolute path. */
  path: string;
  /** Where the path came from, for error messages. */
  source: InventorySource;
}

export interface LocateInventoryOptions {
  /** Value of `--inventory`, if given. */
  flagPath?: string | undefined;
  /** Value of `DIAGNOSE502_INVENTORY`, if set (the caller reads the environment, not this module). */
  envPath?: string | undefined;
  /** Directory relative paths (and the default `./inventory.yml`) resolve against. */
  cwd: string;
}

export function locateInventory(options: LocateInventoryOptions): InventoryLocation {
  const { flagPath, envPath, cwd } = options;
  if (flagPath !== undefined && flagPath.trim() !== '')
    return { path: resolve(cwd, flagPath), source: 'flag' };
  if (envPath !== undefined && envPath.trim() !== '') return { path: resolve(cwd, envPath), source: 'env' };
  return { path: resolve(cwd, DEFAULT_INVENTORY_FILE), source: 'default' };
}

/** How the path was chosen, in words, for the error that says it cannot be read. */
export const SOURCE_TEXT: Record<InventorySource, string> = {
  flag: 'given with --inventory',
  env: 'from DIAGNOSE502_INVENTORY',
  default: 'the default ./inventory.yml',
};
