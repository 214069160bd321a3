import type { ProbeHost } from '../probes/types.js';
import type { Connect, Session } from './diagnose-host.js';

/**
 * Starts the SSH connections of the hosts a run diagnoses first at once, before the code that
 * diagnoses them has loaded: the handshake's round trips and sshd's work then overlap the loading
 * instead of following it. The connector returned hands each of these hosts its connection in
 * progress (once); any other host connects when asked. A connection that fails is reported when the
 * pipeline takes it, as it would have failed then; one started and never taken is closed by `signal`.
 */
export function connectEarly(
  hosts: readonly ProbeHost[],
  connect: Connect,
  signal: AbortSignal | undefined,
): Connect {
  const started = new Map<string, Promise<Session>>();
  for (const host of hosts) {
    const session = connect(host, signal);
    // Observed here until the pipeline takes it, so a failure before then is not an unhandled rejection.
    session.catch(() => {});
    started.set(host.name, session);
  }
  return (host, s) => {
    const session = started.get(host.name);
    if (session === undefined) return connect(host, s);
    started.delete(host.name);
    return session;
  };
}
