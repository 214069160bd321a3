import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action } from './actions.js';
import { summarize, windowUpstreamErrors, withSignature } from './log-signals.js';

/**
 * Catalog C23: `socket() failed (24: Too many open files)` -> **500** (not 502), `accept4() failed
 * (24: ...)`, `open() "..." failed (24: ...)`, `worker_connections exceed open file resource limit`;
 * at [emerg] a reload's `socket() 0.0.0.0:80 failed (24: ...)`. 23 (ENFILE) is the system table. Confirmed by the worker's open
 * fds near its `Max open files`; worker_rlimit_nofile should be >= 2 x worker_connections.
 */
export function fdExhaustedRule(ev: Evidence): Finding[] {
  const list = withSignature(ev, 'fd_socket', 'fd_accept', 'fd_other');
  const warn = withSignature(ev, 'fd_rlimit_warn');
  const { workerOpenFds: open, workerFdLimit: limit } = ev.nginx;
  const near = open !== undefined && limit !== undefined && open >= limit * 0.9;
  if (list.length === 0 && !(near && windowUpstreamErrors(ev).length > 0)) return [];
  const cfg = ev.nginx.config;
  const wc = cfg?.workerConnections ?? 512;
  const want = Math.max(65535, wc * 2);
  return [
    {
      cause: 'fd-exhausted',
      confidence: list.length > 0 ? (near ? 0.96 : 0.9) : 0.55,
      title: `nginx workers run out of file descriptors${open !== undefined && limit !== undefined ? ` (${open} of ${limit} open)` : ''}: requests fail with 500`,
      evidence: [
        ...summarize(ev, [...list, ...warn]),
        ...(open !== undefined && limit !== undefined
          ? [`worker open fds ${open}, Max open files ${limit}`]
          : []),
        `worker_connections ${wc}, worker_rlimit_nofile ${cfg?.workerRlimitNofile ?? 'unset'}`,
      ],
      remediation: [
        `Set worker_rlimit_nofile ${want}; in the main context of ${cfg?.files[0] ?? '/etc/nginx/nginx.conf'} (>= 2 × worker_connections ${wc})`,
        `Raise the unit limit: systemctl edit nginx -> [Service] LimitNOFILE=${want} (Docker: --ulimit nofile=${want}:${want})`,
        'Then nginx -t && systemctl restart nginx in a quiet window (a reload may not raise the hard limit); check the backend for the same errno 24.',
      ],
      // Catalog C23: config + restart of the edge server = GUARDED.
      actions: [
        action(
          'raise-fd-limit',
          'guarded',
          `Raise worker_rlimit_nofile/LimitNOFILE to ${want} and restart nginx`,
        ),
      ],
    },
  ];
}
