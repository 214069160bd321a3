/**
 * Opens an SSH session to an inventory host: key auth only (the keys of ssh-agent, then the key
 * file), host key checked against known_hosts
 * before authentication (so nothing runs on a host we cannot identify), optional ProxyJump through
 * another inventory host, bounded by `connectTimeoutMs` per hop.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type {
  AnyAuthMethod,
  ClientChannel,
  ConnectConfig,
  ParsedKey,
  PublicKeyAuthMethod,
  Client as Ssh2Client,
} from 'ssh2';
import type { EffectiveSsh } from '../inventory/types.js';
import { agentCertificateHint } from './agent-certificates.js';
import type { EarlySocket } from './early-socket.js';
import { HostKeyError, HostUnreachableError, SshError } from './errors.js';
import type { HostKeyVerdict, KnownHostEntry } from './known-hosts.js';
import {
  entriesForHost,
  fingerprintSha256,
  keyTypeOf,
  lookupName,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
  verifyHostKey,
} from './known-hosts.js';
import type { Limiter } from './limit.js';
import { createLimiter, DEFAULT_MAX_CHANNELS } from './limit.js';
import type { RunResult, SshRunOptions } from './run-command.js';
import { commandLine, runOnClient } from './run-command.js';
import { Client, parseKey } from './ssh2-client.js';

/** What connecting needs from an inventory host (a `ResolvedHost` fits). */
export interface ConnectTarget {
  name: string;
  address: string;
  ssh: EffectiveSsh;
  jump?: ConnectTarget;
}

export interface ConnectOptions {
  /** Aborts a connect in progress; aborting later closes the session. */
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
  /** Channels open at once on this connection (sshd `MaxSessions` defaults to 10). */
  maxChannels?: number;
  /**
   * A TCP connection to the host's address and port opened earlier (early-socket.ts), taken over
   * instead of opening one. Only for a host reached directly (no jump host).
   */
  sock?: EarlySocket | undefined;
  /**
   * The ssh-agent socket whose keys (and certificates) are offered first, as `ssh` does; default
   * `SSH_AUTH_SOCK` of this process, `null` for none.
   */
  agent?: string | null | undefined;
}

export interface SshSession {
  /** Inventory name of the host. */
  readonly host: string;
  /** True once `close()` was called or the connection dropped. */
  readonly closed: boolean;
  /** Runs a command on its own channel; see run-command.ts. Throws only if the session is unusable. */
  run(command: string, options: SshRunOptions): Promise<RunResult>;
  /** Closes the connection (and the jump host's). Idempotent. */
  close(): Promise<void>;
}

/** Margin over ssh2's own `readyTimeout` before the backstop timer gives up on a hop. */
const BACKSTOP_MARGIN_MS = 1000;
/** How long `close()` waits for the socket to close before resolving anyway. */
const CLOSE_WAIT_MS = 2000;
/** Keepalives notice a dead peer during long probes (3 missed → the connection errors out). */
const KEEPALIVE_INTERVAL_MS = 15_000;

/**
 * Key exchange, in order of preference: ssh2's defaults (less the rarely served group15 and group17
 * Diffie-Hellman groups, which OpenSSH does not offer), P-256 first. OpenSSH (9.2,
 * Debian 12) computes curve25519 with its portable reference code and P-256 with OpenSSL: measured on
 * the lab's sshd, P-256 saves the host about 4 ms of CPU per connection (23 → 19 ms), and the host
 * under diagnosis may be the overloaded one. Both are in OpenSSH's default list; a server that
 * disables NIST curves (`KexAlgorithms`) gets curve25519, the next choice.
 */
const KEX_PREFERENCE = [
  'ecdh-sha2-nistp256',
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group-exchange-sha256',
  'diffie-hellman-group14-sha256',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
] as const;

interface Hop {
  client: Ssh2Client;
  /** The hop this one tunnels through, closed with it. */
  via?: Hop;
}

