/**
 * Reads, validates and resolves the inventory file. Every problem is reported at once, each naming
 * the field path, the line, and how to fix it, because a half-fixed inventory that fails again on
 * the next field wastes the time of someone who is in the middle of an outage.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { z } from 'zod';
import { closeMatches } from './close-matches.js';
import { formatFieldPath, InventoryError } from './errors.js';
import type { InventoryDocument } from './read-yaml-document.js';
import { readYamlDocument } from './read-yaml-document.js';
import {
  DURATION_PATTERN,
  Host,
  InventoryFile,
  JournalLog,
  NginxPaths,
  RestartAllow,
  RestartPolicyFile,
  Service,
  SshSettings,
} from './schema.js';
import type { InventorySourceOptions } from './sources.js';
import { readInventorySource } from './sources.js';
import type { EffectiveSsh, Inventory, ResolvedHost, ResolvedService, RestartPolicy } from './types.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_NGINX_ACCESS_LOG,
  DEFAULT_NGINX_ERROR_LOG,
  DEFAULT_RESTART_COOLDOWN_MS,
  DEFAULT_RESTART_EXPIRES_MS,
  DEFAULT_SSH_PORT,
} from './types.js';

export const DEFAULT_INVENTORY_FILE = 'inventory.yml';

export type InventorySource = 'flag' | 'env' | 'default';

export interface InventoryLocation {
  /** Absolute path. */
  path: string;
  /** Where the path came from, for error messages. */
  source: InventorySource;
}

export interface LocateInventoryOptions {
  /** Value of `--inventory`, if given. */
  flagPath?: string | undefined;
  /** Value of `DIAGNOSE502_INVENTORY`, if set (the caller reads the environment, not this module). */
  envPath?: string | undefined;
  /** Directory relative paths (and the default `./inventory.yml`) resolve against. */
  cwd: string;
}

export interface ParseInventoryOptions {
  /** Home directory for `~/` in key and known_hosts paths; without it such paths are refused. */
  homeDir?: string | undefined;
}

export type LoadInventoryOptions = LocateInventoryOptions & ParseInventoryOptions & InventorySourceOptions;

/** Picks the inventory path: `--inventory`, then `DIAGNOSE502_INVENTORY`, then `./inventory.yml`. */
export function locateInventory(options: LocateInventoryOptions): InventoryLocation {
  const { flagPath, envPath, cwd } = options;
  if (flagPath !== undefined && flagPath.trim() !== '')
    return { path: resolve(cwd, flagPath), source: 'flag' };
  if (envPath !== undefined && envPath.trim() !== '') return { path: resolve(cwd, envPath), source: 'env' };
  return { path: resolve(cwd, DEFAULT_INVENTORY_FILE), source: 'default' };
}

const SOURCE_TEXT: Record<InventorySource, string> = {
  flag: 'given with --inventory',
  env: 'from DIAGNOSE502_INVENTORY',
  default: 'the default ./inventory.yml',
};

export async function loadInventory(options: LoadInventoryOptions): Promise<Inventory> {
  const location = locateInventory(options);
  let text: string;
  try {
    text = await readFile(location.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new InventoryError(
        'inventory-not-found',
        `inventory file ${location.path} (${SOURCE_TEXT[location.source]}) does not exist. ` +
          'Fix: pass --inventory <file>, set DIAGNOSE502_INVENTORY, or create ./inventory.yml',
        { file: location.path, cause: error },
      );
    }
    throw new InventoryError(
      'inventory-unreadable',
      `inventory file ${location.path} (${SOURCE_TEXT[location.source]}) cannot be read: ${code ?? String(error)}. ` +
        'Fix: check that the path is a file and readable by this user',
      { file: location.path, cause: error },
    );
  }
  // Ansible inventories and the ssh config (issue 19): sources.ts.
  const source = await readInventorySource(text, location.path, options);
  const inventory = validateInventory(source, location.path, options);
  return source.notes.length === 0 ? inventory : { ...inventory, notes: source.notes };
}

interface Problem {
  path: PropertyKey[];
  message: string;
  fix?: string;
}

/** Parses and validates inventory text; `filePath` is absolute and anchors relative paths. */
export function parseInventory(
  text: string,
  filePath: string,
  options: ParseInventoryOptions = {},
): Inventory {
  return validateInventory(readYamlDocument(text, filePath), filePath, options);
}

