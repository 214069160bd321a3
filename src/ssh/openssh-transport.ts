/**
 * The OpenSSH transport: the same session (one connection, commands on channels of it) through the
 * system `ssh` client, for what the ssh2 library cannot do: host certificates (`@cert-authority`
 * lines; ssh2 1.17 refuses every `*-cert-v01@openssh.com` host-key algorithm), user certificates
 * (from the agent or beside the key file), FIDO keys, GSSAPI. One ControlMaster per host holds the
 * connection; each command is a multiplexed session on it (`ssh -S socket`), so the watchdog's second
 * channel costs no second login.
 *
 * Same strictness as the default transport: `-F none` (nothing of a config file changes what is
 * checked; the inventory, already resolved through the ssh config, says everything), BatchMode,
 * StrictHostKeyChecking yes against the inventory's known_hosts only (GlobalKnownHostsFile
 * /dev/null), so an unknown or changed host key fails before login. Every argument is an element of
 * an argument array (spawn, no shell), except the ProxyCommand of a jump host, which OpenSSH runs
 * through /bin/sh: its parts are inventory values, each shell-quoted.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectOptions, ConnectTarget, SshSession } from './connect.js';
import { HostKeyError, HostUnreachableError, SshError } from './errors.js';
import type { Limiter } from './limit.js';
import { createLimiter, DEFAULT_MAX_CHANNELS } from './limit.js';
import type { RunResult, SshRunOptions } from './run-command.js';
import { commandLine, shellQuote } from './run-command.js';

/** The options that make `ssh` as strict as the default transport, for `target`. */
export function strictOptions(target: ConnectTarget): string[] {
  const s = target.ssh;
  const options = [
    '-F',
    'none',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${s.knownHostsPath}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'CheckHostIP=no',
    '-o',
    `ConnectTimeout=${Math.max(1, Math.ceil(s.connectTimeoutMs / 1000))}`,
    '-o',
    'ServerAliveInterval=15',
    '-o',
    'ServerAliveCountMax=3',
    '-o',
    `IdentityFile=${s.privateKeyPath}`,
    '-p',
    String(s.port),
    '-l',
    s.user,
  ];
  if (target.jump !== undefined) {
    // ssh -W through the jump host, with the jump host's own strict options.
    const inner = ['ssh', ...strictOptions(target.jump), '-W', '%h:%p', '--', target.jump.address];
    options.push('-o', `ProxyCommand=${inner.map((a) => (a === '%h:%p' ? a : shellQuote(a))).join(' ')}`);
  }
  return options;
}

function describe(target: ConnectTarget): string {
  const via = target.jump === undefined ? '' : ` via jump host ${target.jump.name}`;
  return `${target.name} (${target.address}:${target.ssh.port}${via}, OpenSSH transport)`;
}

/** What `ssh`'s own error text means, as the default transport's errors say it. */
export function connectError(target: ConnectTarget, stderr: string): SshError {
  const where = describe(target);
  const text = stderr.trim().split('\n').slice(-4).join(' ').slice(0, 600);
  const path = target.ssh.knownHostsPath;
  const fingerprint = /(SHA256:[A-Za-z0-9+/]+)/.exec(stderr)?.[1] ?? 'unknown';
  const keyType = /(?:No|The) (\S+) (?:host )?key/.exec(stderr)?.[1] ?? 'unknown';
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/.test(stderr)) {
    return new HostKeyError(
      target.name,
      `host key of ${where} has CHANGED (presented ${keyType} ${fingerprint}), compared with ${path}. Refused before login, nothing was run. ` +
        'Fix: confirm the new key out of band, then correct the known_hosts entry',
      { problem: 'mismatch', knownHostsPath: path, fingerprint, keyType },
    );
  }
  if (/REVOKED/i.test(stderr)) {
    return new HostKeyError(
      target.name,
      `host key of ${where} is revoked in ${path}; refused before login, nothing was run. Fix: the host needs a new host key`,
      { problem: 'revoked', knownHostsPath: path, fingerprint, keyType },
    );
  }
  if (
    /Host key verification failed|host key is known|certificate .*(invalid|not valid|expired)/i.test(stderr)
  ) {
    return new HostKeyError(
      target.name,
      `host key of ${where} is not accepted by ${path} (${text}); refused before login, nothing was run. ` +
        'Fix: add the host key, or a @cert-authority line for the CA that signs the host certificate, to that file',
      { problem: 'unknown', knownHostsPath: path, fingerprint, keyType },
    );
  }
  const unreachable = (reason: string, fix: string) =>
    new HostUnreachableError(target.name, reason, `${where}: ${text}. Fix: ${fix}`);
  if (/Permission denied/.test(stderr)) {
    return unreachable(
      'auth-failed',
      `the login as ${target.ssh.user} was refused: give the host the public key (or trust the user CA), or ssh-add the key`,
    );
  }
  if (/Connection refused/.test(stderr))
    return unreachable('ECONNREFUSED', 'check that sshd runs and the port');
  if (/timed out/i.test(stderr))
    return unreachable('ETIMEDOUT', 'check the address, firewalls and that sshd answers');
  if (/No route to host/.test(stderr))
    return unreachable('EHOSTUNREACH', 'check the address and the network path');
  if (/Could not resolve hostname/.test(stderr)) return unreachable('ENOTFOUND', 'correct the address');
  return unreachable('handshake', 'see the ssh message');
}

/**
 * Runs `ssh` to its exit (not to the end of its output: with `-f`, and a ProxyCommand started before
 * ssh went to the background, children keep the stderr pipe open for the connection's life).
 */
