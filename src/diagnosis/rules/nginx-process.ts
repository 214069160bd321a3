import type { ErrorLogEntry } from '../../parse/types.js';
import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action, reloadNginx } from './actions.js';
import { summarize, withSignature } from './log-signals.js';

/**
 * nginx itself not running or not listening: the 502 the user sees comes from a balancer in front of
 * it. `running === undefined` is "could not check" and says nothing.
 */
export function nginxDownRule(ev: Evidence): Finding[] {
  const n = ev.nginx;
  const notRunning = n.running === false;
  const deaf = n.running === true && n.listening.length === 0 && ev.unavailable.sockets === undefined;
  if (!notRunning && !deaf) return [];
  const testFails = n.configTestOk === false;
  return [
    {
      cause: 'nginx-down',
      confidence: notRunning ? 0.95 : 0.75,
      title: notRunning
        ? `nginx is not running on ${ev.host}${testFails ? ' and its config does not pass nginx -t' : ''}`
        : `nginx runs on ${ev.host} but listens on no TCP port`,
      evidence: [
        notRunning
          ? 'no nginx master process'
          : `nginx master pid ${n.masterPid ?? '?'}; ss -ltnp shows no nginx listener`,
        ...n.configTestOutput.slice(0, 5),
      ],
      remediation: [
        ...(testFails ? ['Fix the config first (see nginx-config-invalid): nginx -t'] : []),
        notRunning
          ? 'Start it: nginx -t && systemctl start nginx; then systemctl status nginx --no-pager -l'
          : 'Check the listen directives and the error log: nginx -T | grep -n listen; journalctl -u nginx --since "-1h"',
        'Find why it stopped: journalctl -u nginx --since "-2h" --no-pager | tail -100',
      ],
      // Starting a stopped nginx whose config tests fine is the SAFE counterpart of restarting an app (section 8).
      actions: [
        notRunning && !testFails
          ? action('start-nginx', 'safe', 'nginx -t && systemctl start nginx')
          : action('start-nginx', 'human', 'Start nginx after fixing it'),
      ],
    },
  ];
}

/**
 * Seed cause 3: `nginx -t` fails, so the running config cannot be reloaded and a restart would take
 * the site down; `host not found in upstream` also means DNS (C18, dns-failure.ts). A reload that
 * failed logs its `[emerg] ... in <file>:<line>` to the error log while the old config keeps
 * serving: with `nginx -t` failing too that is the same finding, quoted from the log; with `nginx -t`
 * passing now (or not run) the running config may still be the old one, a weaker finding.
 */
export function nginxConfigInvalidRule(ev: Evidence): Finding[] {
  const n = ev.nginx;
  const reloadErrors = withSignature(ev, 'config_error');
  if (n.configTestOk === false) return [testFailsFinding(ev, reloadErrors)];
  if (reloadErrors.length === 0) return [];
  return [reloadFailedFinding(ev, reloadErrors)];
}

function testFailsFinding(ev: Evidence, reloadErrors: ErrorLogEntry[]): Finding {
  const n = ev.nginx;
  const emerg = n.configTestOutput.filter((l) => /\[(emerg|alert|crit)\]|failed/.test(l));
  const loadErrors = withSignature(ev, 'dns_config_load').map((e) => e.raw);
  const first = emerg[0] ?? n.configTestOutput[0] ?? 'nginx -t failed';
  const where = /in (\/\S+:\d+)/.exec(first)?.[1];
  const reloads = reloadErrors.length > 0 ? summarize(ev, reloadErrors, 3) : [];
  return {
    cause: 'nginx-config-invalid',
    // A reload that failed in the window proves the running config is the old one: as strong as
    // nginx being down, and it outranks what the old config's errors look like (refused on the old port).
    confidence: n.running === false || reloadErrors.length > 0 ? 0.9 : 0.8,
    title: `nginx -t fails${where ? ` at ${where}` : ''}: the config on disk cannot be loaded${n.running ? ` (the running nginx still uses the old one${reloadErrors.length > 0 ? `; ${reloadErrors.length === 1 ? 'a reload' : `${reloadErrors.length} reloads`} failed in the window` : ''})` : ''}`,
    evidence: [
      ...(emerg.length > 0 ? emerg : n.configTestOutput).slice(0, 5),
      ...loadErrors.slice(0, 3),
      ...reloads,
    ],
    remediation: [
      `Fix the error${where ? ` in ${where}` : ''} and re-run nginx -t until it passes; do not restart nginx before that.`,
      'Find the change: ls -lt --time-style=full-iso /etc/nginx/conf.d/ /etc/nginx/sites-enabled/ | head; git -C /etc/nginx log -1 -p (if versioned).',
      'Then nginx -s reload.',
    ],
    actions: [action('fix-nginx-config', 'human', 'Fix the config until nginx -t passes')],
  };
}

function reloadFailedFinding(ev: Evidence, reloadErrors: ErrorLogEntry[]): Finding {
  const last = reloadErrors[reloadErrors.length - 1];
  const where = / in (\/\S+:\d+)$/.exec(last?.message ?? '')?.[1];
  const testOk = ev.nginx.configTestOk === true;
  return {
    cause: 'nginx-config-invalid',
    confidence: testOk ? 0.55 : 0.7,
    title: `A reload failed at ${last?.timestamp ?? 'some point in the window'}${where ? ` (${where})` : ''}: nginx kept the config it had before${testOk ? '; nginx -t passes now, so the running config may differ from the one on disk' : ''}`,
    evidence: summarize(ev, reloadErrors, 3),
    remediation: testOk
      ? [
          'The file was fixed after the failed reload, but nothing says nginx has loaded it: nginx -t && nginx -s reload, then check the error log for a new [emerg].',
        ]
      : [
          `Fix the error${where ? ` in ${where}` : ''}, run nginx -t until it passes, then nginx -s reload.`,
          'Find the change: ls -lt --time-style=full-iso /etc/nginx/conf.d/ /etc/nginx/sites-enabled/ | head.',
        ],
    actions: testOk
      ? [reloadNginx('Load the fixed config: nginx -t && nginx -s reload')]
      : [action('fix-nginx-config', 'human', 'Fix the config until nginx -t passes')],
  };
}
