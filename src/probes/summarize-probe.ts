import { formatWindow } from '../diagnosis/format-window.js';
import { hostClock, upstreamErrors, windowKernelLog } from '../diagnosis/window.js';
import type { CheckStatus } from './check.js';
import type { Collection } from './collect-host.js';
import { curlError } from './defs/health.js';
import { isNginxMaster, isNginxWorker } from './defs/processes.js';
import { targetState } from './target-state.js';

export interface ProbeSummary {
  status: CheckStatus;
  summary: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line per finished probe, for the live progress and the report's check list. */
export function summarizeProbe(id: string, col: Collection, sinceS: number): ProbeSummary {
  switch (id) {
    case 'nginx-config': {
      const n = col.nginx;
      if (!n?.installed) return { status: 'fail', summary: 'nginx is not installed on this host' };
      if (n.exitCode !== 0) {
        const why = n.text.split('\n').find((l) => /\[emerg\]|\[alert\]|failed/.test(l)) ?? 'nginx -t failed';
        return { status: 'fail', summary: `nginx -t failed: ${why.trim()}` };
      }
      const t = col.config?.targets.length ?? 0;
      // A part past the parser's bounds (parse-nginx-config.ts) is said, not hidden: the rest was checked.
      const notRead = col.config?.notRead ?? [];
      return {
        status: notRead.length > 0 ? 'warn' : 'ok',
        summary: `nginx -t ok (${n.version ?? 'version unknown'}), ${plural(t, 'upstream target')}${notRead.length > 0 ? `; too large to read, checked the rest: ${notRead.slice(0, 3).join('; ')}` : ''}`,
      };
    }
    case 'error-log': {
      const tail = col.errorLog;
      if (tail?.state !== 'ok' || !col.errorWindow) {
        return { status: 'error', summary: `error log ${tail?.state ?? 'not read'}` };
      }
      const since = formatWindow(sinceS);
      const errors = upstreamErrors(col.errorWindow.entries);
      if (errors.length === 0) return { status: 'ok', summary: `no upstream errors in the last ${since}` };
      const counts = new Map<string, number>();
      for (const e of errors) counts.set(e.signature ?? '?', (counts.get(e.signature ?? '?') ?? 0) + 1);
      const top = [...counts.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([sig, n]) => `${n}× ${sig}`)
        .join(', ');
      return {
        status: 'warn',
        summary: `${plural(errors.length, 'upstream error')} in the last ${since}: ${top}`,
      };
    }
    case 'access-log': {
      const tail = col.accessLog;
      if (tail?.state !== 'ok')
        return { status: 'error', summary: `access log ${tail?.state ?? 'not read'}` };
      const lines = tail.text.split('\n');
      const bad = lines.filter((l) => /" 50[24] /.test(l) || /"status":50[24]\b/.test(l)).length;
      return bad > 0
        ? { status: 'warn', summary: `${bad} of ${lines.length - 1} lines read are 502/504` }
        : { status: 'ok', summary: `${lines.length - 1} lines read, no 502/504` };
    }
    case 'processes': {
      const master = col.processes?.find(isNginxMaster);
      const workers = col.processes?.filter(isNginxWorker).length ?? 0;
      return master
        ? { status: 'ok', summary: `nginx master pid ${master.pid}, ${plural(workers, 'worker')}` }
        : { status: 'fail', summary: 'no nginx master process' };
    }
    case 'sockets': {
      const tcp = col.sockets?.filter((s) => s.kind === 'tcp').length ?? 0;
      const unix = col.sockets?.filter((s) => s.kind === 'unix').length ?? 0;
      return { status: 'ok', summary: `${plural(tcp, 'TCP listener')}, ${plural(unix, 'unix listener')}` };
    }
    case 'system': {
      const s = col.system;
      if (!s) return { status: 'error', summary: 'no data' };
      const warn: string[] = [];
      if (s.cpus && s.load1 !== undefined && s.load1 > s.cpus * 2)
        warn.push(`load ${s.load1} on ${s.cpus} CPUs`);
      const avail = s.mem.MemAvailable;
      const total = s.mem.MemTotal;
      if (avail !== undefined && total && avail / total < 0.05)
        warn.push(`${Math.round(avail / 1024)} MB memory available`);
      for (const d of s.disks)
        if (d.usedPct >= 95 || (d.inodesUsedPct ?? 0) >= 95) warn.push(`${d.mount} ${d.usedPct}% full`);
      return warn.length > 0
        ? { status: 'warn', summary: warn.join('; ') }
        : {
            status: 'ok',
            summary: `load ${s.load1 ?? '?'} on ${s.cpus ?? '?'} CPUs${s.cpuBusyPct !== undefined ? `, CPU ${s.cpuBusyPct}% busy` : ''}, disks below 95%`,
          };
    }
    case 'kernel-log': {
      const why = col.unavailable['kernel-log'];
      if (why) return { status: 'error', summary: `could not check: ${why}` };
      // The same parsed, windowed events the evidence (and so the OOM finding) is built from.
      const { oomKills } = windowKernelLog(col.kernel ?? '', hostClock(col, Date.now()), sinceS);
      const since = formatWindow(sinceS);
      if (oomKills.length === 0) return { status: 'ok', summary: `no OOM kills in the last ${since}` };
      const victims = [...new Set(oomKills.map((k) => k.process))].join(', ');
      return {
        status: 'warn',
        summary: `${plural(oomKills.length, 'OOM kill')} in the last ${since}: ${victims}`,
      };
    }
    case 'app-services': {
      const logs = col.services?.logs.size ?? 0;
      const missing = col.services?.missingLogs.length ?? 0;
      return missing > 0
        ? {
            status: 'warn',
            summary: `${plural(logs, 'log')} read, missing: ${col.services?.missingLogs.join(', ')}`,
          }
        : { status: 'ok', summary: `${plural(logs, 'app log')} read` };
    }
    case 'app-health': {
      const bad = (col.health ?? []).filter(
        (h) => h.curlExit !== 0 || (h.status ?? 0) >= 500 || h.status === 0,
      );
      const skipped = col.healthSkipped ?? [];
      const notChecked =
        skipped.length > 0 ? `; not checked (out of time after the ones before): ${skipped.join(', ')}` : '';
      if ((col.health ?? []).length === 0 && skipped.length === 0)
        return { status: 'skipped', summary: 'no health URL in the inventory' };
      return bad.length > 0
        ? {
            status: 'fail',
            summary: `unhealthy: ${bad.map((h) => `${h.name} (${h.status || curlError(h.curlExit)})`).join(', ')}${notChecked}`,
          }
        : {
            status: skipped.length > 0 ? 'warn' : 'ok',
            summary: `${plural(col.health?.length ?? 0, 'health check')} ok${notChecked}`,
          };
    }
    case 'security': {
      const s = col.security;
      if (!s) return { status: 'error', summary: 'no data' };
      const parts = [
        `SELinux ${s.selinux ?? 'absent'}`,
        `AppArmor ${s.apparmor ?? 'absent'}`,
        `${s.firewallTool}: ${plural(s.blockingRules.length, 'drop/reject rule')}`,
      ];
      return {
        status: s.avc.length > 0 || s.blockingRules.length > 0 ? 'warn' : 'ok',
        summary: parts.join(', '),
      };
    }
    case 'nginx-fds': {
      const f = col.nginxFds;
      if (!f) return { status: 'skipped', summary: 'no nginx worker to inspect' };
      const tight = f.limit !== undefined && f.maxOpen >= f.limit * 0.9;
      return { status: tight ? 'warn' : 'ok', summary: `worker fds ${f.maxOpen} of ${f.limit ?? '?'}` };
    }
    case 'upstreams': {
      const u = col.upstreams;
      if (!u) return { status: 'error', summary: 'not checked' };
      if (u.targets.length === 0) {
        const why = col.unavailable.upstreams ?? 'no upstream targets in the nginx configuration';
        return {
          status: 'skipped',
          summary: `${why}${u.skipped.length > 0 ? ` (${u.skipped.length} not checkable)` : ''}`,
        };
      }
      const states = u.targets.map((t, i) => ({ t, s: targetState(t, u.results[i]) }));
      const bad = states.filter((x) => x.s.state !== 'open');
      if (bad.length === 0) return { status: 'ok', summary: `${plural(states.length, 'target')} reachable` };
      return { status: 'fail', summary: bad.map((x) => x.s.detail).join('; ') };
    }
    default:
      return { status: 'ok', summary: 'done' };
  }
}
