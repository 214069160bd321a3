import type { Evidence, ServiceEvidence } from '../evidence.js';
import type { Action, Finding } from '../finding.js';
import { action, restartAction, restartStep, unitName } from './actions.js';
import { discoveredService, listenerFor } from './app-listeners.js';
import { describePass, passesFor } from './config.js';
import { groupByPeer, summarize, withSignature } from './log-signals.js';
import { findTarget, owningService, parsePeer, peerLabel } from './peers.js';
import { restartFit, restartWindowFinding } from './restart-window.js';

/**
 * `connect() to unix:/path failed (2: No such file or directory)` (catalog C03): the pool is down, the
 * path or PHP version does not match the pool's `listen =`, or the socket sits in a PrivateTmp /tmp.
 */
export function socketMissingRule(ev: Evidence): Finding[] {
  const out: Finding[] = [];
  for (const [raw, list] of groupByPeer(withSignature(ev, 'socket_missing'))) {
    const p = parsePeer(raw);
    if (p?.kind !== 'unix') continue;
    const tc = findTarget(ev, p);
    const label = peerLabel(p);
    const evidence = [...summarize(ev, list), ...(tc ? [tc.detail, ...tc.lines] : [])];
    // Another unix socket of the same kind exists: the classic php7.4 -> php8.2 upgrade (C03).
    const others = otherSockets(ev, p.path, p.scheme);
    const owner = owningService(ev, p);
    const svc = owner?.listening.some((l) => l !== p.path && l.startsWith('/')) ? undefined : owner;
    if (tc?.state === 'open') {
      // Whoever answers there now: the inventory's service, else the program ss shows listening.
      const listener = listenerFor(ev, p);
      const who = svc ?? (listener ? discoveredService(listener) : undefined);
      const fit = restartFit(ev, who, list, p);
      if (who && fit.fits) {
        out.push(restartWindowFinding(ev, who, tc, label, list, fit, p));
        continue;
      }
    }
    const pass = passesFor(ev, p)[0];
    const at = pass ? describePass(pass) : `the *_pass for ${label}`;
    const remediation: string[] = [];
    const actions: Action[] = [];
    let why = 'the service that should create it is not running';
    const privateTmp =
      p.path.startsWith('/tmp/') && (svc?.listening.includes(p.path) || svc?.settings.PrivateTmp === 'yes');
    if (privateTmp && svc) {
      why = `${svc.name} creates it in its private /tmp (PrivateTmp=yes), invisible to nginx`;
      remediation.push(
        `Move the socket out of /tmp: RuntimeDirectory=${svc.name} in ${unitName(svc)} and listen on /run/${svc.name}/${p.path.split('/').pop()}, update ${at}, then nginx -t && nginx -s reload`,
      );
      actions.push(action('move-socket-out-of-tmp', 'human', `Move ${p.path} to /run/${svc.name}/`));
    } else if (others[0]) {
      const [real, who] = others[0];
      why = `${who.name} listens on ${real} instead`;
      remediation.push(
        `Point nginx at the real socket: ${pass?.directive ?? 'fastcgi_pass'} unix:${real}; in ${pass ? `${pass.file}:${pass.line}` : 'the site config'} (or set the pool's listen = ${p.path}), then nginx -t && nginx -s reload`,
        'A symlink from the old path is a hack: it breaks again on the next upgrade.',
      );
      actions.push(
        action('point-pass-at-socket', 'guarded', `Change ${label} to unix:${real}, nginx -t, reload`),
      );
    } else if (svc) {
      if (svc.running === false) why = `${unitName(svc)} is not running`;
      remediation.push(restartStep(svc));
      actions.push(restartAction(ev, svc, 'down'));
    } else {
      remediation.push(
        `Find which service should listen on ${p.path}: grep -rhE '^\\s*listen\\s*=' /etc/php/*/fpm/pool.d/ /etc/php-fpm.d/; ss -lxp`,
      );
      actions.push(action('start-upstream', 'human', `Start the service that owns ${p.path}`));
    }
    remediation.push(`Verify: ls -l ${p.path}; ss -lxp | grep '${p.path}'`);
    const confidence = tc?.state === 'open' ? 0.4 : tc?.state === 'missing' ? 0.94 : 0.75;
    const now = tc?.state === 'open' ? ` earlier in the window; it exists now` : '';
    out.push({
      cause: 'socket-missing',
      confidence,
      title: `Socket ${p.path} does not exist: ${why}${now}`,
      evidence: [...evidence, ...(pass ? [describePass(pass)] : [])],
      remediation,
      actions,
    });
  }
  return out;
}

function otherSockets(ev: Evidence, path: string, scheme: string): [string, ServiceEvidence][] {
  const kind = scheme === 'fastcgi' ? 'php-fpm' : scheme === 'uwsgi' ? 'uwsgi' : undefined;
  return ev.services
    .filter((s) => s.running !== false && (!kind || s.kind === kind))
    .flatMap((s) =>
      s.listening
        .filter((l) => l.startsWith('/') && l !== path)
        .map((l): [string, ServiceEvidence] => [l, s]),
    );
}
