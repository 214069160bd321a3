import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  entryMatchesHost,
  fingerprintSha256,
  keyTypeOf,
  lookupName,
  matchesWildcard,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
  verifyHostKey,
} from '../../../src/ssh/known-hosts.js';

function hasKeygen(): boolean {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

const keygenMissing = !hasKeygen();
if (keygenMissing)
  console.warn('[test/unit/ssh] skipping known_hosts tests with real keys: ssh-keygen is not installed');

interface Key {
  /** `type base64` */
  line: string;
  blob: Buffer;
  fingerprint: string;
}

describe.skipIf(keygenMissing)('known_hosts with ssh-keygen material', () => {
  let dir: string;
  const keys: Record<'ed' | 'ed2' | 'ecdsa' | 'rsa', Key> = {} as Record<'ed' | 'ed2' | 'ecdsa' | 'rsa', Key>;

  const make = (name: string, type: string, extra: string[] = []): Key => {
    const path = join(dir, name);
    execFileSync('ssh-keygen', ['-q', '-t', type, ...extra, '-N', '', '-C', name, '-f', path], {
      stdio: 'ignore',
    });
    const [keyType = '', base64 = ''] = readFileSync(`${path}.pub`, 'utf8').trim().split(/\s+/);
    const printed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${path}.pub`], {
      encoding: 'utf8',
    });
    return {
      line: `${keyType} ${base64}`,
      blob: Buffer.from(base64, 'base64'),
      fingerprint: /SHA256:\S+/.exec(printed)?.[0] ?? '',
    };
  };

  /** Writes known_hosts text and hashes it with `ssh-keygen -H`, as OpenSSH's HashKnownHosts does. */
  const hashed = (text: string): string => {
    const path = join(dir, `kh-${Math.random().toString(36).slice(2)}`);
    writeFileSync(path, text);
    execFileSync('ssh-keygen', ['-H', '-f', path], { stdio: 'ignore' });
    return readFileSync(path, 'utf8');
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'diagnose502-kh-'));
    keys.ed = make('ed', 'ed25519');
    keys.ed2 = make('ed2', 'ed25519');
    keys.ecdsa = make('ecdsa', 'ecdsa', ['-b', '384']);
    keys.rsa = make('rsa', 'rsa', ['-b', '2048']);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parses the three key families and reads the type from the blob', () => {
    const text = [
      `web-1 ${keys.ed.line}`,
      `web-2 ${keys.ecdsa.line} a comment with spaces`,
      `web-3 ${keys.rsa.line}`,
    ].join('\n');
    const { entries, notes } = parseKnownHosts(text);
    expect(notes).toEqual([]);
    expect(entries.map((e) => e.keyType)).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp384', 'ssh-rsa']);
    expect(entries.map((e) => e.line)).toEqual([1, 2, 3]);
    expect(keyTypeOf(keys.rsa.blob)).toBe('ssh-rsa');
  });

  it('computes SHA256 fingerprints exactly like ssh-keygen -l', () => {
    for (const key of Object.values(keys)) expect(fingerprintSha256(key.blob)).toBe(key.fingerprint);
  });

  it('matches a plain host on port 22 only, and [host]:port on that port only', () => {
    const { entries } = parseKnownHosts(`10.0.0.13 ${keys.ed.line}\n[127.0.0.1]:2222 ${keys.ed2.line}\n`);
    expect(verifyHostKey(entries, '10.0.0.13', 22, keys.ed.blob)).toBe('match');
    expect(verifyHostKey(entries, '10.0.0.13', 2222, keys.ed.blob)).toBe('unknown');
    expect(verifyHostKey(entries, '127.0.0.1', 2222, keys.ed2.blob)).toBe('match');
    expect(verifyHostKey(entries, '127.0.0.1', 22, keys.ed2.blob)).toBe('unknown');
    expect(verifyHostKey(entries, '127.0.0.1', 2223, keys.ed2.blob)).toBe('unknown');
  });

  it('matches comma lists, wildcards and honours negation', () => {
    const { entries } = parseKnownHosts(
      [
        `web-1,10.0.0.11 ${keys.ed.line}`,
        `*.example.com,!bad.example.com ${keys.ecdsa.line}`,
        `10.0.1.? ${keys.rsa.line}`,
      ].join('\n'),
    );
    expect(verifyHostKey(entries, 'web-1', 22, keys.ed.blob)).toBe('match');
    expect(verifyHostKey(entries, '10.0.0.11', 22, keys.ed.blob)).toBe('match');
    expect(verifyHostKey(entries, 'app.example.com', 22, keys.ecdsa.blob)).toBe('match');
    expect(verifyHostKey(entries, 'APP.Example.COM', 22, keys.ecdsa.blob)).toBe('match');
    expect(verifyHostKey(entries, 'bad.example.com', 22, keys.ecdsa.blob)).toBe('unknown');
    expect(verifyHostKey(entries, 'example.com', 22, keys.ecdsa.blob)).toBe('unknown');
    expect(verifyHostKey(entries, '10.0.1.7', 22, keys.rsa.blob)).toBe('match');
    expect(verifyHostKey(entries, '10.0.1.70', 22, keys.rsa.blob)).toBe('unknown');
  });

  it('matches entries hashed by ssh-keygen -H, including [127.0.0.1]:2222', () => {
    const text = hashed(`web.example.com ${keys.ed.line}\n[127.0.0.1]:2222 ${keys.ed2.line}\n`);
    expect(text).not.toContain('example.com');
    expect(text).not.toContain('127.0.0.1');
    const { entries, notes } = parseKnownHosts(text);
    expect(notes).toEqual([]);
    expect(entries.every((e) => e.hosts.kind === 'hashed')).toBe(true);
    expect(verifyHostKey(entries, 'web.example.com', 22, keys.ed.blob)).toBe('match');
    expect(verifyHostKey(entries, 'WEB.example.com', 22, keys.ed.blob)).toBe('match');
    expect(verifyHostKey(entries, '127.0.0.1', 2222, keys.ed2.blob)).toBe('match');
    expect(verifyHostKey(entries, '127.0.0.1', 22, keys.ed2.blob)).toBe('unknown');
    expect(verifyHostKey(entries, '127.0.0.1', 2222, keys.ed.blob)).toBe('mismatch');
  });

  it('finds hashed entries the way ssh-keygen -F does', () => {
    const text = hashed(`[127.0.0.1]:2222 ${keys.ed.line}\n`);
    const path = join(dir, 'kh-find');
    writeFileSync(path, text);
    const found = execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2222', '-f', path], { encoding: 'utf8' });
    expect(found).toContain('|1|');
    const [entry] = parseKnownHosts(text).entries;
    expect(entry && entryMatchesHost(entry, '127.0.0.1', 2222)).toBe(true);
  });

  it('reports a changed key as mismatch, and a never-recorded host as unknown', () => {
    const { entries } = parseKnownHosts(`web-1 ${keys.ed.line}\n`);
    expect(verifyHostKey(entries, 'web-1', 22, keys.ed2.blob)).toBe('mismatch');
    // Another key type for a host with recorded keys is refused too.
    expect(verifyHostKey(entries, 'web-1', 22, keys.rsa.blob)).toBe('mismatch');
    expect(verifyHostKey(entries, 'web-2', 22, keys.ed2.blob)).toBe('unknown');
  });

  it('refuses @revoked keys even when also recorded, and ignores @cert-authority with a note', () => {
    const text = [
      `web-1 ${keys.ed.line}`,
      `@revoked * ${keys.ed.line}`,
      `@cert-authority *.example.com ${keys.rsa.line}`,
    ].join('\n');
    const { entries, notes } = parseKnownHosts(text);
    expect(verifyHostKey(entries, 'web-1', 22, keys.ed.blob)).toBe('revoked');
    expect(entries).toHaveLength(2);
    expect(notes).toEqual([expect.stringMatching(/^line 3: @cert-authority is not supported/)]);
    expect(verifyHostKey(entries, 'a.example.com', 22, keys.rsa.blob)).toBe('unknown');
  });

  it('skips malformed lines with notes instead of failing', () => {
    const text = [
      '# comment',
      '',
      `web-1 ${keys.ed.line}`,
      'web-2 ssh-ed25519',
      'web-3 ssh-dss AAAAB3NzaC1kc3MAAACBAP',
      'web-4 ssh-ed25519 not*base64',
      `web-5 ssh-rsa ${keys.ed.line.split(' ')[1]}`,
      `|1|bad|hash ${keys.ed.line}`,
      `@weird web-6 ${keys.ed.line}`,
    ].join('\n');
    const { entries, notes } = parseKnownHosts(text);
    expect(entries).toHaveLength(1);
    expect(notes.map((n) => n.split(':')[0])).toEqual([
      'line 4',
      'line 5',
      'line 6',
      'line 7',
      'line 8',
      'line 9',
    ]);
  });
});

describe('known_hosts helpers', () => {
  it('builds the lookup name OpenSSH hashes', () => {
    expect(lookupName('10.0.0.13', 22)).toBe('10.0.0.13');
    expect(lookupName('Web.Example.com', 2222)).toBe('[web.example.com]:2222');
  });

  it('matches wildcards like OpenSSH match_pattern', () => {
    expect(matchesWildcard('[10.0.0.5]:2222', '[10.0.0.*]:2222')).toBe(true);
    expect(matchesWildcard('web-1', 'web-?')).toBe(true);
    expect(matchesWildcard('web-10', 'web-?')).toBe(false);
    expect(matchesWildcard('webx1', 'web.1')).toBe(false);
  });

  it('offers the algorithms of recorded key types first', () => {
    expect(preferredHostKeyAlgorithms(['ssh-rsa']).slice(0, 3)).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ]);
    expect(preferredHostKeyAlgorithms([])[0]).toBe('ssh-ed25519');
    expect(preferredHostKeyAlgorithms(['ecdsa-sha2-nistp384'])[0]).toBe('ecdsa-sha2-nistp384');
    expect(preferredHostKeyAlgorithms(['ssh-rsa'])).toHaveLength(7);
  });
});
