/**
 * Which ssh config is in use: `--ssh-config`, `DIAGNOSE502_SSH_CONFIG`, or for the CLI
 * `~/.ssh/config` when it exists (ssh-config-inventory.ts uses it as a source of hosts).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SshConfigSource } from '../ssh/ssh-config.js';
import { defaultSshConfigPath } from '../ssh/ssh-config.js';
import { InventoryError } from './errors.js';

export interface PickSshConfigOptions {
  /** `--ssh-config`. */
  flagPath?: string | undefined;
  /** `DIAGNOSE502_SSH_CONFIG`. */
  envPath?: string | undefined;
  cwd: string;
  /** The CLI reads `~/.ssh/config` by default, as `ssh` does; the bot only a config it is given. */
  userDefault: boolean;
}

export interface PickedSshConfig {
  source: SshConfigSource;
  /** For messages: the file, or `~/.ssh/config`. */
  name: string;
}

/** The ssh config in use, or undefined for none. A named file that does not exist is an error. */
export function pickSshConfig(options: PickSshConfigOptions): PickedSshConfig | undefined {
  const given = [options.flagPath, options.envPath].find((v) => v !== undefined && v.trim() !== '');
  if (given !== undefined) {
    if (given === 'none') return undefined;
    const path = resolve(options.cwd, given);
    if (!existsSync(path)) {
      const from = given === options.flagPath ? '--ssh-config' : 'DIAGNOSE502_SSH_CONFIG';
      throw new InventoryError(
        'inventory-not-found',
        `the ssh config ${path} (from ${from}) does not exist. Fix: name an existing ssh config file, or none`,
        { file: path },
      );
    }
    return { source: { file: path }, name: path };
  }
  if (!options.userDefault) return undefined;
  const path = defaultSshConfigPath();
  // Without -F, `ssh -G` reads ~/.ssh/config and /etc/ssh/ssh_config, exactly as `ssh host` does.
  return existsSync(path) ? { source: {}, name: path } : undefined;
}
