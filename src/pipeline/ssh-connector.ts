import type { ResolvedHost } from '../inventory/types.js';
import { connectWithTransport } from '../ssh/pick-transport.js';
import type { Connect } from './diagnose-host.js';

/** The real connector: the pipeline names a host, the inventory supplies its SSH settings. */
export function sshConnector(hosts: readonly ResolvedHost[]): Connect {
  const byName = new Map(hosts.map((h) => [h.name, h]));
  return async (host, signal) => {
    const resolved = byName.get(host.name);
    if (!resolved) throw new Error(`internal: ${host.name} was not resolved from the inventory`);
    return connectWithTransport(resolved, { signal });
  };
}
