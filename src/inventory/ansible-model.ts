/**
 * An Ansible inventory as both of its file formats (INI and YAML) describe it: groups with hosts,
 * child groups and variables, each with the line it was written on. The two parsers fill this model;
 * ansible-inventory.ts turns it into diagnose502 hosts. Semantics follow Ansible's own inventory
 * plugins (ansible/plugins/inventory/ini.py, yaml.py) and ansible/inventory/data.py.
 */

/** A variable as written: scalars only matter here (ports, users, paths, args). */
export type AnsibleValue = string | number | boolean | null | readonly unknown[] | Record<string, unknown>;

export interface AnsibleVar {
  value: AnsibleValue;
  line: number;
}

export interface AnsibleGroup {
  name: string;
  /** Where the group was first named. */
  line: number;
  /** Hosts listed directly in this group, in file order. */
  hosts: string[];
  children: string[];
  vars: Map<string, AnsibleVar>;
}

export interface AnsibleHost {
  name: string;
  /** Where the host was first listed. */
  line: number;
  vars: Map<string, AnsibleVar>;
}

export interface AnsibleModel {
  /** Absolute path of the Ansible file. */
  file: string;
  format: 'ini' | 'yaml';
  /** Always holds `all` and `ungrouped`, as Ansible's does. */
  groups: Map<string, AnsibleGroup>;
  hosts: Map<string, AnsibleHost>;
}

/** A problem found while reading an Ansible file: the line and how to fix it. */
export interface AnsibleProblem {
  line: number | undefined;
  message: string;
  fix: string;
}

export function emptyModel(file: string, format: 'ini' | 'yaml'): AnsibleModel {
  const model: AnsibleModel = { file, format, groups: new Map(), hosts: new Map() };
  groupOf(model, 'all', 0);
  groupOf(model, 'ungrouped', 0);
  return model;
}

export function groupOf(model: AnsibleModel, name: string, line: number): AnsibleGroup {
  let group = model.groups.get(name);
  if (group === undefined) {
    group = { name, line, hosts: [], children: [], vars: new Map() };
    model.groups.set(name, group);
  }
  return group;
}

/** Adds `host` to `group` (once) and merges its variables: later definitions win, as in Ansible. */
export function addHost(
  model: AnsibleModel,
  group: AnsibleGroup,
  name: string,
  line: number,
  vars: Map<string, AnsibleVar>,
): void {
  let host = model.hosts.get(name);
  if (host === undefined) {
    host = { name, line, vars: new Map() };
    model.hosts.set(name, host);
  }
  for (const [key, value] of vars) host.vars.set(key, value);
  if (!group.hosts.includes(name)) group.hosts.push(name);
}

export function addChild(model: AnsibleModel, parent: AnsibleGroup, child: string, line: number): void {
  groupOf(model, child, line);
  if (!parent.children.includes(child)) parent.children.push(child);
}

/**
 * Ansible's last step (InventoryData.reconcile_inventory): every group without a parent becomes a
 * child of `all`, and hosts in no group but `all` land in `ungrouped`.
 */
export function reconcile(model: AnsibleModel): void {
  const all = groupOf(model, 'all', 0);
  const ungrouped = groupOf(model, 'ungrouped', 0);
  const hasParent = new Set<string>();
  for (const group of model.groups.values()) for (const child of group.children) hasParent.add(child);
  for (const group of model.groups.values()) {
    if (group.name !== 'all' && !hasParent.has(group.name) && !all.children.includes(group.name))
      all.children.push(group.name);
  }
  const grouped = new Set<string>();
  for (const group of model.groups.values()) {
    if (group.name === 'all' || group.name === 'ungrouped') continue;
    for (const host of group.hosts) grouped.add(host);
  }
  for (const host of model.hosts.keys()) {
    if (!grouped.has(host) && !ungrouped.hosts.includes(host)) ungrouped.hosts.push(host);
  }
  all.hosts = all.hosts.filter((host) => !grouped.has(host) && !ungrouped.hosts.includes(host));
}
