/**
 * A TCP connection to a host's sshd, opened before the SSH code is even loaded. The TCP handshake and
 * sshd's own start for a new connection (fork, re-exec, host keys, its version line) take as long as
 * loading ssh2 does; opened first, they overlap instead of following one another. connect.ts takes
 * the socket over as the connection of the first hop (the version line waits, paused, in its buffer).
 * Only Node's own `net` is imported here, so this costs nothing to load.
 */
import { connect, type Socket } from 'node:net';

export interface EarlySocket {
  readonly socket: Socket;
  /** Why the socket is already unusable (refused, reset, closed), or undefined while it is fine. */
  failure(): Error | undefined;
}

/** Where the socket goes: the address and port the host's first (direct) hop is reached at. */
export interface EarlySocketTarget {
  address: string;
  ssh: { port: number };
  /** A host behind a jump host is reached through it: it gets no early socket. */
  jump?: unknown;
}

export function openEarlySocket(target: EarlySocketTarget): EarlySocket {
  const socket = connect({ host: target.address, port: target.ssh.port });
  // As connect.ts sets on the sockets it opens itself: small writes are not held back.
  socket.setNoDelay(true);
  let failed: Error | undefined;
  // Kept for the socket's life: an error before connect.ts takes it over must not crash the process.
  socket.on('error', (error: Error) => {
    failed ??= error;
  });
  return {
    socket,
    failure: () =>
      failed ??
      (socket.destroyed || socket.readyState === 'closed' || socket.readyState === 'writeOnly'
        ? new Error('Connection lost before handshake')
        : undefined),
  };
}

/** Early sockets for the hosts a run connects to first (at most `count`; not for hosts behind a jump host). */
export function openEarlySockets<T extends EarlySocketTarget & { name: string }>(
  hosts: readonly T[],
  count: number,
): Map<string, EarlySocket> {
  const sockets = new Map<string, EarlySocket>();
  for (const host of hosts.slice(0, Math.max(0, count))) {
    if (host.jump === undefined) sockets.set(host.name, openEarlySocket(host));
  }
  return sockets;
}
