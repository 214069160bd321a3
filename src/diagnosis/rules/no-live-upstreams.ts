import type { ErrorLogEntry } from '../../parse/types.js';
import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action, reloadNginx } from './actions.js';
import { groupsFor, siteRef } from './config.js';
import { groupByPeer, summarize, withSignature } from './log-signals.js';
import { parsePeer } from './peers.js';

/**
 * Catalog C21: every peer of a group is marked failed, so nginx answers 502 without trying. It is a
 * symptom: the per-peer errors before it are the cause (ranked first by diagnose). A group that
 * looks single but resolves to two peers (`localhost` = 127.0.0.1 and ::1) or has a `down`/`backup`
 * line is what makes max_fails apply at all (single-server groups ignore it, catalog section 2).
 * Tengine says `all servers are down!` for the same thing, and its active health check
 * (ngx_http_upstream_check_module) takes peers out with `disable check peer: <addr>`.
 */
export function noLiveUpstreamsRule(ev: Evidence): Finding[] {
  const nolive = withSignature(ev, 'no_live_upstreams');
  const checks = withSignature(ev, 'check_peer_down');
  if (nolive.length === 0) return checks.length > 0 ? [activeCheckFinding(ev, checks)] : [];
  const disabled = [...checks, ...withSignature(ev, 'peer_disabled')];
  const out: Finding[] = [];
  for (const [raw, list] of groupByPeer(nolive)) {
    const p = parsePeer(raw);
    const group = groupsFor(ev, p)[0];
    const name = group?.name ?? (p?.kind === 'name' ? p.name : 'the upstream group');
    const phantom =
      group?.servers.filter((s) => /localhost/.test(s.address) || s.params.includes('down')) ?? [];
    const lines = group
      ? [
          `upstream ${group.name} (${siteRef(group)}): ${group.servers.map((s) => [s.address, ...s.params].join(' ')).join('; ')}`,
        ]
      : [];
    out.push({
      cause: 'no-live-upstreams',
      confidence: 0.7,
      title: `All peers of upstream ${name} are marked failed (${list.length} × no live upstreams): see the errors before it`,
      evidence: [...summarize(ev, [...disabled, ...list]), ...lines],
      remediation: [
        'Fix the per-peer failures that come first in the window (the other findings); this is their symptom.',
        `Once the peers answer, reset the failure state: nginx -t && nginx -s reload`,
        ...(group && group.servers.length === 1 && phantom.length === 0
          ? [
              `upstream ${name} has one server, and a single-server group ignores max_fails: check that it does not resolve to several addresses (getent ahosts ${group.servers[0]?.address.split(':')[0] ?? ''}).`,
            ]
          : []),
        ...(phantom.length > 0
          ? [
              `Remove phantom peers from upstream ${name}: ${phantom.map((s) => s.address).join(', ')} (localhost resolves to 127.0.0.1 and ::1).`,
            ]
          : []),
        `Tolerate transients: server <addr> max_fails=3 fail_timeout=10s; (or max_fails=0 for a single real backend), keep http_404/http_500 out of proxy_next_upstream, add a backup server.`,
      ],
      // Catalog C21: reload = SAFE after confirming peers answer; max_fails changes = GUARDED.
      actions: [
        reloadNginx('Reset peer failure state: nginx -t && nginx -s reload (after the peers answer)'),
        action('tune-max-fails', 'guarded', `Set max_fails=3 fail_timeout=10s in upstream ${name}`),
      ],
    });
  }
  return out;
}

/** Peer address of a Tengine check line: `disable check peer: 127.0.0.1:8081 ` -> `127.0.0.1:8081`. */
function checkedPeer(message: string): string | undefined {
  return /with peer: (\S+)|check peer: (\S+)/
    .exec(message)
    ?.slice(1)
    .find((x) => x !== undefined);
}

/**
 * Tengine's active health check failed peers but no request has hit the empty group in the window
 * (yet): the peers it names are down for nginx, which answers 502 without trying once all are.
 */
function activeCheckFinding(ev: Evidence, checks: ErrorLogEntry[]): Finding {
  const peers = [...new Set(checks.map((e) => checkedPeer(e.message)).filter((p): p is string => !!p))];
  return {
    cause: 'no-live-upstreams',
    confidence: 0.6,
    title: `The upstream health check marked ${peers.length > 0 ? peers.join(', ') : 'peers'} down: nginx sends them no requests`,
    evidence: summarize(ev, checks),
    remediation: [
      `Check each peer directly: ${peers.length > 0 ? peers.map((p) => `curl -sS -m 3 -o /dev/null -w '%{http_code}' http://${p}/`).join('; ') : 'curl each server of the upstream'} and compare with check_http_send / check_http_expect_alive.`,
      'A peer that answers but fails the check: fix the check (expected status, Host header, path) rather than the app.',
      'The check page (check_status) shows which peers are down now.',
    ],
    actions: [action('investigate-peers', 'human', 'Check the peers the health check took out')],
  };
}
