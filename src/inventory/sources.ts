/**
 * Where an inventory comes from, told apart by content: diagnose502's own YAML; an Ansible
 * inventory (INI or YAML); or a small YAML overlay naming an Ansible file (`ansible: hosts.ini`)
 * that adds what Ansible lacks (services, nginx paths, ssh defaults, restart policy, alerts).
 * Each is read into the same raw shape, resolved through the person's ssh config when one is in
 * use, and then validated by load-inventory.ts like any YAML inventory.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { SshConfigSource } from '../ssh/ssh-config.js';
import type { ParsedAnsible } from './ansible-ini.js';
import { parseAnsibleIni } from './ansible-ini.js';
import { convertAnsible } from './ansible-inventory.js';
import type { AnsibleProblem } from './ansible-model.js';
import { looksLikeAnsibleYaml, parseAnsibleYaml } from './ansible-yaml.js';
import { InventoryError } from './errors.js';
import type { InventoryDocument } from './read-yaml-document.js';
import { readYamlDocument } from './read-yaml-document.js';
import { fillFromSshConfig } from './ssh-config-fill.js';

export interface InventorySourceOptions {
  /** The ssh config hosts are resolved through; undefined: none (the inventory says everything). */
  sshConfig?: SshConfigSource | undefined;
}

/** An inventory document, and what of the ssh config was not honoured. */
export interface SourceDocument extends InventoryDocument {
  notes: string[];
}

/**
 * Ansible INI, by its first meaningful line: a `[section]`, or a host line; diagnose502's YAML and
 * Ansible's YAML both start with `key:`.
 */
