/**
 * Turns what a person typed (CLI argument, Slack message) into inventory hosts. Only names and
 * addresses that exist in the inventory are accepted: the text never reaches a shell or DNS.
 */
import { closeMatches } from './close-matches.js';
import { InventoryError } from './errors.js';
import type { Inventory, ResolvedHost } from './types.js';

/**
 * What a target may look like before it is even looked up: a name or DNS name, or an IP literal
 * (IPv6 included). Anything with spaces, quotes, `;`, `$`, `/` … is refused outright.
 */
export const TARGET_PATTERN = /^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,252}|[0-9A-Fa-f:.]{2,45})$/;

function printable(text: string): string {
  const short = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(short);
}

/**
 * Resolves a host name, a group name or a host's address (names ignore case) to hosts, in
 * inventory order for groups. Throws `InventoryError` (`target-invalid`, `target-unknown`,
 * `target-ambiguous`) otherwise.
 */
export function resolveTarget(inventory: Inventory, text: string): ResolvedHost[] {
  const target = text.trim();
  if (!TARGET_PATTERN.test(target)) {
    throw new InventoryError(
      'target-invalid',
      `target ${printable(target)} is not a host name, group name or address: only letters, digits, ` +
        `".", "_", "-" and ":" are allowed. Fix: pass a host or group name from ${inventory.path}`,
      { file: inventory.path },
    );
  }
  const wanted = target.toLowerCase();

  for (const [name, host] of inventory.hosts) {
    if (name.toLowerCase() === wanted) return [host];
  }
  for (const [name, members] of inventory.groups) {
    if (name.toLowerCase() !== wanted) continue;
    return members.map((member) => {
      const host = inventory.hosts.get(member);
      // load-inventory refuses unknown members, so this only fires for hand-built inventories.
      if (host === undefined) {
        throw new InventoryError('target-unknown', `group ${name} names unknown host ${member}`, {
          file: inventory.path,
        });
      }
      return host;
    });
  }

  const byAddress = [...inventory.hosts.values()].filter((host) => host.address.toLowerCase() === wanted);
  if (byAddress.length === 1) return byAddress;
  if (byAddress.length > 1) {
    const names = byAddress.map((host) => `${host.name} (port ${host.ssh.port})`).join(', ');
    throw new InventoryError(
      'target-ambiguous',
      `address ${target} belongs to several hosts: ${names}. Fix: pass the host name instead`,
      { file: inventory.path, suggestions: byAddress.map((host) => host.name) },
    );
  }

  const hostNames = [...inventory.hosts.keys()];
  const groupNames = [...inventory.groups.keys()];
  const addresses = [...inventory.hosts.values()].map((host) => host.address);
  const suggestions = closeMatches(target, [...hostNames, ...groupNames, ...addresses]);
  const didYouMean = suggestions.length > 0 ? ` Did you mean: ${suggestions.join(', ')}?` : '';
  const list = (names: string[]) =>
    names.length === 0
      ? '(none)'
      : names.length <= 10
        ? names.join(', ')
        : `${names.slice(0, 10).join(', ')} …`;
  throw new InventoryError(
    'target-unknown',
    `unknown target ${printable(target)}: not a host, group or host address in ${inventory.path}.${didYouMean} ` +
      `Hosts: ${list(hostNames)}. Groups: ${list(groupNames)}. ` +
      `Fix: use one of these, or add the host to ${inventory.path} under hosts: (hosts.<name>.address: <IP or DNS name>)`,
    { file: inventory.path, suggestions },
  );
}
