/**
 * From an Ansible inventory model to diagnose502's inventory shape (the same raw shape the YAML
 * file has, validated by the same code). Only the connection variables matter here:
 * `ansible_host`, `ansible_port`, `ansible_user`, `ansible_ssh_private_key_file`, `ansible_become`,
 * and a jump host from `ansible_ssh_common_args` / `ansible_ssh_extra_args` (`-J`, `-o ProxyJump=`,
 * or the classic `-o ProxyCommand="ssh -W %h:%p bastion"`). Every other variable is ignored.
 */
import { shlexSplit } from './ansible-ini.js';
import type { AnsibleModel, AnsibleVar } from './ansible-model.js';

/**
 * Ansible's variable precedence for one host (ansible/inventory/helpers.py sort_groups and
 * host.get_vars): `all`, then the host's groups by depth (parents before children), then by name;
 * host variables last.
 */
export function hostVars(model: AnsibleModel, host: string): Map<string, AnsibleVar> {
  const depth = groupDepths(model);
  const parents = new Map<string, string[]>();
  for (const group of model.groups.values()) {
    for (const child of group.children) parents.set(child, [...(parents.get(child) ?? []), group.name]);
  }
  const mine = new Set<string>(['all']);
  const visit = (name: string) => {
    if (mine.has(name)) return;
    mine.add(name);
    for (const parent of parents.get(name) ?? []) visit(parent);
  };
  for (const group of model.groups.values()) if (group.hosts.includes(host)) visit(group.name);
  const ordered = [...mine].sort(
    (a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || (a < b ? -1 : a > b ? 1 : 0),
  );
  const vars = new Map<string, AnsibleVar>();
  for (const name of ordered) for (const [k, v] of model.groups.get(name)?.vars ?? []) vars.set(k, v);
  for (const [k, v] of model.hosts.get(host)?.vars ?? []) vars.set(k, v);
  return vars;
}

/** Longest path from `all`, as Ansible's Group.depth (cycles are cut). */
function groupDepths(model: AnsibleModel): Map<string, number> {
  const depth = new Map<string, number>([['all', 0]]);
  const walk = (name: string, d: number, path: Set<string>) => {
    for (const child of model.groups.get(name)?.children ?? []) {
      if (path.has(child)) continue;
      if ((depth.get(child) ?? -1) >= d + 1) continue;
      depth.set(child, d + 1);
      walk(child, d + 1, new Set([...path, child]));
    }
  };
  walk('all', 0, new Set(['all']));
  return depth;
}

/** Every host of a group, its children's included, in file order, each once. */
export function groupMembers(model: AnsibleModel, name: string, seen = new Set<string>()): string[] {
  if (seen.has(name)) return [];
  seen.add(name);
  const group = model.groups.get(name);
  if (group === undefined) return [];
  const members = [...group.hosts];
  for (const child of group.children) members.push(...groupMembers(model, child, seen));
  return [...new Set(members)];
}

/** The jump host's name in ssh arguments: `-J [user@]host[:port]`, ProxyJump, or `ssh -W %h:%p host`. */
export function jumpFromSshArgs(args: string): string | undefined {
  const tokens = shlexSplit(args) ?? [];
  const hostOf = (spec: string) => {
    const first = spec.split(',')[0] ?? '';
    const noUser = first.includes('@') ? first.slice(first.lastIndexOf('@') + 1) : first;
    return noUser.replace(/^\[([^\]]+)\](:\d+)?$/, '$1').replace(/:\d+$/, '') || undefined;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (token === '-J') return hostOf(tokens[i + 1] ?? '');
    if (token.startsWith('-J')) return hostOf(token.slice(2));
    const option = token === '-o' ? tokens[i + 1] : token.startsWith('-o') ? token.slice(2) : undefined;
    if (option === undefined) continue;
    const m = /^(\w+)\s*[= ]\s*(.*)$/.exec(option.trim());
    if (m === null) continue;
    const [, key = '', value = ''] = m;
    if (key.toLowerCase() === 'proxyjump') return hostOf(value.trim());
    if (key.toLowerCase() === 'proxycommand') {
      const words = shlexSplit(value) ?? [];
      if (words[0] !== 'ssh' || !words.includes('-W')) continue;
      const rest = words.slice(1).filter((w, j, all) => {
        if (w.startsWith('-')) return false;
        const previous = all[j - 1];
        // Options of ssh that take a value (their value is not the host).
        return previous === undefined || !/^-[bcDEeFIiJLlmOopQRSWw]$/.test(previous);
      });
      const host = rest.at(-1);
      if (host !== undefined) return hostOf(host);
    }
  }
  return undefined;
}