/**
 * Validates an inventory already read into its raw shape (from diagnose502's YAML, or built from an
 * Ansible inventory: sources.ts); `document.lineOf` says where a field was written.
 */
export function validateInventory(
  document: InventoryDocument,
  filePath: string,
  options: ParseInventoryOptions = {},
): Inventory {
  const { raw, lineOf } = document;
  if (raw === null || raw === undefined) {
    throw new InventoryError(
      'inventory-invalid',
      `${filePath} is empty. Fix: add at least a hosts: map (see the inventory format in the README)`,
      { file: filePath, issues: ['(top level): the file is empty'] },
    );
  }

  const fail = (problems: Problem[]): never => {
    const issues = problems.map((p) => renderProblem(p, filePath, lineOf(p.path)));
    const noun = issues.length === 1 ? 'problem' : 'problems';
    throw new InventoryError(
      'inventory-invalid',
      `${filePath} is not a valid inventory (${issues.length} ${noun}):\n${issues.map((i) => `  - ${i}`).join('\n')}`,
      { file: filePath, issues },
    );
  };

  const parsed = InventoryFile.safeParse(raw, { reportInput: true });
  if (!parsed.success) fail(parsed.error.issues.flatMap((issue) => problemsFromZod(issue, filePath)));
  const file = parsed.data as InventoryFile;

  const problems = crossCheck(file, filePath, options);
  if (problems.length > 0) fail(problems);
  return buildInventory(file, filePath, options);
}

function renderProblem(problem: Problem, filePath: string, line: number | string | undefined): string {
  const field = formatFieldPath(problem.path);
  const at = line === undefined ? '' : typeof line === 'number' ? ` (line ${line})` : ` (${line})`;
  const fix = problem.fix ?? `set ${field} in ${filePath}`;
  return `${field}: ${problem.message}${at}. Fix: ${fix}`;
}

function describeInput(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(input.length > 60 ? `${input.slice(0, 60)}…` : input);
  if (typeof input === 'number' || typeof input === 'boolean' || input === null) return String(input);
  if (Array.isArray(input)) return 'a list';
  return 'a map';
}

/** The fields an object at `path` may have, to suggest the intended one for a typo. */
function knownFieldsAt(path: readonly PropertyKey[]): string[] {
  const last = path.at(-1);
  const shapeKeys = (schema: { shape: Record<string, unknown> }) => Object.keys(schema.shape);
  if (path.length === 0) return shapeKeys(InventoryFile);
  if (last === 'ssh') return shapeKeys(SshSettings);
  if (last === 'nginx') return shapeKeys(NginxPaths);
  if (path.length === 1 && last === 'restart') return shapeKeys(RestartPolicyFile);
  if (typeof last === 'number' && path.at(-2) === 'allow') return shapeKeys(RestartAllow);
  if (path.length === 2 && path[0] === 'hosts') return shapeKeys(Host);
  if (typeof last === 'number' && path.at(-2) === 'services') return shapeKeys(Service);
  if (typeof last === 'number' && path.at(-2) === 'logs') return shapeKeys(JournalLog);
  return [];
}

function problemsFromZod(issue: z.core.$ZodIssue, filePath: string): Problem[] {
  const path = issue.path as PropertyKey[];
  const field = formatFieldPath(path);
  const message = issue.message.replace(/^Invalid input: /, '');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownFieldsAt(path);
      return issue.keys.map((key) => {
        const guess = closeMatches(key, known, 1)[0];
        const keyField = formatFieldPath([...path, key]);
        const hint = guess === undefined ? `known fields: ${known.join(', ')}` : `did you mean ${guess}?`;
        return {
          path: [...path, key],
          message: `unknown field (${hint})`,
          fix: `remove or rename ${keyField} in ${filePath}`,
        };
      });
    }
    case 'invalid_key': {
      const inner = issue.issues[0]?.message ?? message;
      return [{ path, message: `invalid name: ${inner}`, fix: `rename ${field} in ${filePath}` }];
    }
    default: {
      if (!('input' in issue) || issue.input === undefined) {
        return [{ path, message: `missing: ${message}`, fix: `add ${field} in ${filePath}` }];
      }
      return [{ path, message: `${message} (got ${describeInput(issue.input)})` }];
    }
  }
}

