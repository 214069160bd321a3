import type { Cause } from '../../parse/causes.js';
import type { TargetCheck } from '../../probes/target-state.js';
import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { logsReadLines } from '../logs-read.js';
import { action } from './actions.js';
import { passesFor } from './config.js';
import { accessFailures } from './fallback.js';
import { groupByPeer, windowLabel, windowUpstreamErrors } from './log-signals.js';
import { findTarget, isLoopback, parsePeer, targetLabel } from './peers.js';

/** What a failing check means now, when no log line says more (catalog C01, C03-C05, C07, C14). */
const LIVE: Partial<Record<TargetCheck['state'], { cause: Cause; confidence: number; what: string }>> = {
  refused: { cause: 'upstream-down', confidence: 0.55, what: 'refuses connections' },
  missing: { cause: 'socket-missing', confidence: 0.55, what: 'does not exist' },
  'not-a-socket': { cause: 'socket-stale', confidence: 0.5, what: 'is not a socket' },
  stale: { cause: 'socket-stale', confidence: 0.5, what: 'exists but nobody listens on it' },
  denied: { cause: 'socket-permission', confidence: 0.5, what: 'may not be opened by the nginx worker' },
  unreachable: { cause: 'network-blocked', confidence: 0.5, what: 'is unreachable' },
};

/**
 * A check that fails now is a finding (issue 18): an upstream nginx dials refuses, times out, is
 * missing or unreachable at this moment, and no error line of the window names it (silent logs,
 * logs not read, rotated away, or no request reached it yet). Ranked below any cause a log line
 * confirms; the verdict is never "no cause". Names that do not resolve are dns-failure.ts's.
 */
export function liveFailureRule(ev: Evidence): Finding[] {
  const logged = new Set<TargetCheck>();
  for (const raw of groupByPeer(windowUpstreamErrors(ev)).keys()) {
    const tc = findTarget(ev, parsePeer(raw));
    if (tc) logged.add(tc);
  }
  const quiet = windowUpstreamErrors(ev).length === 0 && accessFailures(ev) === 0;
  return ev.targets
    .filter((tc) => !logged.has(tc))
    .flatMap((tc) => {
      const live = liveCause(tc);
      if (!live) return [];
      const where = targetLabel(tc.target);
      const group = tc.target.kind === 'tcp' ? tc.target.group : undefined;
      const site = sitesOf(ev, tc);
      return [
        {
          cause: live.cause,
          // With log lines naming another cause, those rank first: this one is what fails besides.
          confidence: quiet ? live.confidence : live.confidence - 0.2,
          title: `${where}${group ? ` (upstream ${group})` : ''} ${live.what} now, though no log line of the last ${windowLabel(ev)} shows a 502 for it`,
          evidence: [tc.detail, ...tc.lines.slice(0, 5), ...site, ...whereElse(ev)],
          remediation: [
            live.fix(where),
            'Any request nginx sends there now fails with 502 (504 on a timeout): fix it before traffic reaches it, or take it out of the config.',
            'Find the 502s: read every error_log and access_log nginx writes (nginx -T | grep -nE "error_log|access_log"), including rotated ones (.1, .gz).',
          ],
          actions: [action('investigate-manually', 'human', `Confirm why ${where} fails now`)],
        },
      ];
    });
}

interface Live {
  cause: Cause;
  confidence: number;
  what: string;
  fix: (where: string) => string;
}

function liveCause(tc: TargetCheck): Live | undefined {
  if (tc.state === 'timeout') {
    const local = tc.target.kind === 'unix' || (tc.target.kind === 'tcp' && isLoopback(tc.target.host));
    return local
      ? {
          cause: 'upstream-not-accepting',
          confidence: 0.45,
          what: 'does not accept connections in time',
          fix: (w) =>
            `Check the process behind ${w}: listen backlog (ss -ltn: Recv-Q), a stuck or stopped process.`,
        }
      : {
          cause: 'network-blocked',
          confidence: 0.45,
          what: 'times out',
          fix: (w) =>
            `Check the path to ${w}: firewall DROP rules (nft list ruleset), routing, the remote host.`,
        };
  }
  const known = LIVE[tc.state];
  if (!known) return undefined;
  const fixes: Partial<Record<Cause, (w: string) => string>> = {
    'upstream-down': (w) =>
      `Start the service that should listen on ${w} (ss -ltnp; systemctl list-units --failed).`,
    'socket-missing': (w) =>
      `Start the service that creates ${w}, or point nginx at the socket it really creates.`,
    'socket-stale': (w) => `Restart the service that owns ${w}: its socket file is left without a listener.`,
    'socket-permission': (w) =>
      `Give the nginx worker user access to ${w} (listen.owner/listen.group/listen.mode).`,
    'network-blocked': (w) => `Check routing and firewalls between nginx and ${w}.`,
  };
  return { ...known, fix: fixes[known.cause] ?? ((w) => `Check ${w}.`) };
}

/** The sites (`server_name`) and locations whose passes dial this target, when the config says. */
function sitesOf(ev: Evidence, tc: TargetCheck): string[] {
  const peer = parsePeer(`${tc.target.scheme}://${targetLabel(tc.target)}`);
  return passesFor(ev, peer)
    .slice(0, 3)
    .map(
      (p) =>
        `used by ${p.directive} ${p.target} at ${p.file}:${p.line} (server ${p.serverNames.join(' ') || '_'}${p.location ? `, location ${p.location}` : ''})`,
    );
}

/** Where the 502s may be when no log showed them (issue 18 item 2). */
function whereElse(ev: Evidence): string[] {
  const lines = logsReadLines(ev).map((l) =>
    l
      .replace(/^logs read: /, 'no log read showed a 502 for it (read: ')
      .replace(/ \((\d+) upstream error lines in the window\)$/, ')'),
  );
  return [
    ...lines,
    'the 502s may be in logs not found or not readable, in logs rotated away, or no request reached it yet in the window',
  ];
}