function endpoint(target: ConnectTarget): string {
  return target.address.includes(':')
    ? `[${target.address}]:${target.ssh.port}`
    : `${target.address}:${target.ssh.port}`;
}

function label(target: ConnectTarget): string {
  const via = target.jump === undefined ? '' : ` via jump host ${target.jump.name}`;
  return `${target.name} (${endpoint(target)}${via})`;
}

function abortError(target: ConnectTarget): SshError {
  return new SshError('ssh-aborted', target.name, `connecting to ${label(target)} was cancelled`);
}

/**
 * Parses of files read for every connection, by path, reused while the file's text is unchanged: a
 * group of 20 hosts would otherwise parse the same key and known_hosts 20 times (ed25519 key
 * derivation, hashed-entry decoding). The file itself is read every time, so a rotated key or an
 * edited known_hosts takes effect on the next connection.
 */
const parsedFiles = new Map<string, { text: string; value: unknown }>();

function parsedOnce<T>(kind: string, path: string, text: string, parse: (text: string) => T): T {
  const key = `${kind}:${path}`;
  const hit = parsedFiles.get(key);
  if (hit !== undefined && hit.text === text) return hit.value as T;
  const value = parse(text);
  parsedFiles.set(key, { text, value });
  return value;
}

/** The agent socket to use: the option, else `SSH_AUTH_SOCK`, as `ssh` takes it. */
function agentSocket(options: ConnectOptions): string | undefined {
  if (options.agent === null) return undefined;
  const socket = options.agent ?? process.env.SSH_AUTH_SOCK;
  return socket === undefined || socket === '' ? undefined : socket;
}

/**
 * The key file, parsed; undefined when an agent is there to sign instead (the file is missing, or
 * passphrase-protected: the agent holds the key once `ssh-add` unlocked it).
 */
async function readPrivateKey(
  target: ConnectTarget,
  agent: string | undefined,
): Promise<ParsedKey | undefined> {
  const path = target.ssh.privateKeyPath;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    if (agent !== undefined && code === 'ENOENT') return undefined;
    throw new SshError(
      'ssh-config',
      target.name,
      `cannot read the private key ${path} for ${target.name} (${code}). ` +
        `Fix: correct ssh.privateKeyPath in the inventory, or make the file readable by this user` +
        (agent === undefined ? ', or load the key into ssh-agent (ssh-add) and set SSH_AUTH_SOCK' : ''),
      { cause: error },
    );
  }
  const parsed = parsedOnce('key', path, text, (t) => parseKey(t));
  if (parsed instanceof Error && /encrypted/i.test(parsed.message)) {
    if (agent !== undefined) return undefined;
    throw new SshError(
      'ssh-config',
      target.name,
      `the private key ${path} for ${target.name} is passphrase-protected, and no ssh-agent is running ` +
        '(SSH_AUTH_SOCK is not set), so it cannot be used. ' +
        `Fix: eval "$(ssh-agent)" && ssh-add ${path}, then run diagnose502 from that shell (the bot: give its process SSH_AUTH_SOCK)`,
      { cause: parsed },
    );
  }
  if (parsed instanceof Error) {
    throw new SshError(
      'ssh-config',
      target.name,
      `the private key ${path} for ${target.name} cannot be used: ${parsed.message}. ` +
        'Fix: use an OpenSSH or PEM private key, or load the key into ssh-agent (ssh-add) and set SSH_AUTH_SOCK',
      { cause: parsed },
    );
  }
  return parsed;
}

async function readKnownHosts(target: ConnectTarget, logger: Logger | undefined): Promise<KnownHostEntry[]> {
  const path = target.ssh.knownHostsPath;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A missing file is the same as "host unknown": the connect still fails, but its error then
    // carries the fingerprint the server presented, which is what the operator needs to add it.
    if (code === 'ENOENT') return [];
    throw new SshError(
      'ssh-config',
      target.name,
      `cannot read the known_hosts file ${path} for ${target.name} (${code ?? String(error)}). ` +
        'Fix: correct ssh.knownHostsPath in the inventory, or make the file readable by this user',
      { cause: error },
    );
  }
  const parsed = parsedOnce('known_hosts', path, text, parseKnownHosts);
  for (const note of parsed.notes) logger?.debug({ host: target.name, file: path }, `known_hosts ${note}`);
  return parsed.entries;
}

