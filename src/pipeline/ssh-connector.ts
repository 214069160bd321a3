import type { ResolvedHost } from '../inventory/types.js';
import type { EarlySocket } from '../ssh/early-socket.js';
import { connectWithTransport } from '../ssh/pick-transport.js';
import type { Connect } from './diagnose-host.js';

/**
 * The real connector: the pipeline names a host, the inventory supplies its SSH settings. `sockets`:
 * TCP connections already opened to some of the hosts (ssh/early-socket.ts), each taken over by the
 * first connect to its host.
 */
export function sshConnector(
  hosts: readonly ResolvedHost[],
  sockets: Map<string, EarlySocket> = new Map(),
): Connect {
  const byName = new Map(hosts.map((h) => [h.name, h]));
  return async (host, signal) => {
    const resolved = byName.get(host.name);
    if (!resolved) throw new Error(`internal: ${host.name} was not resolved from the inventory`);
    const sock = sockets.get(host.name);
    sockets.delete(host.name);
    return connectWithTransport(resolved, { signal, sock });
  };
}
