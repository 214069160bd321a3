/**
 * The bot's inventory, parsed once while its files are unchanged (issue 17): every job of the
 * worker needs it (to resolve the target, then to offer restarts), and 50 jobs at once used to
 * hold 100 parsed copies. A load is reused while every file it read (the inventory, the Ansible
 * file an overlay names) has the same device, inode, size, mtime and ctime; callers that arrive
 * while a load runs share it. With an ssh config, only the running load is shared: `ssh -G` may
 * read files (Include, Match exec) this cannot watch, so each later call loads again.
 */
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type LoadInventoryOptions, loadInventory } from './load-inventory.js';
import type { Inventory } from './types.js';

interface Loaded {
  /** Each file read, with its identity when it was read (taken before reading it). */
  files: Map<string, string>;
  inventory: Promise<Inventory>;
  settled: boolean;
}

function identityOf(st: { dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }) {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

function identityNow(path: string): string {
  try {
    return identityOf(statSync(path, { bigint: true }));
  } catch {
    return 'unreadable';
  }
}

async function unchanged(files: ReadonlyMap<string, string>): Promise<boolean> {
  const now = await Promise.all(
    [...files].map(async ([path, was]) => {
      const st = await stat(path, { bigint: true }).catch(() => undefined);
      return st !== undefined && identityOf(st) === was;
    }),
  );
  return now.every(Boolean);
}

/** `() => loadInventory(options)`, parsed again only when one of its files changed. */
export function cachedInventory(
  options: LoadInventoryOptions,
  load: (options: LoadInventoryOptions) => Promise<Inventory> = loadInventory,
): () => Promise<Inventory> {
  const reusable = options.sshConfig === undefined;
  let last: Loaded | undefined;
  const fresh = (): Loaded => {
    const files = new Map<string, string>();
    const loaded: Loaded = {
      files,
      settled: false,
      inventory: load({ ...options, onFileRead: (path) => files.set(path, identityNow(path)) }),
    };
    loaded.inventory.then(
      () => {
        loaded.settled = true;
      },
      () => {
        // A failed load is not kept: the next call reads the files again and says what is wrong now.
        if (last === loaded) last = undefined;
      },
    );
    return loaded;
  };
  return async () => {
    const current = last;
    if (current !== undefined && (!current.settled || (reusable && (await unchanged(current.files))))) {
      return current.inventory;
    }
    // Another caller may have started a load while this one looked at the files.
    if (last !== undefined && last !== current) return last.inventory;
    last = fresh();
    return last.inventory;
  };
}
