import type { ErrorLogEntry } from '../../parse/types.js';
import type { Evidence, ServiceEvidence } from '../evidence.js';
import type { Action, Finding } from '../finding.js';
import { action, oomKilled, restartAction, restartStep, unitName } from './actions.js';
import { addressChanged } from './address-changed.js';
import {
  appListenersElsewhere,
  discoveredService,
  isLocalPeer,
  kindFitsScheme,
  listenerFor,
  listenLabel,
} from './app-listeners.js';
import { describePass, groupsFor, passesFor } from './config.js';
import { groupByPeer, summarize, withSignature } from './log-signals.js';
import {
  findTarget,
  isLoopback,
  listenCovers,
  listeningElsewhere,
  owningService,
  type Peer,
  parsePeer,
  peerLabel,
} from './peers.js';
import { restartFit, restartWindowFinding } from './restart-window.js';
import { staleSocketFinding } from './socket-stale.js';

/**
 * `connect() failed (111: Connection refused)` to a TCP peer (catalog decision sketch, section 7):
 * nothing listens at the target -> C01 upstream-down; the app listens elsewhere (port, interface,
 * family) -> C02 upstream-wrong-address; target answers now and the app just restarted -> C28;
 * target answers now, no restart -> historical, low confidence. Unix sockets go to socket-stale (C04).
 * A remote target behind a REJECT rule is network-blocked's (network.ts); a stale IP is C19's.
 */
export function connectRefusedRule(ev: Evidence): Finding[] {
  const out: Finding[] = [];
  for (const [raw, list] of groupByPeer(withSignature(ev, 'connect_refused'))) {
    const p = parsePeer(raw);
    if (p?.kind === 'unix') {
      out.push(...staleSocketFinding(ev, p, list));
      continue;
    }
    if (p && addressChanged(ev, p)) continue;
    const f = tcpRefused(ev, p, list);
    if (f) out.push(f);
  }
  return out;
}

function tcpRefused(ev: Evidence, p: Peer | undefined, list: ErrorLogEntry[]): Finding | undefined {
  const tc = findTarget(ev, p);
  const svc = owningService(ev, p);
  const label = p ? peerLabel(p) : 'the upstream';
  const group = groupsFor(ev, p)[0]?.name;
  const where = group ? `${label} (upstream ${group})` : label;
  const found = p ? appElsewhere(ev, p, svc) : { at: [], lines: [] };
  const elsewhere = found.at;
  const lines = [...summarize(ev, list), ...(tc?.lines ?? []), ...found.lines];

  // A REJECT --reject-with tcp-reset on the path to a remote peer also yields 111 (C07).
  if (
    p?.kind === 'tcp' &&
    !isLoopback(p.host) &&
    (ev.security?.blockingRules ?? []).some((r) => r.includes(String(p.port)))
  )
    return undefined;

  if (p && elsewhere.length > 0 && tc?.state !== 'open')
    return wrongAddress(
      ev,
      p,
      where,
      elsewhere,
      svc,
      [...lines, ...(tc ? [tc.detail] : [])],
      tc ? 0.9 : 0.75,
      found.who,
    );
  if (tc?.state === 'open') {
    // `localhost` -> two peers; the IPv6 one refuses while IPv4 answers (C02, intermittent 502).
    if (p?.kind === 'tcp' && p.host.includes(':') && elsewhere.length > 0)
      return wrongAddress(ev, p, where, elsewhere, svc, [...lines, tc.detail], 0.85, found.who);
    // Whoever answers there now: the inventory's service, else the program ss shows listening.
    const listener = listenerFor(ev, p);
    const who = svc ?? (listener ? discoveredService(listener) : undefined);
    const fit = restartFit(ev, who, list, p);
    if (who && fit.fits) return restartWindowFinding(ev, who, tc, label, list, fit, p);
    return {
      ...downFinding(ev, where, svc, [...lines, tc.detail], 0.4),
      title: `Connections to ${where} were refused earlier in the window (${list.length} ×); it accepts connections now`,
    };
  }
  if (tc?.state === 'refused') {
    // Direct probe evidence; with the unit confirmed stopped it is as sure as it gets. When an OOM
    // or crash explains why it stopped, those findings carry the why and rank first.
    const explained = oomKilled(ev, svc) || (ev.kernel?.segfaults.length ?? 0) > 0;
    const conf = explained ? 0.85 : svc?.running === false ? 0.95 : 0.9;
    return downFinding(ev, where, svc, [...lines, tc.detail], conf);
  }
  // Only the log signature: 111 has several candidates (catalog 3), none confirmed.
  return downFinding(ev, where, svc, lines, 0.6);
}

