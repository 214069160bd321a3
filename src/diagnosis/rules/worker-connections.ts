import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action } from './actions.js';
import { plural, summarize, withSignature } from './log-signals.js';

/**
 * Catalog C24: `N worker_connections are not enough` -> nginx answers **500**, not 502 (section 2:
 * `ngx_event_connect_peer()` returned NGX_ERROR). Each proxied request holds two slots, so a slow
 * upstream fills them; the access log's 500 count is the client-visible damage.
 */
export function workerConnectionsRule(ev: Evidence): Finding[] {
  const list = withSignature(ev, 'worker_conns');
  if (list.length === 0) return [];
  const cfg = ev.nginx.config;
  const logged = /(\d+) worker_connections/.exec(list.at(-1)?.message ?? '')?.[1];
  // The logged number is what the running nginx had; the file on disk may already differ.
  const wc = logged ? Number(logged) : (cfg?.workerConnections ?? 512);
  const next = Math.max(4096, wc * 4);
  const fivehundreds = ev.accessLog?.byStatus['500'];
  const slow = withSignature(ev, 'timeout_read_header').length;
  return [
    {
      cause: 'worker-connections-exhausted',
      confidence: 0.95,
      title: `nginx ran out of worker_connections (${wc} per worker): ${plural(list.length, 'request')} answered with 500${fivehundreds ? ` (${fivehundreds} × 500 in the access log)` : ''}`,
      evidence: [
        ...summarize(ev, list),
        `worker_processes ${cfg?.workerProcesses ?? '?'}, worker_connections ${wc}, worker_rlimit_nofile ${cfg?.workerRlimitNofile ?? 'unset'}`,
      ],
      remediation: [
        `Raise worker_connections to ${next} in the events block of ${cfg?.files[0] ?? '/etc/nginx/nginx.conf'}, with worker_rlimit_nofile ${next * 2}; and worker_processes auto;`,
        'Then nginx -t && nginx -s reload; a higher fd limit may need systemctl restart nginx.',
        slow > 0
          ? `A slow upstream holds the slots (${slow} read timeouts in the window): fix that too, or the new limit fills up as well.`
          : 'Look for a slow upstream holding connections and lower the client keepalive_timeout.',
      ],
      // Catalog C24: GUARDED.
      actions: [
        action(
          'raise-worker-connections',
          'guarded',
          `Raise worker_connections to ${next}, nginx -t, reload`,
        ),
      ],
    },
  ];
}
