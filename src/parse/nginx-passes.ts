import type {
  NginxDirective,
  PassDirective,
  PassSite,
  UpstreamGroup,
  UpstreamServer,
  UpstreamTarget,
} from './types.js';
import { parseNginxSize, parseNginxTimeS } from './units.js';

/**
 * `*_pass` sites with the settings in effect where they are, and the concrete endpoints nginx
 * dials for them. Inheritance follows the `merge_loc_conf` handlers of the proxy/fastcgi/uwsgi/
 * grpc/scgi modules: a directive in an inner block (location, nested location, `if`,
 * `limit_except`) replaces the one inherited from server and http.
 */

const PASS_DIRECTIVES: ReadonlySet<string> = new Set<PassDirective>([
  'proxy_pass',
  'fastcgi_pass',
  'uwsgi_pass',
  'grpc_pass',
  'scgi_pass',
  'memcached_pass',
]);
/** `*_connect_timeout`/`*_send_timeout`/`*_read_timeout` default (catalog section 2). */
const DEFAULT_TIMEOUT_S = 60;
/** Ports `ngx_parse_url()` assumes for a literal `*_pass` (ngx_http_proxy_pass, ngx_http_grpc_pass). */
const LITERAL_DEFAULT_PORT: Record<string, number> = { http: 80, https: 443, grpc: 80, grpcs: 443 };
/** `ngx_http_upstream_server()` sets `u.default_port = 80` for every `server` of an upstream{}. */
const UPSTREAM_SERVER_DEFAULT_PORT = 80;

/** Blocks in scope, outermost first. */
type Chain = readonly (readonly NginxDirective[])[];

function lookup(chain: Chain, name: string): NginxDirective | undefined {
  for (let i = chain.length - 1; i >= 0; i--) {
    const block = chain[i] ?? [];
    for (let j = block.length - 1; j >= 0; j--) {
      const d = block[j];
      if (d?.name === name) return d;
    }
  }
  return undefined;
}

function timeoutS(chain: Chain, name: string): number {
  const arg = lookup(chain, name)?.args[0];
  return (arg === undefined ? undefined : parseNginxTimeS(arg)) ?? DEFAULT_TIMEOUT_S;
}

export function upstreamGroups(http: readonly NginxDirective[]): UpstreamGroup[] {
  const groups: UpstreamGroup[] = [];
  for (const d of http) {
    if (d.name !== 'upstream' || !d.block) continue;
    const block = d.block;
    const g: UpstreamGroup = {
      name: d.args[0] ?? '',
      servers: block
        .filter((s) => s.name === 'server' && s.args[0] !== undefined)
        .map((s) => ({ address: s.args[0] ?? '', params: s.args.slice(1) })),
      file: d.file,
      line: d.line,
    };
    const keepalive = block.find((s) => s.name === 'keepalive')?.args[0];
    if (keepalive !== undefined && /^\d+$/.test(keepalive)) g.keepalive = Number(keepalive);
    const kt = block.find((s) => s.name === 'keepalive_timeout')?.args[0];
    const ktS = kt === undefined ? undefined : parseNginxTimeS(kt);
    if (ktS !== undefined) g.keepaliveTimeoutS = ktS;
    const zone = block.find((s) => s.name === 'zone')?.args[0];
    if (zone !== undefined) g.zone = zone;
    groups.push(g);
  }
  return groups;
}

interface SplitTarget {
  scheme: string;
  /** The target without its scheme: `backend/api`, `unix:/tmp/app.sock:/`, `127.0.0.1:9000`. */
  rest: string;
}

function splitScheme(directive: string, target: string): SplitTarget {
  // `unix:///tmp/uwsgi.sock` is a socket path, not a `unix` scheme.
  const m = target.startsWith('unix:') ? null : /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(target);
  const given = m?.[1]?.toLowerCase();
  const rest = m ? target.slice(m[0].length) : target;
  switch (directive) {
    case 'proxy_pass':
      return { scheme: given ?? 'http', rest };
    case 'grpc_pass':
      return { scheme: given ?? 'grpc', rest };
    case 'uwsgi_pass':
      return { scheme: given ?? 'uwsgi', rest };
    case 'fastcgi_pass':
      return { scheme: 'fastcgi', rest };
    case 'memcached_pass':
      return { scheme: 'memcached', rest };
    default:
      return { scheme: 'scgi', rest };
  }
}

type Endpoint = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port?: number };

