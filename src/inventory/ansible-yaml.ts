/**
 * Ansible's YAML inventory format, read as ansible-core's yaml plugin reads it
 * (ansible/plugins/inventory/yaml.py): top-level groups, each with `hosts:` (name → variables),
 * `children:` (name → group, recursively) and `vars:`. Host names may carry `:port` and ranges.
 */
import type { Document, Node } from 'yaml';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { ParsedAnsible } from './ansible-ini.js';
import { addHostPattern } from './ansible-ini.js';
import type {
  AnsibleGroup,
  AnsibleModel,
  AnsibleProblem,
  AnsibleValue,
  AnsibleVar,
} from './ansible-model.js';
import { addChild, emptyModel, groupOf, reconcile } from './ansible-model.js';

const GROUP_KEYS = new Set(['hosts', 'children', 'vars']);

/**
 * Whether parsed YAML has the shape of an Ansible inventory: every top-level value is a group (a map
 * of only hosts/children/vars, or empty). diagnose502's own format has `hosts:` mapping host names
 * to `address:` maps, so the two never look alike.
 */
export function looksLikeAnsibleYaml(raw: unknown): boolean {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return false;
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) return false;
  let someGroupKey = false;
  for (const [, value] of entries) {
    if (value === null) continue;
    if (typeof value !== 'object' || Array.isArray(value)) return false;
    for (const key of Object.keys(value)) {
      if (!GROUP_KEYS.has(key)) return false;
      someGroupKey = true;
    }
  }
  return someGroupKey;
}

function lineOf(node: unknown, counter: LineCounter): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range === undefined ? undefined : counter.linePos(range[0]).line;
}

export function parseAnsibleYaml(text: string, file: string): ParsedAnsible {
  const counter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: counter, uniqueKeys: true });
  const model = emptyModel(file, 'yaml');
  const problems: AnsibleProblem[] = [];
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    problems.push({
      line: syntax.linePos?.[0].line,
      message: `YAML syntax error: ${syntax.message.split('\n')[0]}`,
      fix: 'correct the YAML on that line',
    });
    return { model, problems };
  }
  const root = doc.contents;
  if (!isMap(root)) {
    problems.push({ line: 1, message: 'expected a map of group names', fix: 'start the file with all:' });
    return { model, problems };
  }
  const readVars = (node: unknown): Map<string, AnsibleVar> => {
    const vars = new Map<string, AnsibleVar>();
    if (node === null || node === undefined || (isScalar(node) && node.value === null)) return vars;
    if (!isMap(node)) {
      problems.push({
        line: lineOf(node, counter),
        message: 'expected a map of variables',
        fix: 'write variables as name: value under the host or vars:',
      });
      return vars;
    }
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) continue;
      const value =
        (pair.value as Node | null)?.toJSON?.() ?? (isScalar(pair.value) ? pair.value.value : null);
      vars.set(key, { value: value as AnsibleValue, line: lineOf(pair.key, counter) ?? 0 });
    }
    return vars;
  };
  const readGroup = (group: AnsibleGroup, node: unknown, depth: number) => {
    if (node === null || node === undefined || (isScalar(node) && node.value === null)) return;
    if (depth > 50 || !isMap(node)) {
      problems.push({
        line: lineOf(node, counter),
        message: `group ${group.name}: expected a map of hosts:, children: and vars:`,
        fix: `write the group ${group.name} as a map with hosts:, children: or vars:`,
      });
      return;
    }
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const line = lineOf(pair.key, counter);
      const value = pair.value;
      if (key === 'vars') {
        for (const [name, v] of readVars(value)) group.vars.set(name, v);
      } else if (key === 'hosts') {
        if (value === null || (isScalar(value) && value.value === null)) continue;
        if (!isMap(value)) {
          problems.push({
            line,
            message: `${group.name}.hosts: expected a map of host names (a list is not Ansible's format)`,
            fix: 'write each host as "name:" on its own line under hosts:',
          });
          continue;
        }
        for (const hostPair of value.items) {
          const pattern = isScalar(hostPair.key) ? String(hostPair.key.value) : '';
          const hostLine = lineOf(hostPair.key, counter) ?? 0;
          const vars = readVars(hostPair.value);
          const m = /^([^:[\]]+|\[[^\]]+\][^:]*|[^:]*\[[^\]]+\][^:]*):(\d+)$/.exec(pattern);
          const port = m?.[2] === undefined ? undefined : Number(m[2]);
          addHostPattern(model, group, { pattern, host: m?.[1] ?? pattern, port }, hostLine, vars, problems);
        }
      } else if (key === 'children') {
        if (value === null || (isScalar(value) && value.value === null)) continue;
        if (!isMap(value)) {
          problems.push({
            line,
            message: `${group.name}.children: expected a map of group names`,
            fix: 'write each child group as "name:" on its own line under children:',
          });
          continue;
        }
        for (const childPair of value.items) {
          const childName = isScalar(childPair.key) ? String(childPair.key.value) : '';
          const childLine = lineOf(childPair.key, counter) ?? 0;
          addChild(model, group, childName, childLine);
          readGroup(groupOf(model, childName, childLine), childPair.value, depth + 1);
        }
      } else {
        problems.push({
          line,
          message: `group ${group.name}: unknown key "${key}"`,
          fix: 'a group holds only hosts:, children: and vars:',
        });
      }
    }
  };
  for (const pair of root.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '';
    readGroup(groupOf(model, name, lineOf(pair.key, counter) ?? 0), pair.value, 0);
  }
  reconcile(model as AnsibleModel);
  return { model, problems };
}
