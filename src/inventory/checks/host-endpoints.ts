/**
 * Two hosts at the same address and SSH port: a copy-paste mistake. The same address on different
 * ports is legitimate (several containers or VMs behind one IP).
 */
import { effectiveSsh } from '../effective-ssh.js';
import type { CheckInput, Problem } from '../problem.js';
import type { Host } from '../schema.js';
import { DEFAULT_SSH_PORT } from '../types.js';

/** `hostByEndpoint` holds the hosts checked before this one (address and port → host name). */
export function duplicateHostEndpoint(
  name: string,
  host: Host,
  hostByEndpoint: Map<string, string>,
  { file, filePath }: CheckInput,
): Problem[] {
  const port = effectiveSsh(file, host, 'port') ?? DEFAULT_SSH_PORT;
  const endpoint = `${host.address.toLowerCase()} port ${port}`;
  const other = hostByEndpoint.get(endpoint);
  if (other === undefined) {
    hostByEndpoint.set(endpoint, name);
    return [];
  }
  return [
    {
      path: ['hosts', name, 'address'],
      message: `duplicate address: hosts.${other} already uses ${host.address} (SSH port ${port})`,
      fix: `correct hosts.${name}.address (or hosts.${other}.address) in ${filePath}`,
    },
  ];
}
