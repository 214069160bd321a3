import type { ErrorLogEntry } from '../../parse/types.js';
import type { Evidence } from '../evidence.js';
import type { Action, Finding } from '../finding.js';
import { action } from './actions.js';
import { findDirectives, passesFor, siteRef } from './config.js';
import { groupByPeer, summarize, withSignature } from './log-signals.js';
import { parsePeer, peerLabel } from './peers.js';

type TlsKind = 'plain-port' | 'sni' | 'verify' | 'other';

function kindOf(list: ErrorLogEntry[]): TlsKind {
  const text = list.map((e) => `${e.message} ${e.errtext ?? ''}`).join('\n');
  if (list.some((e) => e.signature === 'tls_wrong_version') || /wrong version number/.test(text))
    return 'plain-port';
  if (list.some((e) => e.signature === 'tls_sni')) return 'sni';
  if (list.some((e) => e.signature === 'tls_verify')) return 'verify';
  return 'other';
}

/**
 * Catalog C17: TLS to the upstream fails. `wrong version number` = https:// to a plain port; alert
 * 40/112 or `unrecognized name` = SNI missing (proxy_ssl_server_name defaults to off); verify errors
 * = trust/depth/name. Handshake stalls (timeout while SSL handshaking) also land here.
 */
export function upstreamTlsRule(ev: Evidence): Finding[] {
  const list = withSignature(ev, 'tls_wrong_version', 'tls_sni', 'tls_other', 'tls_verify', 'timeout_ssl');
  const out: Finding[] = [];
  for (const [raw, group] of groupByPeer(list)) {
    const p = parsePeer(raw);
    const label = p ? peerLabel(p) : 'the upstream';
    const kind = kindOf(group);
    const pass = passesFor(ev, p)[0];
    const at = pass ? ` in ${siteRef(pass)}` : '';
    const sniOn = findDirectives(ev.nginx.config?.tree, 'proxy_ssl_server_name').some(
      (d) => d.args[0] === 'on',
    );
    const stall = group.every((e) => e.signature === 'timeout_ssl');
    const host = pass?.serverNames[0] ?? '<upstream hostname>';
    const steps: Record<TlsKind, string[]> = {
      'plain-port': [
        `${label} speaks plain HTTP: use proxy_pass http://${label}${at} (verify: curl -v http://${label}/), then nginx -t && nginx -s reload`,
      ],
      sni: [
        `The upstream needs SNI: add proxy_ssl_server_name on; proxy_ssl_name <real hostname>;${at}, then nginx -t && nginx -s reload`,
        `Prove it first: openssl s_client -connect ${label} -servername <hostname> -brief </dev/null works, without -servername it fails.`,
      ],
      verify: [
        `Fix trust, not verification: proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt; proxy_ssl_verify_depth 3; proxy_ssl_name <certificate name>;${at}`,
        `Inspect the chain: openssl s_client -connect ${label} -showcerts </dev/null; check the clock (date) for "not yet valid".`,
      ],
      other: [
        `Compare: openssl s_client -connect ${label} -servername ${host} -brief </dev/null; nginx -V 2>&1 | grep -o 'OpenSSL [0-9.]*'`,
        'Align protocols (proxy_ssl_protocols TLSv1.2 TLSv1.3;) or provide a client certificate (proxy_ssl_certificate) for mTLS backends.',
      ],
    };
    const actions: Action[] =
      kind === 'sni' && !sniOn
        ? [
            action(
              'enable-proxy-ssl-sni',
              'guarded',
              'Add proxy_ssl_server_name on + proxy_ssl_name, nginx -t, reload',
            ),
          ]
        : kind === 'plain-port'
          ? [action('fix-upstream-scheme', 'human', `Use http:// for ${label}`)]
          : [action('fix-tls-trust', 'human', `Fix TLS to ${label}`)];
    out.push({
      cause: 'upstream-tls-error',
      // Specific TLS signatures have one candidate; a bare handshake timeout could also be C14.
      confidence: stall ? 0.6 : kind === 'other' ? 0.85 : 0.93,
      title: `TLS to ${label} fails${kind === 'plain-port' ? ': the port speaks plain HTTP' : kind === 'sni' ? `: SNI missing${sniOn ? '' : ' (proxy_ssl_server_name off)'}` : kind === 'verify' ? ': certificate verification fails' : stall ? ': handshake stalls' : ''}`,
      evidence: summarize(ev, group),
      remediation: [...steps[kind], 'Never "fix" it by turning verification off.'],
      // Catalog C17: SNI on when s_client proves it = GUARDED; trust/verification = HUMAN.
      actions,
    });
  }
  return out;
}
