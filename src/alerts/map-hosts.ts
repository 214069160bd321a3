/**
 * Alert labels to inventory hosts. Only names and addresses that exist in the inventory are
 * accepted (the label text never reaches a shell or DNS); anything else is "unknown".
 */
import type { Inventory, ResolvedHost } from '../inventory/types.js';

export type HostMatch =
  | { kind: 'known'; host: ResolvedHost }
  | { kind: 'unknown'; value: string }
  | { kind: 'none' };

/** `web-3:9100` → `web-3`, `10.0.0.5:80` → `10.0.0.5`, `[2001:db8::1]:9100` → `2001:db8::1`; a URL's host too. */
export function stripPort(value: string): string {
  let v = value.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(v);
  if (scheme) v = v.slice(scheme[0].length).split('/')[0] ?? '';
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
  if (bracket?.[1]) return bracket[1];
  // One colon: host:port. Several: a bare IPv6 address, left as it is.
  const colons = v.split(':').length - 1;
  if (colons === 1 && /:\d+$/.test(v)) return v.slice(0, v.lastIndexOf(':'));
  return v;
}

export function mapHost(
  inventory: Inventory,
  labels: Record<string, string>,
  labelNames: readonly string[],
): HostMatch {
  for (const label of labelNames) {
    const raw = labels[label];
    if (raw === undefined || raw.trim() === '') continue;
    const value = stripPort(raw);
    const wanted = value.toLowerCase();
    for (const [name, host] of inventory.hosts)
      if (name.toLowerCase() === wanted) return { kind: 'known', host };
    const byAddress = [...inventory.hosts.values()].filter((h) => h.address.toLowerCase() === wanted);
    // Two hosts on one address (different SSH ports) cannot be told apart from a label: unknown.
    if (byAddress.length === 1 && byAddress[0]) return { kind: 'known', host: byAddress[0] };
    return { kind: 'unknown', value: value.slice(0, 200) };
  }
  return { kind: 'none' };
}

/** The inventory groups a host belongs to, in file order. */
export function groupsOf(inventory: Inventory, host: string): string[] {
  return [...inventory.groups].filter(([, members]) => members.includes(host)).map(([name]) => name);
}
