/**
 * The inventory file format (a contract: other tools write it). These schemas describe the file as
 * written; defaults, path resolution and cross-references are applied in load-inventory.ts, which
 * produces the resolved shapes in types.ts.
 *
 * Objects are strict: an unknown field is almost always a typo (`adress`, `knownHostPath`) that
 * would otherwise be ignored silently and lead to a wrong diagnosis.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { AlertsSection } from './alerts-section.js';

/** Host and group names: what people type as a target. Dots allowed so FQDN-style names work. */
export const HOST_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** Service names end up in probe ids and action ids (`restart-service:app`), hence lowercase. */
export const SERVICE_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
/** A POSIX login name. */
const USER_PATTERN = /^[a-z_][a-z0-9_.-]{0,31}$/i;
/** systemd unit names (`app.service`, `php8.2-fpm`, `worker@1.service`). */
const UNIT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9:_.@\\-]{0,254}$/;
const HOSTNAME_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
// Paths and commands from the inventory may end up on a remote command line; control characters
// (newline, NUL) never belong in them and would break quoting.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** An IPv4/IPv6 literal or an RFC 1123 host name. */
export function isAddress(value: string): boolean {
  if (isIP(value) !== 0) return true;
  if (value.length === 0 || value.length > 253) return false;
  // A dotted all-numeric string that is not a valid IPv4 (10.0.0.300) is a typo, not a host name.
  if (/^[0-9.]+$/.test(value)) return false;
  return value.split('.').every((label) => HOSTNAME_LABEL.test(label));
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function compiles(value: string): boolean {
  try {
    new RegExp(value);
    return true;
  } catch {
    return false;
  }
}

const noControl = (what: string) =>
  z.string().refine((v) => !CONTROL_CHARS.test(v), { error: `${what} must not contain control characters` });

export const HostName = z.string().regex(HOST_NAME_PATTERN, {
  error: 'expected a name of letters, digits, ".", "_" or "-" (starting with a letter or digit, at most 63)',
});
export type HostName = z.infer<typeof HostName>;

/** Absolute POSIX path on the remote host (log files). */
export const AbsolutePath = noControl('a path')
  .refine((v) => v.startsWith('/'), { error: 'expected an absolute path (starting with "/")' })
  .refine((v) => !v.split('/').includes('..'), { error: 'expected a path without ".." segments' });
export type AbsolutePath = z.infer<typeof AbsolutePath>;

/** Local path (keys, known_hosts); relative paths resolve against the inventory file's directory. */
export const LocalPath = noControl('a path').min(1, { error: 'expected a non-empty path' });
export type LocalPath = z.infer<typeof LocalPath>;

export const UnitName = z
  .string()
  .regex(UNIT_PATTERN, { error: 'expected a systemd unit name like app.service' });
export type UnitName = z.infer<typeof UnitName>;

/** The `ssh:` block: every field optional, both for the defaults and for per-host overrides. */
export const SshSettings = z.strictObject({
  user: z.string().regex(USER_PATTERN, { error: 'expected a login name like "diag"' }).optional(),
  port: z.int({ error: 'expected a port number' }).min(1).max(65535).optional(),
  privateKeyPath: LocalPath.optional(),
  knownHostsPath: LocalPath.optional(),
  connectTimeoutMs: z
    .int({ error: 'expected milliseconds as an integer' })
    .min(100, { error: 'expected at least 100 ms' })
    .max(600_000, { error: 'expected at most 600000 ms' })
    .optional(),
  /** A host of this inventory used as ProxyJump; `null` on a host turns off a default jump host. */
  jumpHost: HostName.nullable().optional(),
  /** Prefix privileged probes with `sudo -n`. */
  sudo: z.boolean({ error: 'expected true or false' }).optional(),
  /** `openssh`: connect through the system ssh client (certificates, FIDO keys, GSSAPI). */
  transport: z.enum(['ssh2', 'openssh'], { error: 'expected ssh2 or openssh' }).optional(),
});
export type SshSettings = z.infer<typeof SshSettings>;

export const NginxPaths = z.strictObject({
  errorLog: AbsolutePath.optional(),
  accessLog: AbsolutePath.optional(),
});
export type NginxPaths = z.infer<typeof NginxPaths>;

export const ServiceKind = z.enum(['php-fpm', 'gunicorn', 'uwsgi', 'node', 'puma', 'apache', 'other'], {
  error: 'expected one of php-fpm, gunicorn, uwsgi, node, puma, apache, other',
});
export type ServiceKind = z.infer<typeof ServiceKind>;

export const JournalLog = z.strictObject({ journal: UnitName });
export type JournalLog = z.infer<typeof JournalLog>;

export const ServiceLog = z.union([AbsolutePath, JournalLog], {
  error: 'expected an absolute file path or { journal: <unit> }',
});
export type ServiceLog = z.infer<typeof ServiceLog>;

export const Service = z.strictObject({
  name: z.string().regex(SERVICE_NAME_PATTERN, {
    error: 'expected a lowercase name matching ^[a-z0-9][a-z0-9._-]*$',
  }),
  kind: ServiceKind.optional(),
  unit: UnitName.optional(),
  process: noControl('a process pattern')
    .min(1)
    .refine(compiles, { error: 'expected a valid regular expression' })
    .optional(),
  restart: noControl('a restart command').min(1).optional(),
  health: z.string().refine(isHttpUrl, { error: 'expected an http:// or https:// URL' }).optional(),
  // `logs: { journal: app.service }` and `logs: /var/log/app.log` are accepted as one-item lists:
  // people write them that way and the meaning is unambiguous.
  logs: z
    .preprocess((v) => (v !== null && !Array.isArray(v) && v !== undefined ? [v] : v), z.array(ServiceLog))
    .optional(),
});
export type Service = z.infer<typeof Service>;

export const Host = z.strictObject({
  address: z.string({ error: 'expected an IP address or host name' }).refine(isAddress, {
    error: 'expected an IP address or host name',
  }),
  ssh: SshSettings.optional(),
  nginx: NginxPaths.optional(),
  services: z.array(Service).optional(),
});
export type Host = z.infer<typeof Host>;

/** `10m`, `90s`, `1h`: the durations of the restart policy. */
export const DURATION_PATTERN = /^([1-9][0-9]{0,5})(ms|s|m|h)$/;
const Duration = z.string({ error: 'expected a duration like 30s, 10m or 1h' }).regex(DURATION_PATTERN, {
  error: 'expected a duration like 30s, 10m or 1h',
});

/** Who may press a restart button, and for which hosts (README "Safe restarts"). */
export const RestartAllow = z.strictObject({
  users: z
    .array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, { error: 'expected a Slack user id like U0123ABC' }))
    .optional(),
  usergroups: z
    .array(z.string().regex(/^S[A-Z0-9]{2,}$/, { error: 'expected a Slack user group id like S0456DEF' }))
    .optional(),
  /** Inventory groups or hosts; every host when absent. */
  targets: z.array(HostName).min(1, { error: 'expected at least one group or host' }).optional(),
});
export type RestartAllow = z.infer<typeof RestartAllow>;

