/** A host's SSH settings as they apply: its own value, else the inventory's `ssh:` default. */
import type { Host, InventoryFile, SshSettings } from './schema.js';

export function effectiveSsh<K extends keyof SshSettings>(
  file: InventoryFile,
  host: Host,
  key: K,
): SshSettings[K] {
  const own = host.ssh?.[key];
  return own !== undefined ? own : file.ssh?.[key];
}

/** The jump host a host really uses: a default jump host pointing at itself means "direct". */
export function jumpOf(file: InventoryFile, name: string, host: Host): string | undefined {
  const jump = effectiveSsh(file, host, 'jumpHost');
  return jump === null || jump === undefined || jump === name ? undefined : jump;
}