function downFinding(
  ev: Evidence,
  where: string,
  svc: ServiceEvidence | undefined,
  evidence: string[],
  confidence: number,
): Finding {
  const state =
    svc?.running === false
      ? `${unitName(svc)} is not running`
      : svc?.running
        ? `${svc.name} runs but does not listen there`
        : 'the app is down';
  const actions: Action[] = [];
  const remediation: string[] = [];
  if (svc) {
    if (oomKilled(ev, svc))
      remediation.push(
        `Do not just restart ${unitName(svc)}: it was OOM-killed (see the upstream-oom-killed finding).`,
      );
    remediation.push(restartStep(svc));
    actions.push(restartAction(ev, svc, 'down'));
  } else {
    remediation.push(
      `Find the service that should listen on ${where} (ss -ltnp; systemctl list-units --failed) and start it.`,
    );
    actions.push(action('start-upstream', 'human', `Start the service behind ${where}`));
  }
  const unit = svc ? unitName(svc) : '<unit>';
  remediation.push(
    `Find why it stopped: journalctl -u ${unit} --since "-2h" --no-pager | tail -200 (crash, OOM, failed deploy, port conflict).`,
    `Keep it supervised: Restart=on-failure in ${unit} (restart: unless-stopped in compose).`,
  );
  return {
    cause: 'upstream-down',
    confidence,
    title: `Nothing listens on ${where}: ${state}`,
    evidence,
    remediation,
    actions,
  };
}

/**
 * Where the app listens instead of the peer: the inventory's services first; a php-fpm pool (or
 * uwsgi) on its unix socket while nginx dials TCP; else what ss shows of app servers on the host.
 */
function appElsewhere(
  ev: Evidence,
  p: Peer,
  svc: ServiceEvidence | undefined,
): { at: string[]; who?: string; lines: string[] } {
  const linesOf = (addrs: string[]) =>
    (ev.listeners ?? []).filter((l) => addrs.includes(l.address)).map((l) => l.line);
  const known = listeningElsewhere(ev, p, svc);
  if (known.length > 0) return { at: known, lines: linesOf(known) };
  if (p.kind !== 'tcp') return { at: [], lines: [] };
  if (svc && svc.running !== false && kindFitsScheme(svc.kind, p.scheme) && isLocalPeer(ev, p)) {
    const unix = svc.listening.filter((l) => l.startsWith('/'));
    if (unix.length > 0 && !svc.listening.some((l) => listenCovers(l, p)))
      return { at: unix.map(listenLabel), lines: linesOf(unix) };
  }
  const found = appListenersElsewhere(ev, p);
  return {
    at: found.map((l) => listenLabel(l.address)),
    who: found[0]?.processes[0],
    lines: found.map((l) => l.line),
  };
}

export function wrongAddress(
  ev: Evidence,
  p: Peer,
  where: string,
  elsewhere: string[],
  svc: ServiceEvidence | undefined,
  evidence: string[],
  confidence: number,
  /** The program ss shows listening elsewhere, when the inventory's service is not it. */
  who?: string,
): Finding {
  const pass = passesFor(ev, p)[0];
  const at = pass ? describePass(pass) : `the *_pass / upstream server for ${peerLabel(p)}`;
  const name = who ?? svc?.name;
  const app = name
    ? `${name} listens on ${elsewhere.join(', ')}`
    : `something listens on ${elsewhere.join(', ')}`;
  const v6 = p.kind === 'tcp' && p.host.includes(':');
  const ipv4Only = v6 && elsewhere.some((l) => l.startsWith('127.0.0.1:') || l.startsWith('0.0.0.0:'));
  const remediation = [
    `Make nginx and the app agree: ${at} dials ${peerLabel(p)} but ${app}.`,
    ipv4Only
      ? `Use the IPv4 address explicitly: proxy_pass http://127.0.0.1:${p.kind === 'tcp' ? p.port : ''}; instead of localhost (or make the app listen on [::]), then nginx -t && nginx -s reload`
      : `Either change the address in ${pass ? pass.file : 'the nginx config'} to the one the app listens on, or bind the app to ${peerLabel(p)}; then nginx -t && nginx -s reload`,
    'Check what changed: ls -l --time-style=full-iso /etc/nginx/conf.d/ /etc/nginx/sites-enabled/ and the app config (bind =, listen =, PORT).',
  ];
  return {
    cause: 'upstream-wrong-address',
    confidence,
    title: `nginx dials ${where} where nothing listens, while ${app}`,
    evidence: [...evidence, ...(pass ? [describePass(pass)] : [])],
    remediation,
    // Catalog C02: localhost -> 127.0.0.1 is GUARDED when ss proves an IPv4-only bind; any other address change is HUMAN.
    actions: [
      ipv4Only
        ? action(
            'use-ipv4-loopback',
            'guarded',
            'Replace localhost with 127.0.0.1 in proxy_pass, nginx -t, reload',
          )
        : action('fix-upstream-address', 'human', 'Decide the right address and fix nginx or the app'),
    ],
  };
}
