import type { UpstreamTarget } from '../parse/types.js';
import { CONNECT_TIMEOUT_S, RESOLVE_TIMEOUT_S } from './defs/common.js';

/** What the upstream probe printed about one target (defs/upstreams.ts `parseUpstreams`). */
export interface RawTargetResult {
  resolved?: string[];
  /** The resolver gave no answer in time; the nameservers of the host's /etc/resolv.conf. */
  resolverSilent?: string[];
  connectExit?: number;
  connectMessage?: string;
  socket?: 'missing' | 'notsocket' | { owner: string; group: string; mode: string };
  listening?: boolean;
  workerMayWrite?: boolean;
  lines: string[];
}

export type TargetState =
  | 'open' // TCP connect succeeded / unix socket accepted a connection
  | 'refused' // ECONNREFUSED
  | 'timeout' // no answer within the probe's connect timeout (DROP, backlog)
  | 'unreachable' // EHOSTUNREACH / ENETUNREACH
  | 'missing' // unix socket path does not exist
  | 'not-a-socket'
  | 'stale' // socket file exists, nobody listens
  | 'denied' // the nginx worker user may not connect
  | 'unresolved' // the host name does not resolve
  | 'unknown';

export interface TargetCheck {
  target: UpstreamTarget;
  state: TargetState;
  /** Human summary of what was found, e.g. `nothing listens on 127.0.0.1:8081; app listens on 127.0.0.1:8080`. */
  detail: string;
  /** Verbatim lines from the probe (ls -l, ss, getent, curl). */
  lines: string[];
  /** For TCP: addresses the name resolved to. */
  resolved?: string[];
  /** For TCP names: the resolver did not answer in time; the nameservers of the host's /etc/resolv.conf. */
  resolverSilent?: string[];
  /** For unix sockets: owner, group, mode (octal) and who may connect. */
  socket?: { owner: string; group: string; mode: string; workerMayConnect?: boolean; listening?: boolean };
  /** For HTTP health checks: the status and time. */
  http?: { status: number; timeS: number; bodySample?: string };
}

export function describeTarget(t: UpstreamTarget): string {
  switch (t.kind) {
    case 'tcp':
      return `${t.host.includes(':') && !t.host.startsWith('[') ? `[${t.host}]` : t.host}:${t.port}`;
    case 'unix':
      return `unix:${t.path}`;
    case 'variable':
      return t.expr;
  }
}

/** Turns what the upstream probe saw into one state per target (pure). */
export function targetState(target: UpstreamTarget, raw: RawTargetResult | undefined): TargetCheck {
  const name = describeTarget(target);
  const lines = raw?.lines ?? [];
  if (target.kind === 'tcp' && raw?.resolverSilent) {
    const servers = raw.resolverSilent.join(', ') || 'no nameserver in /etc/resolv.conf';
    return {
      target,
      state: 'unresolved',
      detail: `${target.host}: the resolver (${servers}) did not answer within ${RESOLVE_TIMEOUT_S}s`,
      lines,
      resolved: [],
      resolverSilent: raw.resolverSilent,
    };
  }
  if (!raw || raw.connectExit === undefined) {
    return { target, state: 'unknown', detail: `${name}: not checked`, lines };
  }
  if (target.kind === 'unix') {
    const sock = raw.socket;
    const socket =
      sock && typeof sock === 'object'
        ? { ...sock, workerMayConnect: raw.workerMayWrite, listening: raw.listening }
        : undefined;
    const statLine = socket ? `srw ${socket.mode} ${socket.owner}:${socket.group} ${target.path}` : undefined;
    const withStat = statLine ? [statLine, ...lines] : lines;
    if (sock === 'missing')
      return { target, state: 'missing', detail: `${target.path} does not exist`, lines };
    if (sock === 'notsocket')
      return { target, state: 'not-a-socket', detail: `${target.path} is not a socket`, lines };
    if (raw.listening === false) {
      return {
        target,
        state: 'stale',
        detail: `${target.path} exists but nothing listens on it`,
        lines: withStat,
        socket,
      };
    }
    if (raw.workerMayWrite === false) {
      return {
        target,
        state: 'denied',
        detail: `the nginx worker user may not connect to ${target.path} (${socket?.owner}:${socket?.group} mode ${socket?.mode})`,
        lines: withStat,
        socket,
      };
    }
    if (raw.connectExit === 7)
      return {
        target,
        state: 'refused',
        detail: `${target.path} refused the connection`,
        lines: withStat,
        socket,
      };
    if (raw.connectExit === 28 || raw.connectExit === 124) {
      return {
        target,
        state: 'timeout',
        detail: `${target.path} accepted no connection within ${CONNECT_TIMEOUT_S}s`,
        lines: withStat,
        socket,
      };
    }
    return { target, state: 'open', detail: `${target.path} accepts connections`, lines: withStat, socket };
  }
  const msg = raw.connectMessage ?? '';
  const resolved = raw.resolved;
  if (target.kind === 'tcp' && resolved !== undefined && resolved.length === 0) {
    return {
      target,
      state: 'unresolved',
      detail: `${target.host} does not resolve on the nginx host`,
      lines,
      resolved,
    };
  }
  if (raw.connectExit === 0)
    return { target, state: 'open', detail: `${name} accepts connections`, lines, resolved };
  if (raw.connectExit === 124) {
    return {
      target,
      state: 'timeout',
      detail: `${name}: connect timed out after ${CONNECT_TIMEOUT_S}s`,
      lines: [...lines, `connect to ${name}: no answer within ${CONNECT_TIMEOUT_S}s`],
      resolved,
    };
  }
  if (/refused/i.test(msg))
    return {
      target,
      state: 'refused',
      detail: `nothing listens on ${name} (connection refused)`,
      lines,
      resolved,
    };
  if (/no route|unreachable/i.test(msg))
    return { target, state: 'unreachable', detail: `${name} is unreachable (${msg})`, lines, resolved };
  if (/not known|resolv|name/i.test(msg))
    return { target, state: 'unresolved', detail: `${name} does not resolve`, lines, resolved };
  return {
    target,
    state: 'unknown',
    detail: `${name}: ${msg || `exit ${raw.connectExit}`}`,
    lines,
    resolved,
  };
}