/** `unix:/path[:uri]`, `[v6]:port/uri`, `host:port/uri`, `host/uri` (nginx `ngx_parse_url()`). */
export function parseEndpoint(rest: string): Endpoint | undefined {
  if (rest.startsWith('unix:')) {
    const body = rest.slice(5);
    const colon = body.indexOf(':');
    const path = colon < 0 ? body : body.slice(0, colon);
    return path === '' ? undefined : { kind: 'unix', path: path.replace(/\/{2,}/g, '/') };
  }
  const end = rest.search(/[/?]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(authority);
  if (v6?.[1] !== undefined) {
    return v6[2] === undefined
      ? { kind: 'tcp', host: v6[1] }
      : { kind: 'tcp', host: v6[1], port: Number(v6[2]) };
  }
  const hp = /^([^:]+)(?::(\d+))?$/.exec(authority);
  if (hp?.[1] === undefined) return undefined;
  return hp[2] === undefined
    ? { kind: 'tcp', host: hp[1] }
    : { kind: 'tcp', host: hp[1], port: Number(hp[2]) };
}

/** Stands for a value known only at run time (a capture, a header, a variable no literal `set` gives). */
const UNKNOWN = '\u0000';

/** What a URI variable puts in the target: its leading character (enough to end the authority). */
const URI_VAR_START: Record<string, string> = {
  request_uri: '/',
  uri: '/',
  document_uri: '/',
  is_args: '?',
  args: '',
  query_string: '',
};

/** The innermost literal `set $name value;` in scope (a value with no variable of its own). */
function literalSet(chain: Chain, name: string): string | undefined {
  for (let i = chain.length - 1; i >= 0; i--) {
    const block = chain[i] ?? [];
    for (let j = block.length - 1; j >= 0; j--) {
      const d = block[j];
      if (
        d?.name === 'set' &&
        d.args[0] === `$${name}` &&
        d.args[1] !== undefined &&
        !d.args[1].includes('$')
      ) {
        return d.args[1];
      }
    }
  }
  return undefined;
}

/**
 * Replaces `$name`/`${name}` with literal `set` values in scope, URI variables (`$request_uri`,
 * `$args`, ...) with their leading character, and anything else (`$1`, named captures, headers) with
 * a marker. The result names a concrete target when no marker is left in its scheme or host part:
 * `$forward_scheme://$server:$port$request_uri` (Nginx Proxy Manager) with the three set literally
 * gives `http://10.0.0.5:8080/`; `http://$server:8080/$1` gives `http://10.0.0.5:8080/\0`.
 */
function substituteSet(target: string, chain: Chain): string | undefined {
  const out = target.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*)|\d)/g,
    (_all, braced?: string, bare?: string) => {
      const name = braced ?? bare;
      if (name === undefined) return UNKNOWN;
      return literalSet(chain, name) ?? URI_VAR_START[name] ?? UNKNOWN;
    },
  );
  if (!out.includes(UNKNOWN)) return out;
  const schemeEnd = out.indexOf('://');
  const afterScheme = out.startsWith('unix:') || schemeEnd < 0 ? 0 : schemeEnd + 3;
  if (out.slice(0, afterScheme).includes(UNKNOWN)) return undefined;
  const rest = out.slice(afterScheme);
  const end = rest.startsWith('unix:') ? rest.indexOf(':', 5) : rest.search(/[/?]/);
  const host = end < 0 ? rest : rest.slice(0, end);
  return host.includes(UNKNOWN) ? undefined : out;
}

interface SiteContext {
  serverNames: string[];
  listen: string[];
  location?: string;
}

function passSite(
  d: NginxDirective,
  chain: Chain,
  ctx: SiteContext,
  groupNames: ReadonlyMap<string, string>,
): PassSite {
  const directive = d.name as PassDirective;
  const prefix = directive.slice(0, -'_pass'.length);
  const target = d.args[0] ?? '';
  const { scheme, rest } = splitScheme(directive, target);
  const site: PassSite = {
    directive,
    target,
    scheme,
    serverNames: ctx.serverNames,
    listen: ctx.listen,
    file: d.file,
    line: d.line,
    connectTimeoutS: timeoutS(chain, `${prefix}_connect_timeout`),
    sendTimeoutS: timeoutS(chain, `${prefix}_send_timeout`),
    readTimeoutS: timeoutS(chain, `${prefix}_read_timeout`),
    resolvers: (lookup(chain, 'resolver')?.args ?? []).filter((a) => !a.includes('=')),
  };
  if (ctx.location !== undefined) site.location = ctx.location;
  const buffer = lookup(chain, `${prefix}_buffer_size`)?.args[0];
  const bytes = buffer === undefined ? undefined : parseNginxSize(buffer);
  if (bytes !== undefined) site.bufferSizeBytes = bytes;
  const literal = literalAuthority(rest);
  const ep = literal === undefined ? undefined : parseEndpoint(literal);
  // nginx matches upstream{} names case-insensitively (ngx_http_upstream_add); report the declared name.
  const group =
    ep?.kind === 'tcp' && ep.port === undefined ? groupNames.get(ep.host.toLowerCase()) : undefined;
  if (group !== undefined) site.group = group;
  return site;
}

