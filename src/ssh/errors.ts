/**
 * Coded errors of the SSH layer. Callers branch on `code` (it survives serialisation through a job
 * queue; `instanceof` does not), and show `message`, which says what happened and what to do.
 */

export type SshErrorCode =
  | 'host-key-mismatch'
  | 'host-unreachable'
  | 'ssh-config'
  | 'ssh-aborted'
  | 'session-closed'
  | 'channel-failed';

export class SshError extends Error {
  override readonly name: string = 'SshError';
  readonly code: SshErrorCode;
  /** Inventory name of the host concerned. */
  readonly host: string;

  constructor(code: SshErrorCode, host: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.host = host;
  }
}

export type HostKeyProblem = 'unknown' | 'mismatch' | 'revoked';

/** The host key was not accepted; the connection was dropped before authentication. */
export class HostKeyError extends SshError {
  override readonly name = 'HostKeyError';
  override readonly code = 'host-key-mismatch' as const;
  readonly problem: HostKeyProblem;
  readonly knownHostsPath: string;
  /** `SHA256:…` as OpenSSH prints it. */
  readonly fingerprint: string;
  readonly keyType: string;

  constructor(
    host: string,
    message: string,
    details: { problem: HostKeyProblem; knownHostsPath: string; fingerprint: string; keyType: string },
  ) {
    super('host-key-mismatch', host, message);
    this.problem = details.problem;
    this.knownHostsPath = details.knownHostsPath;
    this.fingerprint = details.fingerprint;
    this.keyType = details.keyType;
  }
}

/**
 * Why a host could not be reached: a socket errno (`ECONNREFUSED`, `ETIMEDOUT`, `EHOSTUNREACH`,
 * `ENETUNREACH`, `ENOTFOUND` …), `auth-failed`, or `handshake` for a protocol failure.
 */
export type UnreachableReason = string;

export class HostUnreachableError extends SshError {
  override readonly name = 'HostUnreachableError';
  override readonly code = 'host-unreachable' as const;
  readonly reason: UnreachableReason;

  constructor(host: string, reason: UnreachableReason, message: string, options?: { cause?: unknown }) {
    super('host-unreachable', host, message, options);
    this.reason = reason;
  }
}
