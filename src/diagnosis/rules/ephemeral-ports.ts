import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action, reloadNginx } from './actions.js';
import { describePass, passesFor } from './config.js';
import { groupByPeer, summarize, withSignature } from './log-signals.js';
import { parsePeer, peerLabel } from './peers.js';

/**
 * Catalog C22: `connect() to X failed (99: Cannot assign requested address)` (musl: `Address not
 * available`): nginx has no free local port; TIME_WAIT piles up without upstream keepalive.
 */
export function ephemeralPortsRule(ev: Evidence): Finding[] {
  return [...noIpv6Findings(ev), ...portExhaustion(ev)];
}

function portExhaustion(ev: Evidence): Finding[] {
  const list = withSignature(ev, 'eaddrnotavail');
  if (list.length === 0) return [];
  const r = ev.resources;
  const range = r?.ephemeralRange ? r.ephemeralRange.high - r.ephemeralRange.low + 1 : undefined;
  const tw = r?.timeWait;
  const pressed = tw !== undefined && range !== undefined && tw >= range * 0.5;
  const noKeepalive = (ev.nginx.config?.upstreams ?? []).filter((g) => !g.keepalive);
  return [
    {
      cause: 'ephemeral-ports-exhausted',
      confidence: pressed ? 0.96 : 0.88,
      title: `nginx runs out of local ports for upstream connections${tw !== undefined ? ` (${tw} sockets in TIME_WAIT${range ? ` of ${range} ports` : ''})` : ''}`,
      evidence: [
        ...summarize(ev, list),
        ...(tw !== undefined ? [`TIME_WAIT sockets: ${tw}`] : []),
        ...(r?.ephemeralRange
          ? [`net.ipv4.ip_local_port_range = ${r.ephemeralRange.low} ${r.ephemeralRange.high}`]
          : []),
      ],
      remediation: [
        `Reuse connections: keepalive 64; in ${noKeepalive.length > 0 ? noKeepalive.map((g) => `upstream ${g.name} (${g.file}:${g.line})`).join(', ') : 'the upstream block'} with proxy_http_version 1.1; proxy_set_header Connection ""; (default on nginx >= 1.29.7), then nginx -t && nginx -s reload`,
        'Local backends: use a unix socket instead of 127.0.0.1.',
        'Widen the range: sysctl -w net.ipv4.ip_local_port_range="10240 65535"; net.ipv4.tcp_tw_reuse = 1 (never tcp_tw_recycle).',
      ],
      // Catalog C22: upstream keepalive = GUARDED, sysctl = HUMAN (host-wide).
      actions: [
        action('enable-upstream-keepalive', 'guarded', 'Enable upstream keepalive, nginx -t, reload'),
        action('widen-port-range', 'human', 'Widen net.ipv4.ip_local_port_range / tcp_tw_reuse'),
      ],
    },
  ];
}

/**
 * Catalog C02 (address family): `connect() to [::1]:8081 failed (99: Cannot assign requested
 * address)` (or `(101: Network is unreachable)` when only lo lost IPv6) comes at once, on the first connection, when the host has no IPv6 (no `::1` on lo,
 * `net.ipv6.conf.*.disable_ipv6 = 1`): nginx dials a family the host cannot speak. Usually
 * `localhost` in *_pass, which nginx resolved to 127.0.0.1 and ::1 at load (so the IPv4 retry may
 * still answer and the error hides as `$upstream_status` `502, 200`). Not port exhaustion: that needs
 * thousands of TIME_WAIT sockets towards an IPv4 peer.
 */
function noIpv6Findings(ev: Evidence): Finding[] {
  const out: Finding[] = [];
  for (const [raw, list] of groupByPeer(withSignature(ev, 'ipv6_unavailable'))) {
    const p = parsePeer(raw);
    const label = p ? peerLabel(p) : raw;
    const port = p?.kind === 'tcp' ? p.port : undefined;
    const loopback = p?.kind === 'tcp' && p.host === '::1';
    // `localhost` is the usual way nginx got ::1, even when the probe did not resolve it.
    const passes = [
      ...new Set([
        ...passesFor(ev, p),
        ...(loopback && p?.kind === 'tcp' ? passesFor(ev, { ...p, host: 'localhost' }) : []),
      ]),
    ];
    const ipv4 = loopback ? `127.0.0.1${port ? `:${port}` : ''}` : 'the IPv4 address';
    out.push({
      cause: 'upstream-wrong-address',
      confidence: 0.93,
      title: `nginx dials ${label} over IPv6, which this host does not have (${[...new Set(list.map((e) => `errno ${e.errno}`))].join(', ')}): use ${ipv4}`,
      evidence: [...summarize(ev, list), ...passes.slice(0, 3).map((s) => describePass(s))],
      remediation: [
        `Point nginx at the IPv4 address: ${ipv4} instead of ${loopback ? 'localhost / [::1]' : label}${passes[0] ? ` in ${passes[0].file}:${passes[0].line}` : ''}; with a resolver, add ipv6=off. Then nginx -t && nginx -s reload.`,
        `Check the host: sysctl net.ipv6.conf.all.disable_ipv6 net.ipv6.conf.lo.disable_ipv6; ip -6 addr show dev lo; getent ahosts localhost.`,
        'Or give the host IPv6 back (disable_ipv6 = 0) if it was turned off by mistake, and make the app listen on both families.',
      ],
      // Catalog C02: localhost -> 127.0.0.1 when the app is IPv4-only is GUARDED; other address changes HUMAN.
      actions: [
        action(
          'use-ipv4-upstream',
          loopback ? 'guarded' : 'human',
          `Replace ${label} with ${ipv4} in the nginx config`,
        ),
        reloadNginx(),
      ],
    });
  }
  return out;
}