export interface PassWalk {
  sites: PassSite[];
  /** Scope chain of each site (same index), for `set` lookups when building targets. */
  chains: Chain[];
}

/** Every `*_pass` under the http blocks' servers, with its effective settings. */
export function collectPassSites(httpBlocks: readonly NginxDirective[][], groups: UpstreamGroup[]): PassWalk {
  const groupNames = new Map(groups.map((g) => [g.name.toLowerCase(), g.name]));
  const walk: PassWalk = { sites: [], chains: [] };
  const visit = (block: readonly NginxDirective[], chain: Chain, ctx: SiteContext): void => {
    for (const d of block) {
      if (PASS_DIRECTIVES.has(d.name)) {
        walk.sites.push(passSite(d, chain, ctx, groupNames));
        walk.chains.push(chain);
      } else if (d.block && (d.name === 'location' || d.name === 'if' || d.name === 'limit_except')) {
        const location = d.name === 'location' ? d.args.join(' ') : ctx.location;
        visit(d.block, [...chain, d.block], location === undefined ? { ...ctx } : { ...ctx, location });
      }
    }
  };
  for (const http of httpBlocks) {
    for (const server of http) {
      if (server.name !== 'server' || !server.block) continue;
      const ctx: SiteContext = {
        serverNames: server.block.filter((d) => d.name === 'server_name').flatMap((d) => d.args),
        listen: server.block.filter((d) => d.name === 'listen').map((d) => d.args[0] ?? ''),
      };
      visit(server.block, [http, server.block], ctx);
    }
  }
  return walk;
}

/** Collects targets, merging the `via` of endpoints reached from several sites. */
class TargetSet {
  private readonly byKey = new Map<string, UpstreamTarget>();

  add(t: UpstreamTarget): void {
    const key =
      t.kind === 'tcp'
        ? `tcp|${t.scheme}|${t.host.toLowerCase()}|${t.port}`
        : t.kind === 'unix'
          ? `unix|${t.scheme}|${t.path.replace(/\/{2,}/g, '/')}`
          : `var|${t.scheme}|${t.expr}`;
    const seen = this.byKey.get(key);
    if (!seen) {
      this.byKey.set(key, t);
      return;
    }
    for (const v of t.via) if (!seen.via.includes(v)) seen.via.push(v);
    if (
      seen.kind !== 'variable' &&
      t.kind !== 'variable' &&
      seen.group === undefined &&
      t.group !== undefined
    ) {
      seen.group = t.group;
    }
  }

  values(): UpstreamTarget[] {
    return [...this.byKey.values()];
  }
}

function serverTarget(
  s: UpstreamServer,
  scheme: string,
  group: string,
  via: string,
): UpstreamTarget | undefined {
  const ep = parseEndpoint(s.address);
  if (!ep) return undefined;
  if (ep.kind === 'unix') return { kind: 'unix', path: ep.path, scheme, group, via: [via] };
  return {
    kind: 'tcp',
    host: ep.host,
    port: ep.port ?? UPSTREAM_SERVER_DEFAULT_PORT,
    scheme,
    group,
    via: [via],
  };
}

export function endpointTargets(
  rest: string,
  scheme: string,
  via: string,
  groups: ReadonlyMap<string, UpstreamGroup>,
): UpstreamTarget[] {
  const ep = parseEndpoint(rest);
  if (!ep) return [];
  if (ep.kind === 'unix') return [{ kind: 'unix', path: ep.path, scheme, via: [via] }];
  const group = ep.port === undefined ? groups.get(ep.host.toLowerCase()) : undefined;
  if (group) {
    return group.servers
      .filter((s) => !s.params.includes('down'))
      .flatMap((s) => serverTarget(s, scheme, group.name, via) ?? []);
  }
  const port = ep.port ?? LITERAL_DEFAULT_PORT[scheme];
  // fastcgi/uwsgi/scgi need an explicit port or a group: nginx refuses "no port in upstream".
  return port === undefined ? [] : [{ kind: 'tcp', host: ep.host, port, scheme, via: [via] }];
}

/** Variables that always expand to a URI part (`/...`, `?...` or empty), never to a host. */
const URI_VARS = new Set(['request_uri', 'uri', 'document_uri', 'is_args', 'args', 'query_string']);

/**
 * `backend$request_uri` -> `backend`: the authority when every variable comes after it and is a
 * URI variable; `undefined` when a variable can change the host (`$upstream`, `http://$host:8080`).
 */
