import { hostClock, windowErrorLog, windowKernelLog } from '../facts/window.js';
import { computeErrorSeries } from '../parse/error-series.js';
import { computeAccessStats, parseAccessLine } from '../parse/parse-access-log.js';
import { parseAppLog } from '../parse/parse-app-log.js';
import type { Collection } from '../probes/collect-host.js';
import { curlError } from '../probes/defs/health.js';
import type { ProcessRow } from '../probes/defs/processes.js';
import { isNginxMaster, isNginxWorker } from '../probes/defs/processes.js';
import { topCpu } from '../probes/defs/system.js';
import { targetState } from '../probes/target-state.js';
import type { ProbeContext, ProbeService } from '../probes/types.js';
import type { Evidence, ListenerEvidence, NginxEvidence, ServiceEvidence } from './evidence.js';

/** Process command lines of each app-server kind, for hosts without systemd units in the inventory. */
const KIND_PATTERNS: Record<string, RegExp> = {
  'php-fpm': /php-fpm/,
  gunicorn: /gunicorn/,
  uwsgi: /uwsgi/,
  node: /(^|\/)node(js)?\b/,
  puma: /puma/,
  apache: /apache2|httpd/,
};

/** Assembles the Evidence of one host from what the probes brought back. Pure. */
export function buildEvidence(col: Collection, ctx: ProbeContext, fallbackNowMs: number): Evidence {
  const clock = hostClock(col, fallbackNowMs);
  const { nowS, utcOffsetMinutes: utcOffset } = clock;
  const windowStartMs = (nowS - ctx.sinceS) * 1000;
  const ev: Evidence = {
    host: ctx.host.name,
    collectedAtMs: nowS * 1000,
    windowStartMs,
    utcOffsetMinutes: utcOffset,
    nginx: nginxEvidence(col),
    targets: [],
    services: [],
    unavailable: { ...col.unavailable },
  };

  if (col.errorLog?.state === 'ok') {
    const w = col.errorWindow ?? windowErrorLog(col.errorLog, ctx.sinceS);
    ev.errorLog = {
      path: ctx.host.nginx.errorLog,
      entries: w.entries,
      truncated: w.truncated,
      bytesRead: col.errorLog.text.length,
    };
  } else if (col.errorLog) {
    ev.unavailable['error-log'] = `${ctx.host.nginx.errorLog} is ${col.errorLog.state}`;
  }

  if (col.accessLog?.state === 'ok') {
    const format = accessFormat(col, ctx.host.nginx.accessLog);
    const records = col.accessLog.text
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => parseAccessLine(l, format));
    ev.accessLog = computeAccessStats(records, { sinceMs: windowStartMs });
    ev.accessSeries = computeErrorSeries(records, { sinceMs: windowStartMs, untilMs: ev.collectedAtMs });
  } else if (col.accessLog) {
    ev.unavailable['access-log'] = `${ctx.host.nginx.accessLog} is ${col.accessLog.state}`;
  }

  if (col.upstreams) {
    ev.targets = col.upstreams.targets.map((t, i) => targetState(t, col.upstreams?.results[i]));
  }

  if (col.system) {
    const s = col.system;
    ev.resources = {
      cpus: s.cpus,
      load1: s.load1,
      load5: s.load5,
      cpuBusyPct: s.cpuBusyPct,
      topCpu: topCpu(s.busiest, col.processes),
      memTotalKb: s.mem.MemTotal,
      memAvailableKb: s.mem.MemAvailable,
      swapTotalKb: s.mem.SwapTotal,
      swapFreeKb: s.mem.SwapFree,
      psi: s.psi,
      disks: s.disks,
      fileNr: s.fileNr,
      timeWait: s.timeWait,
      ephemeralRange: s.portRange,
    };
  }

  if (col.kernel !== undefined) {
    ev.kernel = windowKernelLog(col.kernel, clock, ctx.sinceS);
  }

  ev.services = ctx.host.services.map((s) => serviceEvidence(s, col, windowStartMs, utcOffset));
  if (col.sockets) ev.listeners = listeners(col);
  ev.systemd = hasSystemd(col);

  if (col.security) {
    const apparmorDenials = (col.kernel ?? '')
      .split('\n')
      .filter((l) => /apparmor="DENIED"/.test(l) && /nginx/.test(l));
    ev.security = {
      selinux: col.security.selinux,
      apparmor: col.security.apparmor,
      denials: [...col.security.avc, ...apparmorDenials],
      blockingRules: col.security.blockingRules,
      firewallTool: col.security.firewallTool,
    };
  }
  return ev;
}