function hostKeyError(
  target: ConnectTarget,
  verdict: HostKeyVerdict,
  key: Buffer,
  entries: KnownHostEntry[],
) {
  const path = target.ssh.knownHostsPath;
  const fingerprint = fingerprintSha256(key);
  const keyType = keyTypeOf(key) ?? 'unknown-type';
  const name = lookupName(target.address, target.ssh.port);
  const seen = `${keyType} ${fingerprint}`;
  const keyscan = `ssh-keyscan ${target.ssh.port === 22 ? '' : `-p ${target.ssh.port} `}${target.address}`;
  const details = { knownHostsPath: path, fingerprint, keyType };
  if (verdict === 'revoked') {
    return new HostKeyError(
      target.name,
      `host key of ${label(target)} is marked @revoked in ${path} (presented ${seen}); refused before login, nothing was run. ` +
        'Fix: the host must get a new host key; do not connect until it has one',
      { problem: 'revoked', ...details },
    );
  }
  if (verdict === 'mismatch') {
    const lines = entriesForHost(entries, target.address, target.ssh.port)
      .filter((entry) => !entry.revoked)
      .map((entry) => `${entry.line} (${entry.keyType} ${fingerprintSha256(entry.key)})`);
    return new HostKeyError(
      target.name,
      `host key of ${label(target)} has CHANGED: it presented ${seen}, but ${path} records ` +
        `${lines.length === 1 ? 'line' : 'lines'} ${lines.join(', ')}. Refused before login, nothing was run. ` +
        'This is a reinstalled host or someone in the middle. ' +
        `Fix: confirm the new fingerprint out of band, then run ssh-keygen -R '${name}' -f ${path} and add the new key (${keyscan} >> ${path})`,
      { problem: 'mismatch', ...details },
    );
  }
  return new HostKeyError(
    target.name,
    `host key of ${label(target)} is not in ${path} (presented ${seen}); refused before login, nothing was run. ` +
      `Fix: confirm the fingerprint out of band (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on the host), then add it: ${keyscan} >> ${path}`,
    { problem: 'unknown', ...details },
  );
}

