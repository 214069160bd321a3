import { endpointTargets, upstreamGroups } from './nginx-passes.js';
import type { NginxDirective, UpstreamTarget } from './types.js';

/**
 * `proxy_pass` of every `server` in the `stream {}` blocks (ngx_stream_proxy_module): a group of the
 * same stream block or `host:port` (no default port), `tcp` or `udp` by the server's `listen`. These
 * are context for the reader ("people ask"): a TCP/UDP proxy cannot return an HTTP 502.
 */
export function streamTargets(streamBlocks: readonly NginxDirective[][]): UpstreamTarget[] {
  const out = new Map<string, UpstreamTarget>();
  for (const stream of streamBlocks) {
    const groups = new Map(upstreamGroups(stream).map((g) => [g.name.toLowerCase(), g]));
    for (const server of stream) {
      if (server.name !== 'server' || !server.block) continue;
      const udp = server.block.some((d) => d.name === 'listen' && d.args.includes('udp'));
      for (const d of server.block) {
        const target = d.args[0];
        if (d.name !== 'proxy_pass' || target === undefined) continue;
        const via = `${d.file}:${d.line} stream proxy_pass ${target}`;
        const found = target.includes('$')
          ? [{ kind: 'variable' as const, expr: target, scheme: udp ? 'udp' : 'tcp', via: [via] }]
          : endpointTargets(target, udp ? 'udp' : 'tcp', via, groups);
        for (const t of found) {
          const key =
            t.kind === 'tcp' ? `${t.scheme}|${t.host}|${t.port}` : t.kind === 'unix' ? t.path : t.expr;
          if (!out.has(key)) out.set(key, t);
        }
      }
    }
  }
  return [...out.values()];
}
