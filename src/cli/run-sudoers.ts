/**
 * `diagnose502 sudoers [TARGET] [--inventory PATH]`: prints the sudoers file for the inventory's SSH
 * user, allowing exactly the commands diagnose502 runs as root (src/probes/privileged-commands.ts).
 */
import { loadInventory } from '../inventory/load-inventory.js';
import { resolveTarget } from '../inventory/resolve-target.js';
import { sudoersFile } from '../probes/sudoers-file.js';
import type { CliIo } from './run-cli.js';

const USAGE =
  'usage: diagnose502 sudoers [HOST|GROUP] [--inventory PATH]   (every host when none is named)\n';

export async function runSudoers(argv: string[], io: CliIo): Promise<number> {
  let target: string | undefined;
  let flagPath: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--help' || a === '-h') {
      io.stdout.write(USAGE);
      return 0;
    }
    if (a === '--inventory' && argv[i + 1] !== undefined) flagPath = argv[++i];
    else if (!a.startsWith('-') && target === undefined) target = a;
    else {
      io.stderr.write(`diagnose502 sudoers: unknown argument ${a}\n${USAGE}`);
      return 2;
    }
  }
  try {
    const inventory = await loadInventory({
      flagPath,
      envPath: io.env.DIAGNOSE502_INVENTORY,
      cwd: io.cwd ?? process.cwd(),
    });
    const hosts = target === undefined ? [...inventory.hosts.values()] : resolveTarget(inventory, target);
    io.stdout.write(sudoersFile(inventory, hosts));
    return 0;
  } catch (err) {
    io.stderr.write(`diagnose502 sudoers: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}