export interface ConvertedAnsible {
  /** The raw inventory shape: `hosts` and `groups`, as diagnose502's YAML has them. */
  hosts: Record<string, { address: unknown; ssh: Record<string, unknown> }>;
  groups: Record<string, string[]>;
  /** Line in the Ansible file of a field of the raw shape. */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

const SSH_FIELDS: ReadonlyArray<[string, readonly string[]]> = [
  ['port', ['ansible_port', 'ansible_ssh_port']],
  ['user', ['ansible_user', 'ansible_ssh_user']],
  ['privateKeyPath', ['ansible_ssh_private_key_file', 'ansible_private_key_file']],
];

function truthy(value: unknown): boolean {
  return value === true || (typeof value === 'string' && /^(yes|true|on|1)$/i.test(value)) || value === 1;
}

export function convertAnsible(model: AnsibleModel): ConvertedAnsible {
  const hosts: ConvertedAnsible['hosts'] = {};
  const lines = new Map<string, number>();
  const at = (path: readonly PropertyKey[], line: number) => lines.set(path.join('\u0000'), line);
  for (const [name, host] of model.hosts) {
    const vars = hostVars(model, name);
    const pick = (keys: readonly string[]) => keys.map((k) => vars.get(k)).find((v) => v !== undefined);
    const address = pick(['ansible_host', 'ansible_ssh_host']);
    const ssh: Record<string, unknown> = {};
    at(['hosts', name], host.line);
    at(['hosts', name, 'address'], address?.line ?? host.line);
    for (const [field, keys] of SSH_FIELDS) {
      const v = pick(keys);
      if (v === undefined) continue;
      ssh[field] = v.value;
      at(['hosts', name, 'ssh', field], v.line);
    }
    for (const key of ['ansible_ssh_common_args', 'ansible_ssh_extra_args']) {
      const v = vars.get(key);
      const jump = typeof v?.value === 'string' ? jumpFromSshArgs(v.value) : undefined;
      if (v !== undefined && jump !== undefined) {
        ssh.jumpHost = jump;
        at(['hosts', name, 'ssh', 'jumpHost'], v.line);
      }
    }
    const become = vars.get('ansible_become');
    if (become !== undefined && truthy(become.value)) ssh.sudo = true;
    hosts[name] = { address: address?.value ?? name, ssh };
  }
  // A jump host named by its address (ansible_host) rather than its inventory name.
  for (const host of Object.values(hosts)) {
    const jump = host.ssh.jumpHost;
    if (typeof jump !== 'string' || Object.hasOwn(hosts, jump)) continue;
    const byAddress = Object.entries(hosts).filter(([, h]) => h.address === jump);
    if (byAddress.length === 1 && byAddress[0] !== undefined) host.ssh.jumpHost = byAddress[0][0];
  }
  const groups: Record<string, string[]> = {};
  for (const group of model.groups.values()) {
    if (group.name === 'all' || group.name === 'ungrouped') continue;
    const members = groupMembers(model, group.name);
    if (members.length === 0) continue;
    groups[group.name] = members;
    at(['groups', group.name], group.line);
  }
  const lineOf = (path: readonly PropertyKey[]) => {
    for (let n = path.length; n >= 2; n--) {
      const line = lines.get(path.slice(0, n).join('\u0000'));
      if (line !== undefined) return line;
    }
    return undefined;
  };
  return { hosts, groups, lineOf };
}
