/**
 * Which transport connects a host: the ssh2 library by default; the system OpenSSH client
 * (openssh-transport.ts) when the inventory asks for it (`ssh.transport: openssh`) or when the
 * host's known_hosts entry is a `@cert-authority` line, which ssh2 cannot check (it negotiates no
 * certificate host-key algorithm): such a host needs no setting to find.
 */
import { readFile } from 'node:fs/promises';
import type { ConnectOptions, ConnectTarget, SshSession } from './connect.js';
import { connectHost } from './connect.js';
import { entryMatchesHost } from './known-hosts.js';
import { connectOpenSsh } from './openssh-transport.js';

/** Whether `text` (known_hosts) has a `@cert-authority` line for `host` on `port`. */
export function hasCertAuthorityFor(text: string, host: string, port: number): boolean {
  for (const raw of text.split('\n')) {
    const fields = raw.trim().split(/[ \t]+/);
    if (fields[0] !== '@cert-authority' || fields[1] === undefined) continue;
    const patterns = fields[1]
      .split(',')
      .filter((p) => p !== '')
      .map((p) =>
        p.startsWith('!') ? { negated: true, pattern: p.slice(1) } : { negated: false, pattern: p },
      );
    if (entryMatchesHost({ hosts: { kind: 'patterns', patterns } }, host, port)) return true;
  }
  return false;
}

async function needsOpenSsh(target: ConnectTarget): Promise<boolean> {
  if (target.ssh.transport === 'openssh') return true;
  if (target.ssh.transport === 'ssh2') return false;
  const text = await readFile(target.ssh.knownHostsPath, 'utf8').catch(() => '');
  return hasCertAuthorityFor(text, target.address, target.ssh.port);
}

/** Connects `target` with the transport it needs (the jump host is part of the same transport). */
export async function connectWithTransport(
  target: ConnectTarget,
  options: ConnectOptions = {},
): Promise<SshSession> {
  if (!(await needsOpenSsh(target))) return connectHost(target, options);
  // OpenSSH opens its own connection: a TCP connection opened early for ssh2 is not needed.
  options.sock?.socket.destroy();
  return connectOpenSsh(target, options);
}
