/**
 * Ansible's INI inventory format, read as ansible-core's ini plugin reads it
 * (ansible/plugins/inventory/ini.py): `[group]`, `[group:vars]`, `[group:children]`, host lines of
 * `name key=value …` split like a shell would (shlex, `#` comments), `name:port`, numeric and
 * alphabetic ranges `web[01:03]`, values typed like Python literals (`22` is a number).
 */
import type {
  AnsibleGroup,
  AnsibleModel,
  AnsibleProblem,
  AnsibleValue,
  AnsibleVar,
} from './ansible-model.js';
import { addChild, addHost, emptyModel, groupOf, reconcile } from './ansible-model.js';

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:[#;].*)?$/;

/** Python's shlex.split(line, comments=True) for the subset inventories use. */
export function shlexSplit(line: string): string[] | undefined {
  const tokens: string[] = [];
  let token: string | undefined;
  let i = 0;
  while (i < line.length) {
    const ch = line[i] as string;
    if (ch === ' ' || ch === '\t') {
      if (token !== undefined) tokens.push(token);
      token = undefined;
      i++;
    } else if (ch === '#' && token === undefined) {
      break;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return undefined;
      token = (token ?? '') + line.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      let out = '';
      i++;
      for (;;) {
        if (i >= line.length) return undefined;
        const c = line[i] as string;
        if (c === '"') break;
        if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
          out += line[i + 1];
          i += 2;
        } else {
          out += c;
          i++;
        }
      }
      token = (token ?? '') + out;
      i++;
    } else if (ch === '\\' && i + 1 < line.length) {
      token = (token ?? '') + line[i + 1];
      i += 2;
    } else {
      token = (token ?? '') + ch;
      i++;
    }
  }
  if (token !== undefined) tokens.push(token);
  return tokens;
}

/** Ansible's `_parse_value`: what `ast.literal_eval` makes of simple literals, else the text. */
export function literalValue(text: string): AnsibleValue {
  if (/^[-+]?\d+$/.test(text)) return Number(text);
  if (/^[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return Number(text);
  if (text === 'True') return true;
  if (text === 'False') return false;
  if (text === 'None') return null;
  const quoted = /^'([^'\\]*)'$|^"([^"\\]*)"$/.exec(text);
  if (quoted) return quoted[1] ?? quoted[2] ?? '';
  return text;
}

const RANGE = /^(.*?)\[([0-9a-zA-Z]+):([0-9a-zA-Z]+)(?::([0-9]+))?\](.*)$/;

/** `web[01:03].example.com` → web01…, web03…; letters work too (`[a:c]`). Bounded at 10000 hosts. */
export function expandHostRange(pattern: string): string[] | undefined {
  const m = RANGE.exec(pattern);
  if (m === null) return [pattern];
  const [, head = '', start = '', end = '', strideText, tail = ''] = m;
  const stride = strideText === undefined ? 1 : Number(strideText);
  if (stride < 1) return undefined;
  const names: string[] = [];
  if (/^\d+$/.test(start) && /^\d+$/.test(end)) {
    const width = start.length;
    for (let n = Number(start); n <= Number(end); n += stride) {
      names.push(`${head}${String(n).padStart(width, '0')}${tail}`);
      if (names.length > 10_000) return undefined;
    }
  } else if (/^[a-zA-Z]$/.test(start) && /^[a-zA-Z]$/.test(end)) {
    for (let c = start.charCodeAt(0); c <= end.charCodeAt(0); c += stride) {
      names.push(`${head}${String.fromCharCode(c)}${tail}`);
    }
  } else return undefined;
  if (names.length === 0) return undefined;
  const expanded: string[] = [];
  for (const name of names) {
    const more = expandHostRange(name);
    if (more === undefined) return undefined;
    expanded.push(...more);
  }
  return expanded;
}

/**
 * Every host a line names (`web[01:10]`, with its port if the pattern had one) into `group`, with the
 * line's variables; a range that cannot be expanded is a problem, and adds nothing.
 */
export function addHostPattern(
  model: AnsibleModel,
  group: AnsibleGroup,
  { pattern, host, port }: { pattern: string; host: string; port: number | undefined },
  line: number,
  vars: Map<string, AnsibleVar>,
  problems: AnsibleProblem[],
): void {
  const names = expandHostRange(host);
  if (names === undefined) {
    problems.push({
      line,
      message: `the host range in "${pattern}" cannot be expanded`,
      fix: 'write a range like web[01:10] or db-[a:c] (at most 10000 hosts)',
    });
    return;
  }
  if (port !== undefined) vars.set('ansible_port', { value: port, line });
  for (const name of names) addHost(model, group, name, line, vars);
}

/** `host:2222` → port; `[2001:db8::1]:2222` too. A bare IPv6 literal has no port. */
function splitPort(pattern: string): { host: string; port?: number } {
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/.exec(pattern);
  if (bracketed) {
    return bracketed[2] === undefined
      ? { host: bracketed[1] ?? '' }
      : { host: bracketed[1] ?? '', port: Number(bracketed[2]) };
  }
  const m = /^([^:]+):(\d+)$/.exec(pattern);
  return m ? { host: m[1] ?? '', port: Number(m[2]) } : { host: pattern };
}

export interface ParsedAnsible {
  model: AnsibleModel;
  problems: AnsibleProblem[];
}

export function parseAnsibleIni(text: string, file: string): ParsedAnsible {
  const model = emptyModel(file, 'ini');
  const problems: AnsibleProblem[] = [];
  let group = groupOf(model, 'ungrouped', 0);
  let state: 'hosts' | 'vars' | 'children' = 'hosts';
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    if (line.startsWith('[')) {
      const m = SECTION.exec(line);
      const kind = m?.[2] ?? 'hosts';
      if (m === null || !['hosts', 'vars', 'children'].includes(kind)) {
        problems.push({
          line: lineNo,
          message: `"${line.slice(0, 60)}" is not a section header`,
          fix: 'write [group], [group:vars] or [group:children]',
        });
        return;
      }
      group = groupOf(model, m[1] ?? '', lineNo);
      state = kind as typeof state;
      return;
    }
    if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq <= 0) {
        problems.push({
          line: lineNo,
          message: `expected key=value in [${group.name}:vars]`,
          fix: `write the variable as name=value, or move "${line.slice(0, 40)}" to a hosts section`,
        });
        return;
      }
      const key = line.slice(0, eq).trim();
      group.vars.set(key, { value: literalValue(line.slice(eq + 1).trim()), line: lineNo });
      return;
    }
    if (state === 'children') {
      const [child] = line.split(/\s+/);
      if (child !== undefined) addChild(model, group, child, lineNo);
      return;
    }
    const tokens = shlexSplit(line);
    if (tokens === undefined || tokens.length === 0) {
      problems.push({ line: lineNo, message: 'unbalanced quotes', fix: 'close the quote on this line' });
      return;
    }
    const [pattern = '', ...assignments] = tokens;
    const vars = new Map<string, AnsibleVar>();
    for (const assignment of assignments) {
      const eq = assignment.indexOf('=');
      if (eq <= 0) {
        problems.push({
          line: lineNo,
          message: `"${assignment.slice(0, 40)}" is not a key=value variable`,
          fix: 'write host variables as name=value after the host name',
        });
        return;
      }
      vars.set(assignment.slice(0, eq), { value: literalValue(assignment.slice(eq + 1)), line: lineNo });
    }
    const { host, port } = splitPort(pattern);
    addHostPattern(model, group, { pattern, host, port }, lineNo, vars, problems);
  });
  reconcile(model);
  return { model, problems };
}