function nginxEvidence(col: Collection): NginxEvidence {
  const procs = col.processes;
  const master = procs?.find(isNginxMaster);
  const workers = procs?.filter(isNginxWorker) ?? [];
  const dump = col.nginx;
  const testLines = dump?.text.split('\n').filter((l) => l.startsWith('nginx: ')) ?? [];
  return {
    running: procs ? master !== undefined : undefined,
    masterPid: master?.pid,
    workerPids: workers.map((w) => w.pid),
    workerUser: workers[0]?.user ?? col.config?.user,
    masterAgeS: master?.ageS,
    workerAgeS: workers.length > 0 ? Math.max(...workers.map((w) => w.ageS)) : undefined,
    version: dump?.version,
    listening: (col.sockets ?? [])
      .filter((s) => s.kind === 'tcp' && s.processes.includes('nginx'))
      .map((s) => s.address),
    configTestOk: dump ? dump.installed && dump.exitCode === 0 : undefined,
    configTestOutput:
      dump && dump.exitCode !== 0
        ? dump.text
            .split('\n')
            .filter((l) => l.trim() !== '')
            .slice(0, 20)
        : testLines,
    config: col.config,
    workerOpenFds: col.nginxFds?.maxOpen,
    workerFdLimit: col.nginxFds?.limit,
  };
}

/**
 * Every listening socket with the age of its oldest process: where an app listens when the inventory
 * names no service (or the wrong one), and when that process started (a restart window).
 */
function listeners(col: Collection): ListenerEvidence[] {
  const age = new Map((col.processes ?? []).map((p) => [p.pid, p.ageS]));
  return (col.sockets ?? []).map((s) => {
    const ages = s.pids.map((p) => age.get(p)).filter((a): a is number => a !== undefined);
    return {
      address: s.address,
      processes: s.processes,
      pids: s.pids,
      ...(ages.length > 0 ? { ageS: Math.max(...ages) } : {}),
      line: s.line,
    };
  });
}

/** The `log_format` the access log is written in, when `nginx -T` says. */
function accessFormat(col: Collection, path: string): string | undefined {
  const cfg = col.config;
  if (!cfg) return undefined;
  const log = cfg.accessLogs.find((a) => a.path === path) ?? cfg.accessLogs[0];
  const name = log?.format ?? 'combined';
  return cfg.logFormats[name] ?? (name === 'combined' ? undefined : name);
}

/** `systemctl is-active` states; anything else in a `__UNIT` line is an error message, not a unit state. */
const UNIT_STATES = new Set([
  'active',
  'reloading',
  'inactive',
  'failed',
  'activating',
  'deactivating',
  'maintenance',
  'refreshing',
]);

/**
 * Whether the host runs systemd, from the app-services probe's `__UNIT` lines: `no-systemd` when
 * systemctl is absent, or systemctl's `System has not been booted with systemd ...` (first word
 * `System`) in a container that ships systemctl without running it.
 */
function hasSystemd(col: Collection): boolean | undefined {
  const states = [...(col.services?.unitState.values() ?? [])].map((u) => u.state);
  if (states.some((s) => UNIT_STATES.has(s))) return true;
  if (states.some((s) => s === 'no-systemd' || s === 'System')) return false;
  return undefined;
}

function matcher(s: ProbeService): RegExp | undefined {
  if (s.process) {
    try {
      return new RegExp(s.process);
    } catch {
      return undefined;
    }
  }
  return s.kind ? KIND_PATTERNS[s.kind] : undefined;
}

function serviceEvidence(
  s: ProbeService,
  col: Collection,
  sinceMs: number,
  utcOffsetMinutes: number,
): ServiceEvidence {
  const re = matcher(s);
  const procs: ProcessRow[] | undefined = re ? col.processes?.filter((p) => re.test(p.args)) : undefined;
  const unit = col.services?.unitState.get(s.name);
  const pids = procs?.map((p) => p.pid) ?? [];
  const running =
    unit && unit.state !== 'no-systemd'
      ? unit.state === 'active'
      : procs !== undefined
        ? procs.length > 0
        : undefined;
  const listening = (col.sockets ?? [])
    .filter((sock) => sock.pids.some((p) => pids.includes(p)))
    .map((sock) => sock.address);
  const text = col.services?.logs.get(s.name);
  const health = col.health?.find((h) => h.name === s.name);
  const settings: Record<string, string> = {};
  for (const p of procs ?? []) {
    const t = /--timeout[= ](\d+)/.exec(p.args) ?? /(?:^|\s)-t (\d+)/.exec(p.args);
    if (t?.[1] && s.kind === 'gunicorn') settings.timeout = t[1];
    const k = /--keep-alive[= ](\d+)/.exec(p.args);
    if (k?.[1]) settings.keepalive = k[1];
  }
  if (unit?.restarts !== undefined) settings.restarts = String(unit.restarts);
  return {
    name: s.name,
    kind: s.kind ?? 'unknown',
    running,
    pids,
    ageS: procs && procs.length > 0 ? Math.max(...procs.map((p) => p.ageS)) : undefined,
    listening,
    logLines: text ? parseAppLog(s.kind ?? 'unknown', text, { sinceMs, utcOffsetMinutes }) : [],
    health: s.health
      ? {
          url: s.health,
          status: health?.status || undefined,
          timeS: health?.timeS,
          error:
            health && health.curlExit !== 0 ? curlError(health.curlExit) : health ? undefined : 'not checked',
        }
      : undefined,
    settings,
  };
}
