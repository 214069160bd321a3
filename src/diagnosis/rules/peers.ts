import type { UpstreamTarget } from '../../parse/types.js';
import type { Evidence, ServiceEvidence, TargetCheck } from '../evidence.js';

/** An upstream peer as nginx names it in `upstream: "..."` (catalog 1.1 item 12). */
export type Peer =
  | { kind: 'tcp'; scheme: string; host: string; port: number }
  | { kind: 'unix'; scheme: string; path: string }
  /** `http://backend`: a group name (no live upstreams) or a host without a port. */
  | { kind: 'name'; scheme: string; name: string };

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443, grpc: 80, grpcs: 443 };

/** `uwsgi://unix:///tmp/uwsgi.sock` and `unix:/tmp/x.sock` -> `/tmp/x.sock`. */
export function normalizeSocketPath(path: string): string {
  return path.replace(/^unix:/, '').replace(/^\/+/, '/');
}

export function parsePeer(peer: string): Peer | undefined {
  const m = /^(\w+):\/\/(.+)$/.exec(peer);
  const scheme = m?.[1] ?? 'http';
  const body = m?.[2] ?? peer;
  // `unix:/tmp/app.sock:/uri`: the path ends at the `:` nginx appends after a socket (catalog 1.1).
  if (body.startsWith('unix:'))
    return { kind: 'unix', scheme, path: normalizeSocketPath(body.split(':')[1] ?? '') };
  const rest = body.replace(/\/.*$/s, '');
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (v6?.[1])
    return { kind: 'tcp', scheme, host: v6[1], port: Number(v6[2] ?? DEFAULT_PORTS[scheme] ?? 80) };
  const hp = /^([^:/]+):(\d+)$/.exec(rest);
  if (hp?.[1] && hp[2]) return { kind: 'tcp', scheme, host: hp[1], port: Number(hp[2]) };
  if (/^[\w.-]+$/.test(rest)) return { kind: 'name', scheme, name: rest };
  return undefined;
}

/** `127.0.0.1:8081`, `[::1]:5000`, `unix:/run/php/php8.2-fpm.sock`, `backend`. */
export function peerLabel(p: Peer): string {
  if (p.kind === 'unix') return `unix:${p.path}`;
  if (p.kind === 'name') return p.name;
  return p.host.includes(':') ? `[${p.host}]:${p.port}` : `${p.host}:${p.port}`;
}

export function targetLabel(t: UpstreamTarget): string {
  if (t.kind === 'unix') return `unix:${normalizeSocketPath(t.path)}`;
  if (t.kind === 'variable') return t.expr;
  return t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}

export function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** The probe result for the peer nginx failed on: same socket path, or same port and host/resolved IP. */
export function findTarget(ev: Evidence, p: Peer | undefined): TargetCheck | undefined {
  if (!p) return undefined;
  return ev.targets.find((tc) => targetMatches(tc, p));
}

function targetMatches(tc: TargetCheck, p: Peer): boolean {
  const t = tc.target;
  if (p.kind === 'unix') return t.kind === 'unix' && normalizeSocketPath(t.path) === p.path;
  if (p.kind === 'name') return t.kind === 'tcp' && (t.group === p.name || t.host === p.name);
  return t.kind === 'tcp' && t.port === p.port && (t.host === p.host || (tc.resolved ?? []).includes(p.host));
}

/** Does a listening address (`127.0.0.1:8080`, `0.0.0.0:8080`, `*:8080`, `[::]:8080`, a path) cover the peer? */
export function listenCovers(listen: string, p: Peer): boolean {
  if (p.kind === 'unix') return normalizeSocketPath(listen) === p.path;
  if (p.kind !== 'tcp') return false;
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(listen);
  if (!m || Number(m[2]) !== p.port) return false;
  const host = m[1] ?? '';
  if (host === '*' || host === '' || host === p.host) return true;
  // 0.0.0.0 takes IPv4 only; [::] usually takes both families (bindv6only=0).
  if (host === '0.0.0.0') return !p.host.includes(':');
  if (host === '::') return true;
  return host === '127.0.0.1' && p.host === 'localhost';
}

const KIND_BY_SCHEME: Record<string, string> = { fastcgi: 'php-fpm', uwsgi: 'uwsgi' };

/**
 * The inventory service that owns a peer: the one listening there, else the one whose settings name
 * it (`listen = /run/php/...`, `bind = 127.0.0.1:8000`), else the only one of the matching kind,
 * else the only service. Undefined when it is ambiguous: restarting a guess is not safe.
 */
export function owningService(ev: Evidence, p: Peer | undefined): ServiceEvidence | undefined {
  if (!p) return undefined;
  const services = ev.services;
  const listening = services.find((s) => s.listening.some((l) => listenCovers(l, p)));
  if (listening) return listening;
  const needle = p.kind === 'unix' ? p.path : p.kind === 'tcp' ? `:${p.port}` : p.name;
  const named = services.find((s) => Object.values(s.settings).some((v) => v.includes(needle)));
  if (named) return named;
  // A service that serves another configured target is not this one's owner; among the rest, the
  // kind must fit the scheme (FastCGI -> php-fpm, uwsgi -> uwsgi, HTTP -> anything but php-fpm).
  const kind = KIND_BY_SCHEME[p.scheme];
  const others = ev.targets.map((t) => t.target).filter((t) => !sameTarget(t, p));
  const free = services.filter(
    (s) =>
      (kind ? s.kind === kind : s.kind !== 'php-fpm') &&
      !s.listening.some((l) => others.some((t) => t.kind !== 'variable' && listenCovers(l, targetPeer(t)))),
  );
  if (free.length === 1) return free[0];
  return services.length === 1 ? services[0] : undefined;
}

function targetPeer(t: Exclude<UpstreamTarget, { kind: 'variable' }>): Peer {
  return t.kind === 'unix'
    ? { kind: 'unix', scheme: t.scheme, path: normalizeSocketPath(t.path) }
    : { kind: 'tcp', scheme: t.scheme, host: t.host, port: t.port };
}

function sameTarget(t: UpstreamTarget, p: Peer): boolean {
  if (t.kind === 'unix') return p.kind === 'unix' && normalizeSocketPath(t.path) === p.path;
  if (t.kind === 'variable') return false;
  return p.kind === 'tcp' && t.port === p.port;
}

/** Hosts nginx may have written for this peer: the IP itself and configured names that resolve to it. */
export function hostAliases(ev: Evidence, p: Peer & { kind: 'tcp' }): string[] {
  const names = ev.targets
    .filter(
      (tc) => tc.target.kind === 'tcp' && tc.target.port === p.port && (tc.resolved ?? []).includes(p.host),
    )
    .map((tc) => (tc.target.kind === 'tcp' ? tc.target.host : ''));
  return [p.host, ...names.filter((n) => n && n !== p.host)];
}

/** Services whose listening addresses do not cover the peer but share its port or kind: the app is elsewhere. */
export function listeningElsewhere(ev: Evidence, p: Peer, owner: ServiceEvidence | undefined): string[] {
  if (p.kind !== 'tcp') return [];
  if (owner?.running !== false && owner && owner.listening.length > 0) {
    if (!owner.listening.some((l) => listenCovers(l, p)))
      return owner.listening.filter((l) => !l.startsWith('/'));
  }
  return ev.services
    .flatMap((s) => s.listening)
    .filter((l) => l.endsWith(`:${p.port}`) && !listenCovers(l, p));
}
