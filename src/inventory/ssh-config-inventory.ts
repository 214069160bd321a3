/**
 * The ssh config as a source of hosts: which config is in use (`--ssh-config`,
 * `DIAGNOSE502_SSH_CONFIG`, or for the CLI `~/.ssh/config` when it exists), and the zero-inventory
 * path: with no inventory file at all, `diagnose502 web-3` diagnoses the host `ssh web-3` reaches,
 * when the ssh config names it.
 */
import { configNamesHost, SSH_HOST_TOKEN, SshClientMissingError } from '../ssh/ssh-config.js';
import { InventoryError } from './errors.js';
import type { LoadInventoryOptions } from './load-inventory.js';
import { validateInventory } from './parse-inventory.js';
// Which config is in use: its own file, so that the CLI can ask before it loads the inventory's
// parser (zod, yaml: src/cli/run-cli.ts); re-exported for the callers that always imported it here.
import { type PickedSshConfig, pickSshConfig } from './pick-ssh-config.js';
import { fillFromSshConfig } from './ssh-config-fill.js';
import type { Inventory } from './types.js';

export { type PickedSshConfig, type PickSshConfigOptions, pickSshConfig } from './pick-ssh-config.js';

/**
 * A one-host inventory for `target` from the ssh config alone. Throws `target-unknown` when the
 * config says nothing of its own about the name (a typo must not be looked up in DNS and dialled).
 */
export async function inventoryFromSshConfig(
  target: string,
  picked: PickedSshConfig,
  missingInventory: string,
): Promise<Inventory> {
  const name = target.trim();
  const unknown = (why: string) =>
    new InventoryError(
      'target-unknown',
      `${JSON.stringify(name.slice(0, 80))} is not in an inventory (${missingInventory} does not exist) ${why}. ` +
        `Fix: add "Host ${SSH_HOST_TOKEN.test(name) ? name : 'NAME'}" to ${picked.name}, or pass --inventory FILE`,
      { file: picked.name },
    );
  if (!SSH_HOST_TOKEN.test(name)) throw unknown('and is not a host name');
  try {
    if (!(await configNamesHost(name, picked.source))) throw unknown(`and ${picked.name} does not name it`);
  } catch (error) {
    if (error instanceof SshClientMissingError) {
      throw unknown(
        `and ${error.message}, so ${picked.name} cannot be read. Fix: apt-get install openssh-client`,
      );
    }
    throw error;
  }
  const raw = { hosts: { [name]: { address: name } } };
  const { notes } = await fillFromSshConfig(raw, picked.source, picked.name);
  const inventory = validateInventory({ raw, lineOf: () => undefined }, picked.name);
  return notes.length === 0 ? inventory : { ...inventory, notes };
}

/**
 * How the bot loads its inventory: `DIAGNOSE502_INVENTORY`, resolved through the ssh config of
 * `DIAGNOSE502_SSH_CONFIG` when set (never the service account's ~/.ssh/config by surprise).
 */
export function botInventoryOptions(config: {
  inventoryPath: string;
  sshConfigPath?: string | undefined;
}): LoadInventoryOptions {
  const cwd = process.cwd();
  const picked = pickSshConfig({ envPath: config.sshConfigPath, cwd, userDefault: false });
  return { flagPath: config.inventoryPath, cwd, sshConfig: picked?.source };
}