export const RestartPolicyFile = z.strictObject({
  allow: z
    .array(RestartAllow)
    .min(1, { error: 'expected at least one rule (omit restart: to allow nobody)' }),
  cooldown: Duration.optional(),
  maxPerGroup: z.int({ error: 'expected a whole number' }).min(1).max(100).optional(),
  expires: Duration.optional(),
  /** An accepted click that no worker has started within this is not run (default 2m). */
  maxAge: Duration.optional(),
  dryRun: z.boolean({ error: 'expected true or false' }).optional(),
});
export type RestartPolicyFile = z.infer<typeof RestartPolicyFile>;

export const InventoryFile = z.strictObject({
  ssh: SshSettings.optional(),
  hosts: z
    .record(HostName, Host, { error: 'expected a map of host name to host' })
    .refine((hosts) => Object.keys(hosts).length > 0, { error: 'expected at least one host' }),
  groups: z.record(HostName, z.array(HostName).min(1, { error: 'expected at least one member' })).optional(),
  /** Alert intake settings (labels, routes, dedup window): see alerts-section.ts. */
  alerts: AlertsSection.optional(),
  /** Safe restarts from a Slack button; nobody may press one when absent. */
  restart: RestartPolicyFile.optional(),
});
export type InventoryFile = z.infer<typeof InventoryFile>;