function unreachableError(target: ConnectTarget, error: unknown, agent?: string): HostUnreachableError {
  const err = error as { code?: unknown; level?: unknown; message?: unknown };
  const message = typeof err?.message === 'string' ? err.message : String(error);
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const where = label(target);
  const timeout = target.ssh.connectTimeoutMs;
  const make = (reason: string, text: string) =>
    new HostUnreachableError(target.name, reason, `${where}: ${text}`, { cause: error });

  if (err?.level === 'client-authentication') {
    return make(
      'auth-failed',
      `login as ${target.ssh.user} with ${agent === undefined ? '' : `the keys of ssh-agent (${agent}) and `}the key ${target.ssh.privateKeyPath} was refused (${message}). ` +
        `Fix: add the public key to ~${target.ssh.user}/.ssh/authorized_keys on the host, or correct ssh.user / ssh.privateKeyPath` +
        (agent === undefined
          ? ''
          : '; a passphrase-protected key file is used only through the agent: ssh-add it'),
    );
  }
  if (err?.level === 'client-timeout' || code === 'ETIMEDOUT') {
    return make(
      'ETIMEDOUT',
      `no SSH handshake within ${timeout} ms (ETIMEDOUT: ${message}). ` +
        'Fix: check the address, firewalls and that sshd answers; raise ssh.connectTimeoutMs for a slow link',
    );
  }
  switch (code) {
    case 'ECONNREFUSED':
      return make(
        'ECONNREFUSED',
        'connection refused (ECONNREFUSED). Fix: check that sshd runs and ssh.port is right',
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return make(code, `no route to the host (${code}). Fix: check the address and the network path`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return make(code, `the name ${target.address} does not resolve (${code}). Fix: correct the address`);
    case 'ECONNRESET':
      return make(
        code,
        `the connection was reset (${code}). Fix: check sshd's logs and MaxStartups on the host`,
      );
  }
  if (message === 'No response from server' || message === 'Connection lost before handshake') {
    return make(
      'connection-closed',
      `the server closed the connection before login finished (${message}). ` +
        'Fix: check that the port is an SSH server, and sshd logs on the host (MaxStartups, AllowUsers, tcp wrappers)',
    );
  }
  return make(code ?? 'handshake', `SSH connection failed: ${message}`);
}

/**
 * Races `promise` against the signal and a timer; on either, runs `onCancel` and rejects. `promise`
 * is always observed, also when the signal has already fired: a cancelled connect still rejects
 * later (the client rejects on the socket's error or close, e.g. ECONNRESET as a host goes away), and
 * a rejection nobody handles ends the process.
 */
function bounded<T>(
  promise: Promise<T>,
  options: { signal: AbortSignal | undefined; timeoutMs: number; onCancel: () => void },
  errors: { aborted: () => Error; timedOut: () => Error },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    promise.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error);
      },
    );
    const done = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      done();
      options.onCancel();
      reject(errors.aborted());
    };
    const timer = setTimeout(() => {
      done();
      options.onCancel();
      reject(errors.timedOut());
    }, options.timeoutMs);
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * An ssh2 client connecting with `config`: `ready` resolves once it is logged in, and rejects with
 * its first error, or when the connection closes before that ("No response from server", code
 * ETIMEDOUT, as node-ssh reported it before). `isOpen` turns false when the connection ends.
 */
function startClient(config: ConnectConfig): {
  client: Ssh2Client;
  ready: Promise<void>;
  isOpen: () => boolean;
} {
  const client = new Client();
  let open = true;
  const ready = new Promise<void>((resolve, reject) => {
    client.on('error', reject);
    client.once('ready', () => {
      client.removeListener('error', reject);
      resolve();
    });
    const gone = () => {
      open = false;
      reject(Object.assign(new Error('No response from server'), { code: 'ETIMEDOUT' }));
    };
    client.once('end', gone);
    client.once('close', gone);
  });
  client.connect(config);
  return { client, ready, isOpen: () => open };
}

function closeHop(hop: Hop | undefined): void {
  for (let current = hop; current !== undefined; current = current.via) {
    try {
      current.client.end();
      current.client.destroy();
    } catch {
      // Already closed.
    }
  }
}