export function looksLikeIni(text: string): boolean {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';') || line === '---') continue;
    if (/^\[[^\]\s]+\]\s*([#;].*)?$/.test(line)) return true;
    return !/^[^\s#][^:]*:(\s|$)/.test(line) && !/^[-{[%]/.test(line);
  }
  return false;
}

function ansibleError(file: string, problems: AnsibleProblem[]): InventoryError {
  const issues = problems.map(
    (p) => `${p.line === undefined ? '' : `line ${p.line}: `}${p.message}. Fix: ${p.fix} in ${file}`,
  );
  const noun = issues.length === 1 ? 'problem' : 'problems';
  return new InventoryError(
    'inventory-invalid',
    `${file} is not a valid Ansible inventory (${issues.length} ${noun}):\n${issues.map((i) => `  - ${i}`).join('\n')}`,
    { file, issues },
  );
}

function parseAnsible(text: string, file: string): ParsedAnsible {
  if (looksLikeIni(text)) return parseAnsibleIni(text, file);
  return parseAnsibleYaml(text, file);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An Ansible file alone, or with an overlay (its raw value and lines) on top. */
function ansibleDocument(
  parsed: ParsedAnsible,
  overlay?: { raw: Record<string, unknown>; lineOf: InventoryDocument['lineOf']; file: string },
): InventoryDocument {
  const file = parsed.model.file;
  if (parsed.problems.length > 0) throw ansibleError(file, parsed.problems);
  const converted = convertAnsible(parsed.model);
  const problems: AnsibleProblem[] = [];
  const raw: Record<string, unknown> = { hosts: converted.hosts };
  if (Object.keys(converted.groups).length > 0) raw.groups = converted.groups;
  if (overlay !== undefined) {
    const { ansible: _named, hosts: extraHosts, groups: extraGroups, ...rest } = overlay.raw;
    Object.assign(raw, rest);
    if (isRecord(extraHosts)) {
      for (const [name, extra] of Object.entries(extraHosts)) {
        const base = converted.hosts[name];
        if (base === undefined) {
          const line = overlay.lineOf(['hosts', name]);
          throw new InventoryError(
            'inventory-invalid',
            `${overlay.file}${typeof line === 'number' ? `:${line}` : ''}: hosts.${name} is not a host of ${file}. ` +
              `Fix: add ${name} to ${file}, or correct the name in ${overlay.file}`,
            { file: overlay.file },
          );
        }
        if (!isRecord(extra)) continue;
        const { ssh, ...fields } = extra;
        converted.hosts[name] = { ...base, ...fields, ssh: { ...base.ssh, ...(isRecord(ssh) ? ssh : {}) } };
      }
    }
    if (isRecord(extraGroups)) raw.groups = { ...converted.groups, ...extraGroups };
  }
  if (problems.length > 0) throw ansibleError(file, problems);
  const ansibleName = basename(file);
  const lineOf = (path: readonly PropertyKey[]) => {
    const own = overlay?.lineOf(path);
    // The overlay's line where the overlay wrote the field itself, else the Ansible file's.
    if (overlay !== undefined && own !== undefined && hasPath(overlay.raw, path)) return own;
    const line = converted.lineOf(path);
    if (line !== undefined) return overlay === undefined ? line : `${ansibleName} line ${line}`;
    return own;
  };
  return { raw, lineOf };
}

function hasPath(raw: unknown, path: readonly PropertyKey[]): boolean {
  let node = raw;
  for (const key of path) {
    if (!isRecord(node) && !Array.isArray(node)) return false;
    node = (node as Record<PropertyKey, unknown>)[key as string];
    if (node === undefined) return false;
  }
  return true;
}

/** Reads `text` (the file at `filePath`) as whichever inventory format it is. */
export async function readInventorySource(
  text: string,
  filePath: string,
  options: InventorySourceOptions = {},
): Promise<SourceDocument> {
  let document: InventoryDocument;
  let ansibleOnly = false;
  if (looksLikeIni(text)) {
    document = ansibleDocument(parseAnsibleIni(text, filePath));
    ansibleOnly = true;
  } else {
    const yaml = readYamlDocument(text, filePath);
    if (looksLikeAnsibleYaml(yaml.raw)) {
      document = ansibleDocument(parseAnsibleYaml(text, filePath));
      ansibleOnly = true;
    } else if (isRecord(yaml.raw) && Object.hasOwn(yaml.raw, 'ansible')) {
      const named = yaml.raw.ansible;
      if (typeof named !== 'string' || named.trim() === '') {
        throw new InventoryError(
          'inventory-invalid',
          `${filePath}: ansible: must name the Ansible inventory file (line ${yaml.lineOf(['ansible']) ?? '?'}). ` +
            `Fix: write ansible: ./hosts.ini (relative to ${dirname(filePath)})`,
          { file: filePath },
        );
      }
      const ansiblePath = isAbsolute(named) ? named : resolve(dirname(filePath), named);
      let ansibleText: string;
      try {
        ansibleText = await readFile(ansiblePath, 'utf8');
      } catch (error) {
        throw new InventoryError(
          'inventory-not-found',
          `${filePath} (line ${yaml.lineOf(['ansible']) ?? '?'}) names the Ansible inventory ${ansiblePath}, which cannot be read ` +
            `(${(error as NodeJS.ErrnoException).code ?? String(error)}). Fix: correct ansible: in ${filePath}`,
          { file: filePath, cause: error },
        );
      }
      document = ansibleDocument(parseAnsible(ansibleText, ansiblePath), {
        raw: yaml.raw,
        lineOf: yaml.lineOf,
        file: filePath,
      });
    } else {
      document = yaml;
    }
  }
  const notes: string[] = [];
  if (options.sshConfig !== undefined) {
    notes.push(...(await fillFromSshConfig(document.raw, options.sshConfig, filePath)).notes);
  }
  if (ansibleOnly) requireKnownHosts(document.raw, filePath);
  return { ...document, notes };
}

/**
 * Ansible has no known_hosts setting of its own (ssh's config gives it): without an ssh config
 * that does, say where to put one instead of a field error about a YAML key the file cannot have.
 */
function requireKnownHosts(raw: unknown, filePath: string): void {
  if (!isRecord(raw) || !isRecord(raw.hosts)) return;
  const missing = Object.entries(raw.hosts)
    .filter(([, host]) => !(isRecord(host) && isRecord(host.ssh) && host.ssh.knownHostsPath !== undefined))
    .map(([name]) => name);
  if (missing.length === 0) return;
  throw new InventoryError(
    'inventory-invalid',
    `${filePath}: no known_hosts file for ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ' …' : ''}: an Ansible ` +
      'inventory does not name one, and no ssh config gave it (UserKnownHostsFile). Fix: pass --ssh-config FILE ' +
      '(or set DIAGNOSE502_SSH_CONFIG), or write a YAML overlay with ' +
      `ansible: ${basename(filePath)} and ssh: { knownHostsPath: … } and pass that as --inventory`,
    { file: filePath },
  );
}
