import type { ErrorSeries } from '../parse/error-series.js';
import type { AccessStats, ErrorLogEntry, NginxConfig, UpstreamTarget } from '../parse/types.js';
import type { CpuProcess } from '../probes/defs/system.js';

/**
 * Everything the probes learned about one host, as plain data. Rules are pure functions of this.
 * A field left `undefined` means "could not check" (the probe failed, timed out or its tool is
 * missing); rules must not read absence as health.
 */
export interface Evidence {
  host: string;
  /** When collection finished (epoch ms) and where the window starts. */
  collectedAtMs: number;
  windowStartMs: number;
  /** The host's zone offset: nginx error-log timestamps are local time without a zone. */
  utcOffsetMinutes: number;
  nginx: NginxEvidence;
  errorLog?: LogWindow<ErrorLogEntry>;
  accessLog?: AccessStats;
  /** 502/504s per minute in the window, per upstream (the chart in the Slack thread). */
  accessSeries?: ErrorSeries;
  targets: TargetCheck[];
  resources?: ResourceEvidence;
  kernel?: KernelEvidence;
  services: ServiceEvidence[];
  /**
   * Every listening socket of the host (`ss -lnp`) with its processes: where an app listens that the
   * inventory does not name. Undefined when the sockets probe did not run.
   */
  listeners?: ListenerEvidence[];
  /**
   * The host runs systemd: true when `systemctl is-active` answered for an inventory unit, false when
   * the app-services probe found no systemd, undefined when no unit was asked about.
   */
  systemd?: boolean;
  security?: SecurityEvidence;
  /** Probe ids that could not run, with the reason (for "could not check" wording). */
  unavailable: Record<string, string>;
}

export interface NginxEvidence {
  /** A master process exists. */
  running?: boolean;
  masterPid?: number;
  workerPids: number[];
  workerUser?: string;
  /** Seconds since the master (and the oldest worker) started. */
  masterAgeS?: number;
  workerAgeS?: number;
  version?: string;
  /** Addresses nginx listens on (from `ss -ltnp`). */
  listening: string[];
  /** `nginx -t`: passed, and its output lines. */
  configTestOk?: boolean;
  configTestOutput: string[];
  config?: NginxConfig;
  /** Open fds of a worker and its soft `Max open files`. */
  workerOpenFds?: number;
  workerFdLimit?: number;
}

export interface LogWindow<T> {
  path: string;
  entries: T[];
  /** The read stopped at the byte cap before reaching the window start. */
  truncated: boolean;
  bytesRead: number;
}

export type TargetState =
  | 'open' // TCP connect succeeded / unix socket accepted a connection
  | 'refused' // ECONNREFUSED
  | 'timeout' // no answer within the probe's connect timeout (DROP, backlog)
  | 'unreachable' // EHOSTUNREACH / ENETUNREACH
  | 'missing' // unix socket path does not exist
  | 'not-a-socket'
  | 'stale' // socket file exists, nobody listens
  | 'denied' // the nginx worker user may not connect
  | 'unresolved' // the host name does not resolve
  | 'unknown';

export interface TargetCheck {
  target: UpstreamTarget;
  state: TargetState;
  /** Human summary of what was found, e.g. `nothing listens on 127.0.0.1:8081; app listens on 127.0.0.1:8080`. */
  detail: string;
  /** Verbatim lines from the probe (ls -l, ss, getent, curl). */
  lines: string[];
  /** For TCP: addresses the name resolved to. */
  resolved?: string[];
  /** For TCP names: the resolver did not answer in time; the nameservers of the host's /etc/resolv.conf. */
  resolverSilent?: string[];
  /** For unix sockets: owner, group, mode (octal) and who may connect. */
  socket?: { owner: string; group: string; mode: string; workerMayConnect?: boolean; listening?: boolean };
  /** For HTTP health checks: the status and time. */
  http?: { status: number; timeS: number; bodySample?: string };
}

