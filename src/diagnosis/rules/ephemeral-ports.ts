import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action } from './actions.js';
import { summarize, withSignature } from './log-signals.js';

/**
 * Catalog C22: `connect() to X failed (99: Cannot assign requested address)` (musl: `Address not
 * available`): nginx has no free local port; TIME_WAIT piles up without upstream keepalive.
 */
export function ephemeralPortsRule(ev: Evidence): Finding[] {
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
