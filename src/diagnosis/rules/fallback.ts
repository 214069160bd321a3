import type { Cause } from '../../parse/causes.js';
import type { SignatureId } from '../../parse/types.js';
import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action } from './actions.js';
import { messageKey, summarize, windowLabel, windowUpstreamErrors } from './log-signals.js';

/** First catalog 3.1 candidate of each signature, as a cause id: the guess when no rule confirmed anything. */
const FIRST_CANDIDATE: Record<SignatureId, Cause> = {
  connect_refused: 'upstream-down',
  socket_missing: 'socket-missing',
  socket_eacces: 'socket-permission',
  tcp_eacces: 'mac-denied',
  backlog_full_unix: 'worker-pool-exhausted',
  unreachable: 'network-blocked',
  eaddrnotavail: 'ephemeral-ports-exhausted',
  timeout_connect: 'network-blocked',
  timeout_ssl: 'upstream-tls-error',
  timeout_send: 'upstream-not-accepting',
  timeout_read_header: 'upstream-slow',
  timeout_read_body: 'upstream-slow',
  premature_header: 'app-worker-timeout',
  reset_header: 'upstream-crash',
  send_failed: 'keepalive-race',
  body_phase_failure: 'app-worker-timeout',
  no_live_upstreams: 'no-live-upstreams',
  peer_disabled: 'no-live-upstreams',
  too_big_header: 'header-too-big',
  invalid_header: 'protocol-mismatch',
  fastcgi_proto: 'protocol-mismatch',
  grpc_to_http1: 'protocol-mismatch',
  http09_reply: 'protocol-mismatch',
  tls_wrong_version: 'upstream-tls-error',
  tls_sni: 'upstream-tls-error',
  tls_other: 'upstream-tls-error',
  tls_verify: 'upstream-tls-error',
  dns_runtime: 'dns-failure',
  dns_no_resolver: 'dns-failure',
  dns_config_load: 'dns-failure',
  fd_socket: 'fd-exhausted',
  fd_accept: 'fd-exhausted',
  fd_rlimit_warn: 'fd-exhausted',
  worker_conns: 'worker-connections-exhausted',
  temp_file: 'disk-full',
  ipv6_unavailable: 'upstream-wrong-address',
  check_peer_down: 'no-live-upstreams',
  dns_module: 'dns-failure',
  dns_resolver_io: 'dns-failure',
  no_space: 'disk-full',
  fd_other: 'fd-exhausted',
  config_error: 'nginx-config-invalid',
};

/** 502/504s the access log counted, for "the window shows upstream errors" even without error lines. */
export function accessFailures(ev: Evidence): number {
  const s = ev.accessLog?.byStatus ?? {};
  return (s['502'] ?? 0) + (s['504'] ?? 0) + (ev.logFiles?.accessFailures ?? 0);
}

/**
 * Upstream errors exist but no rule could confirm a cause: name the most frequent signature's
 * first catalog candidate, at low confidence, rather than claiming there is no 502 evidence.
 */
export function unexplainedFinding(ev: Evidence): Finding {
  const errors = windowUpstreamErrors(ev);
  const counts = new Map<SignatureId, number>();
  for (const e of errors) if (e.signature) counts.set(e.signature, (counts.get(e.signature) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1])[0];
  if (!top) return blindFinding(ev);
  const [sig, n] = top;
  const sample = errors.find((e) => e.signature === sig);
  const cause = FIRST_CANDIDATE[sig];
  return {
    cause,
    confidence: 0.3,
    title: `${n} × ${sample ? messageKey(sample) : sig} in the last ${windowLabel(ev)}, not confirmed by any check: most likely ${cause}`,
    evidence: summarize(
      ev,
      errors.filter((e) => e.signature === sig),
    ),
    remediation: [
      'No probe confirmed a cause: re-run with the probes that could not run (see the check list), or run the catalog checks for this signature by hand.',
      ...unavailableLines(ev),
    ],
    actions: [action('investigate-manually', 'human', 'Confirm the cause by hand')],
  };
}

/** The access log counts 502/504 but the error log has no matching line (level above `error`, or another host). */
function blindFinding(ev: Evidence): Finding {
  const unread = ev.unavailable['error-log'];
  if (unread !== undefined) return unreadErrorLogFinding(ev, unread);
  const levels = (ev.nginx.config?.errorLogs ?? []).map((l) => l.level).filter((l): l is string => !!l);
  const hidden = levels.find((l) => ['crit', 'alert', 'emerg'].includes(l));
  const s = ev.accessLog?.byStatus ?? {};
  const timeouts = (s['504'] ?? 0) > (s['502'] ?? 0);
  return {
    cause: timeouts ? 'upstream-slow' : 'upstream-down',
    confidence: 0.2,
    title: `${accessFailures(ev)} × 502/504 in the access log but no error-log line explains them${hidden ? ` (error_log level ${hidden} hides [error] lines)` : ''}`,
    evidence: [
      ...(ev.accessLog?.samples ?? []).slice(0, 5),
      ...(hidden ? [`error_log level: ${hidden}`] : []),
    ],
    remediation: [
      hidden
        ? `Lower the error_log level to error (error_log ${ev.nginx.config?.errorLogs[0]?.path ?? '/var/log/nginx/error.log'} error;), reload, and re-run.`
        : 'Check that the error log read is the one this server writes to (nginx -T | grep -n error_log).',
      'Log upstream timings ($upstream_addr, $upstream_status, $upstream_header_time) to tell who generated the 502 (catalog 5.1).',
    ],
    actions: [action('investigate-manually', 'human', 'Make nginx log upstream errors, then re-run')],
  };
}

/**
 * The access log counts 502/504 and the error log, whose lines would say why, could not be read:
 * the count is context, not a cause (a guess from the status codes alone would be a coin toss), so
 * the host's verdict is inconclusive and the report says what to read.
 */
function unreadErrorLogFinding(ev: Evidence, why: string): Finding {
  const s = ev.accessLog?.byStatus ?? {};
  return {
    cause: (s['504'] ?? 0) > (s['502'] ?? 0) ? 'upstream-slow' : 'upstream-down',
    confidence: 0.2,
    context: true,
    title: `${accessFailures(ev)} × 502/504 in the access log in the last ${windowLabel(ev)}; the error log could not be read (${why}): its lines would name the cause`,
    evidence: (ev.accessLog?.samples ?? []).slice(0, 5),
    remediation: [
      "Read the error log's [error] lines for the same minutes by hand (see Not checked), or make it readable to the diagnosis and run diagnose502 again.",
      'Log upstream timings ($upstream_addr, $upstream_status, $upstream_header_time) to tell who generated the 502 (catalog 5.1).',
    ],
    actions: [action('investigate-manually', 'human', 'Read the error log, then re-run')],
  };
}

export function unavailableLines(ev: Evidence): string[] {
  return Object.entries(ev.unavailable).map(([id, why]) => `could not check ${id}: ${why}`);
}
