import type { NginxDirective, PassSite, UpstreamGroup } from '../../parse/types.js';
import type { Evidence } from '../evidence.js';
import { hostAliases, listenCovers, normalizeSocketPath, type Peer } from './peers.js';

/** Upstream groups whose `server` lines name the peer (or whose name is the peer, for no live upstreams). */
export function groupsFor(ev: Evidence, p: Peer | undefined): UpstreamGroup[] {
  const groups = ev.nginx.config?.upstreams ?? [];
  if (!p) return [];
  return groups.filter((g) => {
    if (p.kind === 'name') return g.name === p.name;
    return g.servers.some((s) => {
      if (p.kind === 'unix')
        return s.address.startsWith('unix:') && normalizeSocketPath(s.address) === p.path;
      const addr = /:\d+$/.test(s.address) ? s.address : `${s.address}:80`;
      return hostAliases(ev, p).some((host) => listenCovers(addr, { ...p, host }));
    });
  });
}

/** The `*_pass` sites that send traffic to the peer, directly or through a group. */
export function passesFor(ev: Evidence, p: Peer | undefined): PassSite[] {
  const passes = ev.nginx.config?.passes ?? [];
  if (!p) return [];
  const groups = new Set(groupsFor(ev, p).map((g) => g.name));
  return passes.filter((s) => {
    if (s.group && groups.has(s.group)) return true;
    if (p.kind === 'unix') return s.target.includes(p.path);
    if (p.kind === 'name') return s.target.includes(`//${p.name}`);
    return hostAliases(ev, p).some(
      (h) =>
        s.target.includes(`//${h}:${p.port}`) ||
        s.target.includes(`[${h}]:${p.port}`) ||
        s.target === `${h}:${p.port}`,
    );
  });
}

export function siteRef(s: { file: string; line: number }): string {
  return `${s.file}:${s.line}`;
}

/** `proxy_pass http://app_backend; (server app.example.com, /etc/nginx/sites-enabled/app:14)`. */
export function describePass(s: PassSite): string {
  const where = s.location ? ` in location ${s.location}` : '';
  return `${s.directive} ${s.target}${where} (${siteRef(s)})`;
}

/** Directive prefix for a pass (`proxy`, `fastcgi`, `uwsgi`, `grpc`, `scgi`, `memcached`): `${prefix}_read_timeout`. */
export function modulePrefix(s: PassSite | undefined, scheme?: string): string {
  if (s) return s.directive.replace(/_pass$/, '');
  if (scheme === 'fastcgi' || scheme === 'uwsgi' || scheme === 'scgi' || scheme === 'memcached')
    return scheme;
  if (scheme === 'grpc' || scheme === 'grpcs') return 'grpc';
  return 'proxy';
}

/** Every directive with this name anywhere in the tree (depth-first, in file order). */
export function findDirectives(tree: NginxDirective[] | undefined, name: string): NginxDirective[] {
  const out: NginxDirective[] = [];
  const walk = (list: NginxDirective[]): void => {
    for (const d of list) {
      if (d.name === name) out.push(d);
      if (d.block) walk(d.block);
    }
  };
  walk(tree ?? []);
  return out;
}

/** `1.29.7` >= `1.29.7`: compares dotted versions numerically. */
export function versionAtLeast(version: string | undefined, min: string): boolean {
  if (!version) return false;
  const a = (/(\d+(?:\.\d+)*)/.exec(version)?.[1] ?? '').split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < b.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}