async function openHop(target: ConnectTarget, options: ConnectOptions): Promise<Hop> {
  const { signal, logger } = options;
  const early = target.jump === undefined ? options.sock : undefined;
  if (signal?.aborted) {
    early?.socket.destroy();
    throw abortError(target);
  }
  const agent = agentSocket(options);
  let privateKey: Awaited<ReturnType<typeof readPrivateKey>>;
  let knownHosts: KnownHostEntry[];
  try {
    [privateKey, knownHosts] = await Promise.all([
      readPrivateKey(target, agent),
      readKnownHosts(target, logger),
    ]);
  } catch (error) {
    early?.socket.destroy();
    throw error;
  }
  const { address, ssh: settings } = target;
  const timeoutMs = settings.connectTimeoutMs;

  let via: Hop | undefined;
  let sock: ConnectConfig['sock'];
  if (target.jump !== undefined) {
    const jump = target.jump;
    via = await openHop(jump, { ...options, sock: undefined });
    const jumpClient = via.client;
    const viaHop = via;
    try {
      sock = await bounded(
        new Promise<ClientChannel>((resolve, reject) =>
          jumpClient.forwardOut('127.0.0.1', 0, address, settings.port, (error, channel) =>
            error ? reject(error) : resolve(channel),
          ),
        ),
        { signal, timeoutMs, onCancel: () => closeHop(viaHop) },
        {
          aborted: () => abortError(target),
          timedOut: () =>
            new HostUnreachableError(
              target.name,
              'ETIMEDOUT',
              `${label(target)}: the jump host did not open a connection within ${timeoutMs} ms (ETIMEDOUT)`,
            ),
        },
      );
    } catch (error) {
      closeHop(viaHop);
      if (error instanceof SshError) throw error;
      throw new HostUnreachableError(
        target.name,
        'jump-forward-failed',
        `${label(target)}: jump host ${jump.name} could not connect to ${endpoint(target)}: ${(error as Error).message}. ` +
          `Fix: check that ${jump.name} can reach ${endpoint(target)} and that AllowTcpForwarding is on there`,
        { cause: error },
      );
    }
  }

  if (early !== undefined) {
    // Refused or dropped before this hop took it over: the same error as a socket of its own gives.
    const failure = early.failure();
    if (failure !== undefined) {
      early.socket.destroy();
      throw unreachableError(target, failure);
    }
    sock = early.socket;
  }

  // Looked up once: a hashed known_hosts costs an HMAC per line (2000 lines: ~8 ms), and the verdict
  // below needs only the lines of this host.
  const applicable = entriesForHost(knownHosts, address, settings.port);
  const recordedTypes = applicable.filter((entry) => !entry.revoked).map((entry) => entry.keyType);
  let verdict: { result: HostKeyVerdict; key: Buffer } | undefined;
  const authHandler: AnyAuthMethod[] = [];
  // The agent's keys first, as ssh offers them: it may hold certificates and keys whose files are
  // passphrase-protected or on a hardware token.
  if (agent !== undefined) authHandler.push({ type: 'agent', username: settings.user, agent });
  if (privateKey !== undefined) {
    const publicKeyAuth: PublicKeyAuthMethod = {
      type: 'publickey',
      username: settings.user,
      key: privateKey,
    };
    authHandler.push(publicKeyAuth);
  }
  const config = {
    username: settings.user,
    // Public-key authentication straight away (ssh2 would try `none` first, one more round trip),
    // with the key parsed once per process instead of once per connection.
    authHandler,
    readyTimeout: timeoutMs,
    keepaliveInterval: KEEPALIVE_INTERVAL_MS,
    keepaliveCountMax: 3,
    algorithms: { kex: [...KEX_PREFERENCE], serverHostKey: preferredHostKeyAlgorithms(recordedTypes) },
    // Runs during key exchange, before any authentication: a refused key means nothing ran.
    hostVerifier: (key: Buffer) => {
      const result = verifyHostKey(applicable, address, settings.port, key);
      verdict = { result, key };
      return result === 'match';
    },
    ...(sock === undefined ? { host: address, port: settings.port } : { sock }),
  } satisfies ConnectConfig;

  // Aborted while the files were read or the jump host connected: open no socket at all.
  if (signal?.aborted) {
    closeHop(via);
    early?.socket.destroy();
    throw abortError(target);
  }

  const { client, ready: connecting, isOpen } = startClient(config);
  // Keep an 'error' listener on the client for the connection's whole life: startClient removes its
  // own after 'ready', and an unhandled 'error' (keepalive timeout, reset) would crash the process.
  // The handshake and the probes are small request/response exchanges: with Nagle's algorithm, a
  // small write waits for the peer's delayed ACK (~40 ms on Linux) whenever an earlier one is unacked;
  // set before the socket connects, so that the key exchange and authentication do not wait either.
  client.setNoDelay(true);
  let negotiated: { kex: string; serverHostKey: string; cipher: string } | undefined;
  client.once('handshake', (n) => {
    negotiated = { kex: n.kex, serverHostKey: n.serverHostKey, cipher: n.cs.cipher };
  });
  client.on('error', (error: Error) =>
    logger?.debug({ host: target.name, err: error }, 'ssh connection error'),
  );
  // Destroy, not end: before login there is no session to leave politely, and ssh2's end() on a
  // socket still connecting writes a disconnect packet ahead of the version exchange.
  const cancel = () => {
    client.destroy();
    closeHop(via);
  };
  try {
    await bounded(
      connecting,
      // ssh2's readyTimeout already covers TCP connect, banner and handshake; this is a backstop.
      { signal, timeoutMs: timeoutMs + BACKSTOP_MARGIN_MS, onCancel: cancel },
      {
        aborted: () => abortError(target),
        timedOut: () =>
          unreachableError(target, Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })),
      },
    );
  } catch (error) {
    cancel();
    if (verdict !== undefined && verdict.result !== 'match') {
      throw hostKeyError(target, verdict.result, verdict.key, knownHosts);
    }
    if (error instanceof SshError) throw error;
    const refused = unreachableError(target, error, agent);
    if (refused.reason === 'auth-failed' && agent !== undefined) {
      const hint = await agentCertificateHint(agent);
      if (hint !== '')
        throw new HostUnreachableError(target.name, refused.reason, refused.message + hint, { cause: error });
    }
    throw refused;
  }
  if (!isOpen()) {
    closeHop(via);
    throw unreachableError(target, new Error('No response from server'));
  }
  logger?.debug({ host: target.name, endpoint: endpoint(target), ...negotiated }, 'ssh connected');
  return via === undefined ? { client } : { client, via };
}

