/**
 * A validated inventory file resolved into what the rest of the program uses: every host with its
 * effective SSH settings (defaults applied, paths made absolute, its jump host resolved), groups
 * without repeats, the restart policy in milliseconds.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { effectiveSsh, jumpOf } from './effective-ssh.js';
import { DURATION_PATTERN, type InventoryFile, type Service } from './schema.js';
import type { EffectiveSsh, Inventory, ResolvedHost, ResolvedService, RestartPolicy } from './types.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_NGINX_ACCESS_LOG,
  DEFAULT_NGINX_ERROR_LOG,
  DEFAULT_RESTART_COOLDOWN_MS,
  DEFAULT_RESTART_EXPIRES_MS,
  DEFAULT_RESTART_MAX_AGE_MS,
  DEFAULT_SSH_PORT,
} from './types.js';

export interface ResolvePathOptions {
  /** Home directory for `~/` in key and known_hosts paths; without it such paths are refused. */
  homeDir?: string | undefined;
}

/** `10m` → 600000; the schema has checked the form. */
export function durationMs(text: string): number {
  const m = DURATION_PATTERN.exec(text);
  if (!m) throw new Error(`internal: duration ${text} passed validation`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

function buildRestartPolicy(file: InventoryFile): RestartPolicy | undefined {
  const restart = file.restart;
  if (restart === undefined) return undefined;
  const expand = (name: string) => file.groups?.[name] ?? [name];
  return {
    allow: restart.allow.map((rule) => ({
      users: rule.users ?? [],
      usergroups: rule.usergroups ?? [],
      ...(rule.targets ? { hosts: [...new Set(rule.targets.flatMap(expand))] } : {}),
    })),
    cooldownMs: restart.cooldown ? durationMs(restart.cooldown) : DEFAULT_RESTART_COOLDOWN_MS,
    maxPerGroup: restart.maxPerGroup ?? 1,
    expiresMs: restart.expires ? durationMs(restart.expires) : DEFAULT_RESTART_EXPIRES_MS,
    maxAgeMs: restart.maxAge ? durationMs(restart.maxAge) : DEFAULT_RESTART_MAX_AGE_MS,
    dryRun: restart.dryRun ?? false,
  };
}

function localPath(value: string, filePath: string, options: ResolvePathOptions): string {
  if (value.startsWith('~/') && options.homeDir !== undefined) return join(options.homeDir, value.slice(2));
  return isAbsolute(value) ? value : resolve(dirname(filePath), value);
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

/** Resolves a file that passed the schema and the cross-checks (cross-check.ts). */
export function buildInventory(
  file: InventoryFile,
  filePath: string,
  options: ResolvePathOptions,
): Inventory {
  const resolved = new Map<string, ResolvedHost>();
  const resolveHost = (name: string): ResolvedHost => {
    const done = resolved.get(name);
    if (done !== undefined) return done;
    const host = file.hosts[name];
    // The cross-checks guarantee every referenced name exists and jump chains end.
    if (host === undefined) throw new Error(`internal: host ${name} vanished after validation`);
    const jumpHost = jumpOf(file, name, host);
    const ssh: EffectiveSsh = {
      user: effectiveSsh(file, host, 'user') ?? '',
      port: effectiveSsh(file, host, 'port') ?? DEFAULT_SSH_PORT,
      privateKeyPath: localPath(effectiveSsh(file, host, 'privateKeyPath') ?? '', filePath, options),
      knownHostsPath: localPath(effectiveSsh(file, host, 'knownHostsPath') ?? '', filePath, options),
      connectTimeoutMs: effectiveSsh(file, host, 'connectTimeoutMs') ?? DEFAULT_CONNECT_TIMEOUT_MS,
      sudo: effectiveSsh(file, host, 'sudo') ?? false,
      ...(jumpHost === undefined ? {} : { jumpHost }),
      ...(effectiveSsh(file, host, 'transport') === undefined
        ? {}
        : { transport: effectiveSsh(file, host, 'transport') }),
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
