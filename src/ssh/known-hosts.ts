/**
 * OpenSSH known_hosts parsing and host key verification, written by hand: no well-kept npm library
 * matches known_hosts (hashed entries, `[host]:port`, negation, wildcards, markers) for ssh2's
 * `hostVerifier`, and the rules are small enough to follow sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"
 * and OpenSSH's hostfile.c / match.c directly.
 *
 * Supported: plain patterns and comma lists, `[host]:port`, hashed `|1|salt|hash` entries
 * (HMAC-SHA1 keyed with the salt over the lookup name), `!` negation, `*` and `?` wildcards,
 * `@revoked` (the key is refused). `@cert-authority` lines are ignored with a note: host
 * certificates are not verified. Key types: ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa.
 */
import { createHash, createHmac } from 'node:crypto';

export const SUPPORTED_KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
] as const;
export type KnownHostKeyType = (typeof SUPPORTED_KEY_TYPES)[number];

export interface HostPattern {
  negated: boolean;
  /** As written, e.g. `*.example.com`, `[10.0.0.5]:2222`. */
  pattern: string;
}

export type HostMatcher =
  | { kind: 'hashed'; salt: Buffer; hash: Buffer }
  | { kind: 'patterns'; patterns: HostPattern[] };

export interface KnownHostEntry {
  /** 1-based line number, for messages. */
  line: number;
  revoked: boolean;
  hosts: HostMatcher;
  keyType: KnownHostKeyType;
  /** The public key blob (SSH wire format), as the server presents it. */
  key: Buffer;
}

export interface ParsedKnownHosts {
  entries: KnownHostEntry[];
  /** Lines that were skipped, and why (unsupported marker or key type, malformed line). */
  notes: string[];
}

export type HostKeyVerdict = 'match' | 'mismatch' | 'unknown' | 'revoked';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function isSupportedKeyType(type: string): type is KnownHostKeyType {
  return (SUPPORTED_KEY_TYPES as readonly string[]).includes(type);
}

/** The key type embedded in a public key blob (its first SSH string), if well-formed. */
export function keyTypeOf(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || blob.length < 4 + length) return undefined;
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** `SHA256:<base64 without padding>`, the way `ssh-keygen -l` and ssh print fingerprints. */
export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The name OpenSSH looks up (and hashes): `host` on port 22, `[host]:port` otherwise. */
export function lookupName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

function parseHashed(field: string): HostMatcher | undefined {
  const parts = field.split('|');
  // `|1|salt|hash` splits into ['', '1', salt, hash].
  if (parts.length !== 4 || parts[1] !== '1') return undefined;
  const [, , salt = '', hash = ''] = parts;
  if (!BASE64.test(salt) || !BASE64.test(hash)) return undefined;
  const saltBytes = Buffer.from(salt, 'base64');
  const hashBytes = Buffer.from(hash, 'base64');
  if (saltBytes.length !== 20 || hashBytes.length !== 20) return undefined;
  return { kind: 'hashed', salt: saltBytes, hash: hashBytes };
}

/** Parses known_hosts text. Never throws: bad lines are skipped and reported in `notes`. */
export function parseKnownHosts(text: string): ParsedKnownHosts {
  const entries: KnownHostEntry[] = [];
  const notes: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((rawLine, index) => {
    const lineNo = index + 1;
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/[ \t]+/);
    let revoked = false;
    if (fields[0]?.startsWith('@')) {
      const marker = fields.shift();
      if (marker === '@cert-authority') {
        notes.push(
          `line ${lineNo}: @cert-authority is not supported (host certificates are not checked); ignored`,
        );
        return;
      }
      if (marker !== '@revoked') {
        notes.push(`line ${lineNo}: unknown marker ${marker}; ignored`);
        return;
      }
      revoked = true;
    }
    const [hostField, keyType, keyText] = fields;
    if (hostField === undefined || keyType === undefined || keyText === undefined) {
      notes.push(`line ${lineNo}: expected "hosts keytype key"; ignored`);
      return;
    }
    if (!isSupportedKeyType(keyType)) {
      notes.push(`line ${lineNo}: key type ${keyType} is not supported; ignored`);
      return;
    }
    if (!BASE64.test(keyText)) {
      notes.push(`line ${lineNo}: the key is not base64; ignored`);
      return;
    }
    const key = Buffer.from(keyText, 'base64');
    if (keyTypeOf(key) !== keyType) {
      notes.push(`line ${lineNo}: the key does not match its type ${keyType}; ignored`);
      return;
    }
    let hosts: HostMatcher | undefined;
    if (hostField.startsWith('|')) {
      hosts = parseHashed(hostField);
      if (hosts === undefined) {
        notes.push(`line ${lineNo}: malformed hashed host entry; ignored`);
        return;
      }
    } else {
      const patterns = hostField
        .split(',')
        .filter((p) => p !== '')
        .map((p) =>
          p.startsWith('!') ? { negated: true, pattern: p.slice(1) } : { negated: false, pattern: p },
        );
      hosts = { kind: 'patterns', patterns };
    }
    entries.push({ line: lineNo, revoked, hosts, keyType, key });
  });
  return { entries, notes };
}