export interface ListenerEvidence {
  /** `127.0.0.1:8001`, `[::1]:5000`, `*:80`, or a unix socket path. */
  address: string;
  /** Process names as ss shows them (`gunicorn`, `php-fpm8.2`, `node`). */
  processes: string[];
  pids: number[];
  /** Seconds since the oldest of those processes started (the master of a pre-fork server). */
  ageS?: number;
  line: string;
}

export interface ResourceEvidence {
  cpus?: number;
  load1?: number;
  load5?: number;
  /** CPU busy over a short sample just now (percent), and who used it then. */
  cpuBusyPct?: number;
  topCpu?: CpuProcess[];
  memTotalKb?: number;
  memAvailableKb?: number;
  swapTotalKb?: number;
  swapFreeKb?: number;
  /** PSI `some avg10` percentages. */
  psi?: { cpu?: number; memory?: number; io?: number };
  /** Mounts with their usage (percent) and inode usage (percent). */
  disks: { mount: string; usedPct: number; inodesUsedPct?: number; availKb: number; line: string }[];
  /** System-wide fds in use and the max (`/proc/sys/fs/file-nr`). */
  fileNr?: { used: number; max: number };
  /** TCP sockets in TIME_WAIT, and the ephemeral range size. */
  timeWait?: number;
  ephemeralRange?: { low: number; high: number };
}

export interface KernelEvidence {
  /** OOM-kill lines in the window, verbatim, with the killed process name. */
  oomKills: OomKill[];
  /** segfault / traps lines in the window. */
  segfaults: string[];
  /** `SYN flooding`, `nf_conntrack: table full`. */
  other: string[];
}

export interface OomKill {
  line: string;
  process: string;
  pid?: number;
  /** When the kernel logged it, when the line's stamp could be dated. */
  timeMs?: number;
  /** The victim's memory cgroup (`task_memcg=/system.slice/php8.2-fpm.service`), when logged. */
  memcg?: string;
}

export interface ServiceEvidence {
  name: string;
  /** `php-fpm`, `gunicorn`, `uwsgi`, `node`, `puma`, `apache`, `unknown`. */
  kind: string;
  /** Process state: running (with pids), not running, or unknown. */
  running?: boolean;
  pids: number[];
  /** Seconds since the oldest process of the service started. */
  ageS?: number;
  /** Addresses this service listens on (TCP `ip:port`, unix paths). */
  listening: string[];
  /** Log lines in the window that match a known app-server signature, verbatim. */
  logLines: AppLogLine[];
  health?: { url: string; status?: number; timeS?: number; error?: string };
  /** Config facts read from the app server: `pm.max_children`, gunicorn `timeout`, keepalive timeouts. */
  settings: Record<string, string>;
}

export type AppSignal =
  | 'pool-max-children' // php-fpm: server reached pm.max_children
  | 'worker-timeout' // gunicorn WORKER TIMEOUT, uwsgi HARAKIRI, php-fpm execution timed out, puma
  | 'worker-killed-signal' // exited on signal 11/6/9, was sent SIGKILL/SIGSEGV
  | 'worker-oom' // gunicorn "Perhaps out of memory?", php-fpm signal 9
  | 'crash' // uncaught exception, FATAL ERROR, exit code != 0
  | 'listen-queue-full' // uwsgi listen queue full
  | 'request-too-large' // uwsgi invalid request block size
  | 'address-in-use' // EADDRINUSE / Connection in use
  | 'started' // Booting worker / ready to handle connections / listening on
  | 'stopped'; // shutting down / Terminating

export interface AppLogLine {
  signal: AppSignal;
  line: string;
  timeMs?: number;
}

export interface SecurityEvidence {
  selinux?: 'enforcing' | 'permissive' | 'disabled';
  apparmor?: 'enabled' | 'disabled';
  /** AVC / apparmor DENIED lines naming nginx. */
  denials: string[];
  /** `nft list ruleset` / `iptables -S` rules that drop or reject, verbatim. */
  blockingRules: string[];
  firewallTool?: 'nftables' | 'iptables' | 'none';
}
