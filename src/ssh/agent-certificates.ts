/**
 * Certificates held by ssh-agent that the SSH library cannot present. ssh2 (1.17) skips agent
 * identities of the `*-cert-v01@openssh.com` types when it lists them, and its public-key request
 * would sign under the certificate's algorithm name, which sshd refuses: user certificates are not
 * supported by the library at all (mscdex/ssh2#551). When a login with an agent fails, this says so
 * instead of leaving "all keys refused" unexplained. Asks `ssh-add -L` (execFile, no shell).
 */
import { execFile } from 'node:child_process';

/** The certificate types the agent at `socket` holds (e.g. `ssh-ed25519-cert-v01@openssh.com`). */
export function agentCertificateTypes(socket: string): Promise<string[]> {
  return new Promise((resolve) => {
    execFile(
      'ssh-add',
      ['-L'],
      { timeout: 2000, encoding: 'utf8', env: { PATH: process.env.PATH, SSH_AUTH_SOCK: socket } },
      (error, stdout) => {
        if (error !== null && stdout === '') return resolve([]);
        resolve(
          stdout
            .split('\n')
            .map((line) => line.split(' ')[0] ?? '')
            .filter((type) => type.endsWith('-cert-v01@openssh.com')),
        );
      },
    );
  });
}

/** A sentence for the refused-login error, or '' when the agent holds no certificate. */
export async function agentCertificateHint(socket: string): Promise<string> {
  const types = await agentCertificateTypes(socket);
  if (types.length === 0) return '';
  const noun = types.length === 1 ? 'a certificate' : `${types.length} certificates`;
  return (
    ` The agent holds ${noun} (${[...new Set(types)].join(', ')}), which the SSH library used here cannot present ` +
    '(mscdex/ssh2#551): a host that trusts only the certificate authority (TrustedUserCAKeys) refuses this login; ' +
    'set ssh.transport: openssh for it (the system ssh client presents certificates), or add the public key to authorized_keys.'
  );
}
