/**
 * The inventory after loading: defaults merged, paths absolute, references checked. Everything
 * downstream (SSH, probes, reports) reads only these shapes, never the raw file.
 */
import type { AlertsSection } from './alerts-section.js';
import type { ServiceKind } from './schema.js';

export const DEFAULT_SSH_PORT = 22;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_NGINX_ERROR_LOG = '/var/log/nginx/error.log';
export const DEFAULT_NGINX_ACCESS_LOG = '/var/log/nginx/access.log';

/** SSH settings of one host: the `ssh:` defaults merged with the host's overrides. */
export interface EffectiveSsh {
  user: string;
  port: number;
  /** Absolute local path. */
  privateKeyPath: string;
  /** Absolute local path; host keys are verified against it. */
  knownHostsPath: string;
  connectTimeoutMs: number;
  sudo: boolean;
  /** Name of the inventory host used as ProxyJump, if any. */
  jumpHost?: string;
  /** `openssh`: the system ssh client (ssh/openssh-transport.ts); absent: chosen per host (pick-transport.ts). */
  transport?: 'ssh2' | 'openssh';
}

export type ResolvedServiceLog = { kind: 'file'; path: string } | { kind: 'journal'; unit: string };

export interface ResolvedService {
  name: string;
  kind?: ServiceKind;
  unit?: string;
  /** Regex matched against process command lines. */
  process?: string;
  restart?: string;
  health?: string;
  logs: ResolvedServiceLog[];
}

export interface ResolvedHost {
  name: string;
  address: string;
  ssh: EffectiveSsh;
  /** The resolved jump host (itself possibly behind another jump host). */
  jump?: ResolvedHost;
  nginx: { errorLog: string; accessLog: string };
  services: ResolvedService[];
}

/** One `restart.allow` rule: a user in `users` or in one of `usergroups` may restart `targets`. */
export interface RestartAllowRule {
  users: readonly string[];
  usergroups: readonly string[];
  /** Host names (groups expanded at load); undefined: every host. */
  hosts?: readonly string[];
}

/** The `restart:` policy with defaults applied (README "Safe restarts"). */
export interface RestartPolicy {
  allow: readonly RestartAllowRule[];
  cooldownMs: number;
  maxPerGroup: number;
  expiresMs: number;
  /** How long after the click a worker may still start the restart. */
  maxAgeMs: number;
  dryRun: boolean;
}

export const DEFAULT_RESTART_COOLDOWN_MS = 10 * 60_000;
export const DEFAULT_RESTART_EXPIRES_MS = 15 * 60_000;
export const DEFAULT_RESTART_MAX_AGE_MS = 2 * 60_000;

export interface Inventory {
  /** Absolute path of the file this was loaded from (named in error messages). */
  path: string;
  /** By name, in file order. A Map so that target text like `constructor` cannot hit a prototype. */
  hosts: ReadonlyMap<string, ResolvedHost>;
  /** Group name to member host names, in file order. */
  groups: ReadonlyMap<string, readonly string[]>;
  /** The `alerts:` section as written (defaults in alerts-section.ts). */
  alerts?: AlertsSection;
  /** Absent: nobody may press a restart button. */
  restart?: RestartPolicy;
  /** What of the person's ssh config is not honoured (sources.ts), for the front end to show. */
  notes?: readonly string[];
}