type SshKey = keyof SshSettings;

function effective<K extends SshKey>(file: InventoryFile, host: Host, key: K): SshSettings[K] {
  const own = host.ssh?.[key];
  return own !== undefined ? own : file.ssh?.[key];
}

/** The jump host a host really uses: a default jump host pointing at itself means "direct". */
function jumpOf(file: InventoryFile, name: string, host: Host): string | undefined {
  const jump = effective(file, host, 'jumpHost');
  return jump === null || jump === undefined || jump === name ? undefined : jump;
}

function crossCheck(file: InventoryFile, filePath: string, options: ParseInventoryOptions): Problem[] {
  const problems: Problem[] = [];
  const hostNames = Object.keys(file.hosts);
  const hostByLower = new Map<string, string>();
  for (const name of hostNames) {
    const other = hostByLower.get(name.toLowerCase());
    if (other !== undefined) {
      problems.push({
        path: ['hosts', name],
        message: `same name as hosts.${other} apart from case; targets are matched ignoring case`,
        fix: `rename one of hosts.${other} and hosts.${name} in ${filePath}`,
      });
    } else hostByLower.set(name.toLowerCase(), name);
  }

  (file.alerts?.routes ?? []).forEach((route, index) => {
    if (route.group === undefined || Object.hasOwn(file.groups ?? {}, route.group)) return;
    problems.push({
      path: ['alerts', 'routes', index, 'group'],
      message: `"${route.group}" is not a group of this inventory`,
      fix: `add groups.${route.group} or change alerts.routes[${index}].group in ${filePath}`,
    });
  });

  for (const [group, members] of Object.entries(file.groups ?? {})) {
    const clash = hostByLower.get(group.toLowerCase());
    if (clash !== undefined) {
      problems.push({
        path: ['groups', group],
        message: `group has the same name as hosts.${clash}, so a target "${group}" would be ambiguous`,
        fix: `rename the group groups.${group} in ${filePath}`,
      });
    }
    members.forEach((member, index) => {
      if (Object.hasOwn(file.hosts, member)) return;
      const guess = closeMatches(member, hostNames, 3);
      const hint = guess.length > 0 ? ` (did you mean ${guess.join(', ')}?)` : '';
      problems.push({
        path: ['groups', group, index],
        message: `"${member}" is not a host of this inventory${hint}`,
        fix: `add hosts.${member} or remove it from groups.${group} in ${filePath}`,
      });
    });
  }

  const defaultJump = file.ssh?.jumpHost;
  if (typeof defaultJump === 'string' && !Object.hasOwn(file.hosts, defaultJump)) {
    problems.push(unknownJump(['ssh', 'jumpHost'], defaultJump, hostNames, filePath));
  }
  for (const [name, host] of Object.entries(file.hosts)) {
    const own = host.ssh?.jumpHost;
    if (typeof own === 'string' && !Object.hasOwn(file.hosts, own)) {
      problems.push(unknownJump(['hosts', name, 'ssh', 'jumpHost'], own, hostNames, filePath));
    }
  }
  if (problems.length === 0) problems.push(...jumpLoops(file, filePath));

  for (const key of ['user', 'privateKeyPath', 'knownHostsPath'] as const) {
    const missing = hostNames.filter((name) => {
      const host = file.hosts[name];
      return host !== undefined && effective(file, host, key) === undefined;
    });
    if (missing.length === hostNames.length) {
      problems.push({
        path: ['ssh', key],
        message: 'missing: not set in the ssh defaults nor on any host',
        fix: `set ssh.${key} in ${filePath}`,
      });
    } else {
      for (const name of missing) {
        problems.push({
          path: ['hosts', name, 'ssh', key],
          message: 'missing: not set in the ssh defaults nor on this host',
          fix: `set ssh.${key} (for every host) or hosts.${name}.ssh.${key} in ${filePath}`,
        });
      }
    }
  }

  const checkLocalPath = (path: PropertyKey[], value: string | undefined) => {
    if (value === undefined || !value.startsWith('~')) return;
    if (!value.startsWith('~/')) {
      problems.push({
        path,
        message: '"~user/" paths are not supported',
        fix: `use an absolute path in ${filePath}`,
      });
    } else if (options.homeDir === undefined) {
      problems.push({
        path,
        message: '"~/" cannot be expanded here (no home directory known)',
        fix: `use an absolute path or one relative to ${dirname(filePath)}`,
      });
    }
  };
  checkLocalPath(['ssh', 'privateKeyPath'], file.ssh?.privateKeyPath);
  checkLocalPath(['ssh', 'knownHostsPath'], file.ssh?.knownHostsPath);

  const byEndpoint = new Map<string, string>();
  for (const [name, host] of Object.entries(file.hosts)) {
    checkLocalPath(['hosts', name, 'ssh', 'privateKeyPath'], host.ssh?.privateKeyPath);
    checkLocalPath(['hosts', name, 'ssh', 'knownHostsPath'], host.ssh?.knownHostsPath);
    // Same address with different SSH ports is legitimate (several containers or VMs behind one IP);
    // the same address and port twice is a copy-paste mistake.
    const port = effective(file, host, 'port') ?? DEFAULT_SSH_PORT;
    const endpoint = `${host.address.toLowerCase()} port ${port}`;
    const other = byEndpoint.get(endpoint);
    if (other !== undefined) {
      problems.push({
        path: ['hosts', name, 'address'],
        message: `duplicate address: hosts.${other} already uses ${host.address} (SSH port ${port})`,
        fix: `correct hosts.${name}.address (or hosts.${other}.address) in ${filePath}`,
      });
    } else byEndpoint.set(endpoint, name);

    const seen = new Set<string>();
    (host.services ?? []).forEach((service, index) => {
      if (seen.has(service.name)) {
        problems.push({
          path: ['hosts', name, 'services', index, 'name'],
          message: `duplicate service name "${service.name}" on this host`,
          fix: `give each service of hosts.${name} a distinct name in ${filePath}`,
        });
      }
      seen.add(service.name);
    });
  }

  (file.restart?.allow ?? []).forEach((rule, index) => {
    if ((rule.users ?? []).length === 0 && (rule.usergroups ?? []).length === 0) {
      problems.push({
        path: ['restart', 'allow', index],
        message: 'a rule without users or usergroups allows nobody',
        fix: `add users: [U…] or usergroups: [S…] to restart.allow[${index}] in ${filePath}`,
      });
    }
    (rule.targets ?? []).forEach((target, t) => {
      if (Object.hasOwn(file.hosts, target) || Object.hasOwn(file.groups ?? {}, target)) return;
      const guess = closeMatches(target, [...hostNames, ...Object.keys(file.groups ?? {})], 3);
      const hint = guess.length > 0 ? ` (did you mean ${guess.join(', ')}?)` : '';
      problems.push({
        path: ['restart', 'allow', index, 'targets', t],
        message: `"${target}" is neither a host nor a group of this inventory${hint}`,
        fix: `correct restart.allow[${index}].targets in ${filePath}`,
      });
    });
  });
  return problems;
}

