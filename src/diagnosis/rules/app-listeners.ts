import type { Evidence, ListenerEvidence, ServiceEvidence } from '../evidence.js';
import { isLoopback, listenCovers, normalizeSocketPath, type Peer } from './peers.js';

/**
 * App servers the host shows in `ss -lnp` whether or not the inventory names them: a host nobody
 * described still tells where its app listens (issue 9: the app up elsewhere, a restart window).
 */

/** Process names (as ss and the kernel show them) of app servers, by kind. */
const APP_PROCESSES: readonly [string, RegExp][] = [
  ['php-fpm', /^php-fpm/],
  ['gunicorn', /^gunicorn/],
  ['uwsgi', /^uwsgi/],
  ['node', /^(node|nodejs|bun|deno)$/],
  ['puma', /^(puma|ruby|bundle|unicorn)/],
  ['apache', /^(apache2|httpd)$/],
  ['python', /^(python[\d.]*|uvicorn|hypercorn|daphne|waitress-serve)$/],
  ['java', /^java$/],
  ['dotnet', /^dotnet$/],
];

export function appKindOf(process: string): string | undefined {
  return APP_PROCESSES.find(([, re]) => re.test(process))?.[0];
}

/** `unix:/run/php/php8.2-fpm.sock` or `127.0.0.1:8001`: how verdicts name a listening address. */
export function listenLabel(address: string): string {
  return address.startsWith('/') ? `unix:${address}` : address;
}

/** FastCGI is php-fpm's; uwsgi's protocol is uwsgi's; HTTP is anyone's but php-fpm's. */
export function kindFitsScheme(kind: string, scheme: string): boolean {
  if (scheme === 'fastcgi') return kind === 'php-fpm';
  if (scheme === 'uwsgi') return kind === 'uwsgi';
  return kind !== 'php-fpm';
}

/** The peer of a configured target, to ask whether a listener serves it. */
function targetPeers(ev: Evidence): Peer[] {
  const out: Peer[] = [];
  for (const { target: t } of ev.targets) {
    if (t.kind === 'unix') out.push({ kind: 'unix', scheme: t.scheme, path: normalizeSocketPath(t.path) });
    else if (t.kind === 'tcp') out.push({ kind: 'tcp', scheme: t.scheme, host: t.host, port: t.port });
  }
  return out;
}

/**
 * A peer on this host: loopback, or an address some socket of this host is bound to. What listens
 * here says nothing about a remote peer.
 */
export function isLocalPeer(ev: Evidence, p: Peer & { kind: 'tcp' }): boolean {
  if (isLoopback(p.host)) return true;
  return (ev.listeners ?? []).some((l) => /^\[?([^\]]*?)\]?:\d+$/.exec(l.address)?.[1] === p.host);
}

/** The listener now covering this peer (the process that answers there). */
export function listenerFor(ev: Evidence, p: Peer | undefined): ListenerEvidence | undefined {
  if (!p) return undefined;
  return (ev.listeners ?? []).find((l) => !l.processes.includes('nginx') && listenCovers(l.address, p));
}

/**
 * Where the app a refused TCP peer means listens instead, from ss alone: the same port on another
 * address or family (any program but nginx), else the one app server of a kind that fits the scheme
 * that serves no other configured target. Several candidates: none (guessing would mislead).
 */
export function appListenersElsewhere(ev: Evidence, p: Peer & { kind: 'tcp' }): ListenerEvidence[] {
  if (!isLocalPeer(ev, p)) return [];
  const all = (ev.listeners ?? []).filter((l) => !l.processes.includes('nginx'));
  if (all.some((l) => listenCovers(l.address, p))) return [];
  const samePort = all.filter((l) => !l.address.startsWith('/') && l.address.endsWith(`:${p.port}`));
  if (samePort.length > 0) return samePort;
  const others = targetPeers(ev).filter((t) => !(t.kind === 'tcp' && t.host === p.host && t.port === p.port));
  const candidates = all.filter((l) => {
    const kind = l.processes.map(appKindOf).find((k) => k !== undefined);
    return (
      kind !== undefined && kindFitsScheme(kind, p.scheme) && !others.some((t) => listenCovers(l.address, t))
    );
  });
  // One app server may listen on several addresses (`0.0.0.0:8001` and `[::]:8001`): one program.
  const programs = new Set(candidates.map((l) => l.processes.join(',')));
  return programs.size === 1 ? candidates : [];
}

/**
 * The service a verdict speaks of when the inventory names none: the program that listens there
 * now, as ss and ps show it (name, pids, age of its oldest process).
 */
export function discoveredService(l: ListenerEvidence): ServiceEvidence {
  const name = l.processes[0] ?? 'the app';
  return {
    name,
    kind: appKindOf(name) ?? 'unknown',
    running: true,
    pids: l.pids,
    ...(l.ageS !== undefined ? { ageS: l.ageS } : {}),
    listening: [l.address],
    logLines: [],
    settings: {},
  };
}