function literalAuthority(rest: string): string | undefined {
  if (rest.startsWith('unix:')) return rest.includes('$') ? undefined : rest;
  const end = rest.search(/[/?$]/);
  if (end < 0) return rest;
  if (end === 0) return undefined;
  const authority = rest.slice(0, end);
  // After a `/` or `?` every variable is in the URI: it cannot change the host nginx dials.
  if (rest[end] !== '$') return authority;
  // Right after the host only a URI variable (it starts with `/` or `?`) leaves the host as written.
  const first = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)/.exec(rest.slice(end))?.[1];
  return first !== undefined && URI_VARS.has(first) ? authority : undefined;
}

/** Values a `map ... $name { key value; }` at http level can give `$name`. */
function mapValues(http: readonly NginxDirective[], name: string): string[] {
  return http
    .filter((d) => d.name === 'map' && d.args[1] === `$${name}` && d.block)
    .flatMap((d) => (d.block ?? []).flatMap((e) => (e.args[0] === undefined ? [] : [e.args[0]])));
}

/** Variable names in the scheme and host part of a target (`$pool` in `http://$pool/api`). */
function hostVariables(target: string): string[] {
  const schemeEnd = target.indexOf('://');
  const rest = schemeEnd < 0 ? target : target.slice(schemeEnd + 3);
  const end = rest.search(/[/?]/);
  const head = target.slice(0, (schemeEnd < 0 ? 0 : schemeEnd + 3) + (end < 0 ? rest.length : end));
  return [...head.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].flatMap((m) => (m[1] ? [m[1]] : []));
}

/**
 * The deduplicated endpoints to probe. A pass naming an upstream{} yields its servers (`down`
 * ones are never dialled); a variable in the host part yields a `variable` target, plus the
 * concrete endpoint when every variable there is a literal `set` in scope. Upstream groups no
 * literal pass names are added when some pass uses a variable (it may route to them at run time),
 * in the scheme of the pass that can reach them: the one whose `map` names the group, else that of
 * the passes whose host is not known before run time (`fastcgi_pass $pool` reaches a group as FastCGI).
 */
export function passTargets(walk: PassWalk, groups: UpstreamGroup[]): UpstreamTarget[] {
  const byName = new Map(groups.map((g) => [g.name.toLowerCase(), g]));
  const set = new TargetSet();
  const used = new Set<string>();
  /** group (lower case) -> schemes of the passes whose `map` names it. */
  const mapped = new Map<string, Set<string>>();
  const unresolved = new Set<string>();
  const variableSchemes = new Set<string>();
  walk.sites.forEach((site, i) => {
    const via = `${site.file}:${site.line} ${site.directive} ${site.target}`;
    const { rest } = splitScheme(site.directive, site.target);
    if (site.group !== undefined) used.add(site.group.toLowerCase());
    if (!rest.includes('$')) {
      for (const t of endpointTargets(rest, site.scheme, via, byName)) set.add(t);
      return;
    }
    const literal = literalAuthority(rest);
    if (literal !== undefined) {
      // Only the URI is variable: nginx still dials the literal host (resolving it at run time).
      for (const t of endpointTargets(literal, site.scheme, via, byName)) set.add(t);
      return;
    }
    const chain = walk.chains[i] ?? [];
    const substituted = substituteSet(site.target, chain);
    variableSchemes.add(site.scheme);
    set.add({ kind: 'variable', expr: site.target, scheme: site.scheme, via: [via] });
    if (substituted === undefined) {
      unresolved.add(site.scheme);
      for (const name of hostVariables(site.target)) {
        for (const value of mapValues(chain[0] ?? [], name)) {
          const host =
            value
              .replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//, '')
              .split(/[/?:]/)[0]
              ?.toLowerCase() ?? '';
          if (!byName.has(host)) continue;
          const schemes = mapped.get(host) ?? new Set<string>();
          schemes.add(site.scheme);
          mapped.set(host, schemes);
        }
      }
      return;
    }
    const resolved = splitScheme(site.directive, substituted);
    const ep = parseEndpoint(resolved.rest);
    if (ep?.kind === 'tcp' && ep.port === undefined) used.add(ep.host.toLowerCase());
    const shown = substituted.replaceAll(UNKNOWN, '…');
    for (const t of endpointTargets(resolved.rest, resolved.scheme, `${via} (= ${shown})`, byName)) {
      set.add(t);
    }
  });
  if (variableSchemes.size > 0) {
    for (const g of groups) {
      const key = g.name.toLowerCase();
      if (used.has(key)) continue;
      const schemes = mapped.get(key) ?? (unresolved.size > 0 ? unresolved : variableSchemes);
      const via = `${g.file}:${g.line} upstream ${g.name} (no literal *_pass names it)`;
      for (const scheme of schemes) {
        for (const s of g.servers) {
          if (s.params.includes('down')) continue;
          const t = serverTarget(s, scheme, g.name, via);
          if (t) set.add(t);
        }
      }
    }
  }
  return set.values();
}