/**
 * Connects to `host`. Rejects with `HostKeyError` (`host-key-mismatch`), `HostUnreachableError`
 * (`host-unreachable`), or `SshError` with code `ssh-config` / `ssh-aborted`.
 */
export async function connectHost(host: ConnectTarget, options: ConnectOptions = {}): Promise<SshSession> {
  const hop = await openHop(host, options);
  const { signal, logger } = options;
  const limiter: Limiter = createLimiter(options.maxChannels ?? DEFAULT_MAX_CHANNELS);
  let closed = false;
  let closing: Promise<void> | undefined;
  // Each running command listens for the connection closing; room for all of them plus ours.
  hop.client.setMaxListeners(Math.max(10, (options.maxChannels ?? DEFAULT_MAX_CHANNELS) + 10));

  const onAbort = () => {
    void session.close();
  };
  hop.client.once('close', () => {
    closed = true;
  });

  const session: SshSession = {
    host: host.name,
    get closed() {
      return closed;
    },
    async run(command: string, runOptions: SshRunOptions): Promise<RunResult> {
      const started = performance.now();
      const line = commandLine(command, {
        sudo: host.ssh.sudo,
        privileged: runOptions.privileged === true,
        sudoInside: runOptions.sudoInside === true,
      });
      const aborted = (): RunResult => ({
        stdout: '',
        stderr: '',
        code: null,
        timedOut: false,
        truncated: false,
        aborted: true,
        durationMs: Math.round(performance.now() - started),
      });
      if (runOptions.signal?.aborted) return aborted();
      if (closed) {
        throw new SshError('session-closed', host.name, `the SSH session to ${label(host)} is closed`);
      }
      try {
        return await limiter.run(
          () => runOnClient(hop.client, line, runOptions, { host: host.name, logger }),
          runOptions.signal,
        );
      } catch (error) {
        // Aborted while waiting for a free channel: same result as an abort while running.
        if (runOptions.signal?.aborted && !(error instanceof SshError)) return aborted();
        throw error;
      }
    },
    close(): Promise<void> {
      if (closing !== undefined) return closing;
      signal?.removeEventListener('abort', onAbort);
      closing = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_WAIT_MS);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        if (closed) done();
        else hop.client.once('close', done);
        closed = true;
        closeHop(hop);
      });
      return closing;
    },
  };

  if (signal?.aborted) {
    await session.close();
    throw abortError(host);
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  return session;
}