/** `10m` → 600000; the schema has checked the form. */
export function durationMs(text: string): number {
  const m = DURATION_PATTERN.exec(text);
  if (!m) throw new Error(`internal: duration ${text} passed validation`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

function buildRestartPolicy(file: InventoryFile): RestartPolicy | undefined {
  const r = file.restart;
  if (r === undefined) return undefined;
  const expand = (name: string) => file.groups?.[name] ?? [name];
  return {
    allow: r.allow.map((rule) => ({
      users: rule.users ?? [],
      usergroups: rule.usergroups ?? [],
      ...(rule.targets ? { hosts: [...new Set(rule.targets.flatMap(expand))] } : {}),
    })),
    cooldownMs: r.cooldown ? durationMs(r.cooldown) : DEFAULT_RESTART_COOLDOWN_MS,
    maxPerGroup: r.maxPerGroup ?? 1,
    expiresMs: r.expires ? durationMs(r.expires) : DEFAULT_RESTART_EXPIRES_MS,
    dryRun: r.dryRun ?? false,
  };
}

function unknownJump(path: PropertyKey[], jump: string, hostNames: string[], filePath: string): Problem {
  const guess = closeMatches(jump, hostNames, 3);
  const hint = guess.length > 0 ? ` (did you mean ${guess.join(', ')}?)` : '';
  return {
    path,
    message: `jump host "${jump}" is not a host of this inventory${hint}`,
    fix: `add hosts.${jump} (with its address) or correct ${formatFieldPath(path)} in ${filePath}`,
  };
}

function jumpLoops(file: InventoryFile, filePath: string): Problem[] {
  const problems: Problem[] = [];
  const reported = new Set<string>();
  for (const [start, startHost] of Object.entries(file.hosts)) {
    const chain = [start];
    let next = jumpOf(file, start, startHost);
    while (next !== undefined) {
      if (chain.includes(next)) {
        const loop = [...chain.slice(chain.indexOf(next)), next];
        const key = [...new Set(loop)].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          problems.push({
            path: ['hosts', start, 'ssh', 'jumpHost'],
            message: `jump hosts form a loop: ${loop.join(' → ')}`,
            fix: `set jumpHost: null on the host that should be reached directly, in ${filePath}`,
          });
        }
        break;
      }
      chain.push(next);
      const host = file.hosts[next];
      next = host === undefined ? undefined : jumpOf(file, next, host);
    }
  }
  return problems;
}

function localPath(value: string, filePath: string, options: ParseInventoryOptions): string {
  if (value.startsWith('~/') && options.homeDir !== undefined) return join(options.homeDir, value.slice(2));
  return isAbsolute(value) ? value : resolve(dirname(filePath), value);
}

function buildInventory(file: InventoryFile, filePath: string, options: ParseInventoryOptions): Inventory {
  const resolved = new Map<string, ResolvedHost>();
  const resolveHost = (name: string): ResolvedHost => {
    const done = resolved.get(name);
    if (done !== undefined) return done;
    const host = file.hosts[name];
    // crossCheck guarantees every referenced name exists and jump chains end.
    if (host === undefined) throw new Error(`internal: host ${name} vanished after validation`);
    const jumpHost = jumpOf(file, name, host);
    const ssh: EffectiveSsh = {
      user: effective(file, host, 'user') ?? '',
      port: effective(file, host, 'port') ?? DEFAULT_SSH_PORT,
      privateKeyPath: localPath(effective(file, host, 'privateKeyPath') ?? '', filePath, options),
      knownHostsPath: localPath(effective(file, host, 'knownHostsPath') ?? '', filePath, options),
      connectTimeoutMs: effective(file, host, 'connectTimeoutMs') ?? DEFAULT_CONNECT_TIMEOUT_MS,
      sudo: effective(file, host, 'sudo') ?? false,
      ...(jumpHost === undefined ? {} : { jumpHost }),
      ...(effective(file, host, 'transport') === undefined
        ? {}
        : { transport: effective(file, host, 'transport') }),
    };
    const result: ResolvedHost = {
      name,
      address: host.address,
      ssh,
      ...(jumpHost === undefined ? {} : { jump: resolveHost(jumpHost) }),
      nginx: {
        errorLog: host.nginx?.errorLog ?? DEFAULT_NGINX_ERROR_LOG,
        accessLog: host.nginx?.accessLog ?? DEFAULT_NGINX_ACCESS_LOG,
      },
      services: (host.services ?? []).map(resolveService),
    };
    resolved.set(name, result);
    return result;
  };
  for (const name of Object.keys(file.hosts)) resolveHost(name);

  const hosts = new Map<string, ResolvedHost>();
  for (const name of Object.keys(file.hosts)) {
    const host = resolved.get(name);
    if (host !== undefined) hosts.set(name, host);
  }
  const groups = new Map<string, readonly string[]>();
  for (const [group, members] of Object.entries(file.groups ?? {})) groups.set(group, [...new Set(members)]);
  const restart = buildRestartPolicy(file);
  return {
    path: filePath,
    hosts,
    groups,
    ...(restart ? { restart } : {}),
    ...(file.alerts ? { alerts: file.alerts } : {}),
  };
}

function resolveService(service: Service): ResolvedService {
  const { logs, ...rest } = service;
  return {
    ...rest,
    logs: (logs ?? []).map((log) =>
      typeof log === 'string'
        ? { kind: 'file' as const, path: log }
        : { kind: 'journal' as const, unit: log.journal },
    ),
  };
}