/** Wildcard patterns compiled once: every connection looks up every pattern of known_hosts. */
const wildcards = new Map<string, RegExp>();
const MAX_CACHED_WILDCARDS = 10_000;

/** OpenSSH's match_pattern: `*` any run, `?` one character, case-insensitive for host names. */
export function matchesWildcard(name: string, pattern: string): boolean {
  // Most known_hosts patterns are plain names or addresses: no regular expression for them.
  if (!pattern.includes('*') && !pattern.includes('?')) return name.toLowerCase() === pattern.toLowerCase();
  let re = wildcards.get(pattern);
  if (re === undefined) {
    const source = pattern
      .toLowerCase()
      .split('')
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${source}$`, 's');
    if (wildcards.size >= MAX_CACHED_WILDCARDS) wildcards.clear();
    wildcards.set(pattern, re);
  }
  return re.test(name.toLowerCase());
}

/** Whether an entry applies to `host` on `port` (negated patterns veto, as in match_hostname). */
export function entryMatchesHost(entry: Pick<KnownHostEntry, 'hosts'>, host: string, port: number): boolean {
  const name = lookupName(host, port);
  if (entry.hosts.kind === 'hashed') {
    const digest = createHmac('sha1', entry.hosts.salt).update(name).digest();
    return digest.equals(entry.hosts.hash);
  }
  let positive = false;
  for (const { negated, pattern } of entry.hosts.patterns) {
    if (!matchesWildcard(name, pattern)) continue;
    if (negated) return false;
    positive = true;
  }
  return positive;
}

/** Entries that apply to this host and port, revoked ones included. */
export function entriesForHost(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
): KnownHostEntry[] {
  return entries.filter((entry) => entryMatchesHost(entry, host, port));
}

/**
 * Verdict for the key a server presented: `revoked` if an applicable `@revoked` line has it,
 * `match` if an applicable entry has it, `mismatch` if the host has other keys recorded (changed
 * key, or a type that was never recorded), `unknown` if nothing is recorded for the host.
 */
export function verifyHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  keyBlob: Buffer,
): HostKeyVerdict {
  const applicable = entriesForHost(entries, host, port);
  if (applicable.some((entry) => entry.revoked && entry.key.equals(keyBlob))) return 'revoked';
  const recorded = applicable.filter((entry) => !entry.revoked);
  if (recorded.some((entry) => entry.key.equals(keyBlob))) return 'match';
  return recorded.length > 0 ? 'mismatch' : 'unknown';
}

/** Host key algorithms in ssh2's default order (ed25519 is available on Node ≥ 12). */
const DEFAULT_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
] as const;
export type HostKeyAlgorithm = (typeof DEFAULT_HOST_KEY_ALGORITHMS)[number];

/**
 * Algorithms to offer, those of the key types already recorded for the host first. Like OpenSSH,
 * this makes a server with several host keys present the one we know, instead of an ed25519 key
 * we never recorded when known_hosts holds its RSA key.
 */
export function preferredHostKeyAlgorithms(recordedTypes: Iterable<KnownHostKeyType>): HostKeyAlgorithm[] {
  const types = new Set<string>(recordedTypes);
  const algorithmType = (algorithm: string) => (algorithm.startsWith('rsa-sha2-') ? 'ssh-rsa' : algorithm);
  const first = DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => types.has(algorithmType(a)));
  const rest = DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => !types.has(algorithmType(a)));
  return [...first, ...rest];
}