function runSsh(
  args: string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 64_000) stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new Error('the ssh client is not installed (apt-get install openssh-client)')
          : error,
      );
    });
    let settled = false;
    const settle = (code: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stderr.destroy();
      resolve({ code, stderr });
    };
    child.once('close', (code) => settle(code));
    // ssh's own message is in the pipe by the time it exits; give it a moment to be read, then let
    // go of a pipe that the background connection's children keep open.
    // A login that worked needs no message: settle at once.
    child.once('exit', (code) => (code === 0 ? settle(code) : setTimeout(() => settle(code), 200)));
  });
}

/** The environment of the master: the agent of `options.agent` (null: none), else this process's. */
function agentEnv(options: ConnectOptions): NodeJS.ProcessEnv {
  const { SSH_AUTH_SOCK: _inherited, ...rest } = process.env;
  if (options.agent === null) return rest;
  const socket = options.agent ?? process.env.SSH_AUTH_SOCK;
  return socket === undefined ? rest : { ...rest, SSH_AUTH_SOCK: socket };
}

/**
 * Connects through the system `ssh`: a ControlMaster is started (`-f -N`: `ssh` returns once it has
 * logged in, or fails with its reason), and each command runs as a session multiplexed on it.
 */
export async function connectOpenSsh(
  target: ConnectTarget,
  options: ConnectOptions = {},
): Promise<SshSession> {
  const { signal } = options;
  if (signal?.aborted)
    throw new SshError('ssh-aborted', target.name, `connecting to ${describe(target)} was cancelled`);
  const dir = mkdtempSync(join(tmpdir(), 'd502-ssh-'));
  const control = join(dir, 'control');
  const base = [...strictOptions(target), '-o', `ControlPath=${control}`];
  const started = await runSsh(
    [...base, '-o', 'ControlMaster=yes', '-o', 'ControlPersist=no', '-f', '-N', '--', target.address],
    target.ssh.connectTimeoutMs * 2 + 2000,
    agentEnv(options),
  ).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw new SshError('ssh-config', target.name, `${describe(target)}: ${(error as Error).message}`);
  });
  if (started.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw connectError(target, started.stderr);
  }
  const limiter: Limiter = createLimiter(options.maxChannels ?? DEFAULT_MAX_CHANNELS);
  const running = new Set<ChildProcess>();
  let closed = false;
  let closing: Promise<void> | undefined;

  const session: SshSession = {
    host: target.name,
    get closed() {
      return closed;
    },
    run(command: string, runOptions: SshRunOptions): Promise<RunResult> {
      if (closed) {
        return Promise.reject(
          new SshError('session-closed', target.name, `the SSH session to ${describe(target)} is closed`),
        );
      }
      const line = commandLine(command, {
        sudo: target.ssh.sudo,
        privileged: runOptions.privileged === true,
        sudoInside: runOptions.sudoInside === true,
      });
      return limiter.run(
        () => runMuxed([...base, '-T', '--', target.address, line], runOptions, running),
        runOptions.signal,
      );
    },
    close(): Promise<void> {
      if (closing !== undefined) return closing;
      closed = true;
      signal?.removeEventListener('abort', onAbort);
      for (const child of running) child.kill('SIGTERM');
      closing = runSsh([...base, '-O', 'exit', '--', target.address], 5000)
        .catch(() => undefined)
        .then(() => rmSync(dir, { recursive: true, force: true }));
      return closing;
    },
  };
  const onAbort = () => void session.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  return session;
}

/** One multiplexed session: stdin, the byte cap, the time limit and the abort as run-command.ts has them. */
function runMuxed(args: string[], options: SshRunOptions, running: Set<ChildProcess>): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const bytes = { out: 0, err: 0 };
    let stopped: 'timeout' | 'cap' | 'abort' | undefined;
    const stop = (why: typeof stopped) => {
      stopped ??= why;
      // Ending the mux client ends the session for us; sshd sends the command no signal (no pty), so
      // a stopped command runs on until it ends or writes into the closed channel.
      child.kill('SIGTERM');
    };
    const keep = (chunks: Buffer[], key: 'out' | 'err', chunk: Buffer) => {
      const room = options.maxBytes - bytes[key];
      if (room <= 0) return stop('cap');
      const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
      chunks.push(piece);
      bytes[key] += piece.length;
      if (key === 'out') options.onStdout?.(piece);
      if (chunk.length > room) stop('cap');
    };
    child.stdout.on('data', (chunk: Buffer) => keep(out, 'out', chunk));
    child.stderr.on('data', (chunk: Buffer) => keep(err, 'err', chunk));
    child.stdin.on('error', () => undefined);
    if (options.stdin !== undefined) child.stdin.write(options.stdin);
    if (options.stdinLater !== undefined) {
      options.stdinLater.then(
        (more) => child.stdin.end(more),
        () => child.stdin.end(),
      );
    } else child.stdin.end();
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
    const onAbort = () => stop('abort');
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    const finish = (code: number | null, signalName: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      running.delete(child);
      const result: RunResult = {
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code: stopped === undefined ? code : null,
        timedOut: stopped === 'timeout',
        truncated: stopped === 'cap',
        aborted: stopped === 'abort',
        durationMs: Math.round(performance.now() - started),
      };
      if (stopped === undefined && signalName !== null) result.signal = signalName;
      resolve(result);
    };
    child.on('close', finish);
    // The master writes to our pipes itself (the mux client hands it its descriptors), so a stopped
    // command's pipes stay open while the remote process lives on: stop reading and return at once.
    child.on('exit', (code, signalName) => {
      if (stopped === undefined) return;
      child.stdout.destroy();
      child.stderr.destroy();
      finish(code, signalName);
    });
  });
}
