import { parseNginxConfig } from '../diagnosis/parse/parse-nginx-config.js';
import type { NginxConfig, UpstreamTarget } from '../diagnosis/parse/types.js';
import type { ErrorWindow } from '../diagnosis/window.js';
import { windowErrorLog } from '../diagnosis/window.js';
import type { PartOutcome } from './batch.js';
import { runBatch } from './batch.js';
import type { CheckResult } from './check.js';
import type { HealthResult } from './defs/health.js';
import { parseHealth, parseHealthSkipped } from './defs/health.js';
import type { LogTail } from './defs/log-tail.js';
import { parseLogTail } from './defs/log-tail.js';
import type { NginxDump } from './defs/nginx-config.js';
import { parseNginxDump } from './defs/nginx-config.js';
import { nginxWorkerPids, parseNginxFds } from './defs/nginx-fds.js';
import type { ProcessRow } from './defs/processes.js';
import { isNginxWorker, parseProcesses } from './defs/processes.js';
import type { SecurityFacts } from './defs/security.js';
import { parseSecurity } from './defs/security.js';
import type { ServiceOutput } from './defs/services.js';
import { parseServices } from './defs/services.js';
import type { ListeningSocket } from './defs/sockets.js';
import { parseSockets } from './defs/sockets.js';
import type { SystemFacts } from './defs/system.js';
import { parseSystem } from './defs/system.js';
import type { RawTargetResult } from './defs/upstreams.js';
import { parseUpstreams, probeableTargets } from './defs/upstreams.js';
import { PROBE_BATCHES, UPSTREAM_INPUTS } from './probe-set.js';
import { summarizeProbe } from './summarize-probe.js';
import type { CommandRunner, ProbeContext, ProbeSpec } from './types.js';

/** What the probes brought back, parsed but not yet interpreted. */
export interface Collection {
  nginx?: NginxDump;
  config?: NginxConfig;
  errorLog?: LogTail;
  /** The error-log entries inside the window, parsed once for both the live summary and the evidence. */
  errorWindow?: ErrorWindow;
  accessLog?: LogTail;
  processes?: ProcessRow[];
  sockets?: ListeningSocket[];
  system?: SystemFacts;
  kernel?: string;
  services?: ServiceOutput;
  health?: HealthResult[];
  /** Services whose health check was not started: the probe's time was spent on the ones before. */
  healthSkipped?: string[];
  security?: SecurityFacts;
  nginxFds?: { maxOpen: number; limit?: number };
  upstreams?: { targets: UpstreamTarget[]; results: RawTargetResult[]; skipped: UpstreamTarget[] };
  /** probe id → why it could not check. */
  unavailable: Record<string, string>;
  checks: CheckResult[];
}

export type CheckListener = (check: CheckResult) => void;

/**
 * Runs the fixed probe set on one connected host: its batches at once, each on its own
 * channel; the upstream checks start as soon as the config and the worker user are known. Each
 * finished probe is reported at once through `onCheck`, so a terminal or a Slack message can show
 * progress.
 */
export async function collectHost(
  runner: CommandRunner,
  ctx: ProbeContext,
  options: { signal?: AbortSignal; onCheck?: CheckListener } = {},
): Promise<Collection> {
  const col: Collection = { unavailable: {}, checks: [] };
  const emit = (check: CheckResult) => {
    col.checks.push(check);
    options.onCheck?.(check);
  };
  const record = (outcome: PartOutcome) => {
    const { probe } = outcome;
    if (!outcome.ok) {
      col.unavailable[probe.id] = outcome.reason;
      emit({
        id: probe.id,
        status: 'error',
        summary: `could not check: ${outcome.reason}`,
        durationMs: outcome.durationMs,
      });
      return;
    }
    try {
      store(col, probe, outcome.stdout, outcome.truncated, ctx.sinceS, outcome.nonce);
    } catch (err) {
      const reason = `output not understood: ${err instanceof Error ? err.message : String(err)}`;
      col.unavailable[probe.id] = reason;
      emit({ id: probe.id, status: 'error', summary: reason, durationMs: outcome.durationMs });
      return;
    }
    const s = summarizeProbe(probe.id, col, ctx.sinceS);
    emit({ id: probe.id, status: s.status, summary: s.summary, durationMs: outcome.durationMs });
  };

  // The worker pids and the upstream targets come from the process list and the config: they are
  // sent to the host as soon as both probes have ended, as the input of `nginx-fds` and `upstreams`.
  const waiting = new Set<string>(UPSTREAM_INPUTS);
  let inputsKnown: () => void = () => {};
  const known = new Promise<void>((resolve) => {
    inputsKnown = resolve;
  });
  const onPartEnd = (id: string) => {
    waiting.delete(id);
    if (waiting.size === 0) inputsKnown();
  };
  const inputs = {
    'nginx-fds': known.then(() => `${nginxWorkerPids(col.processes).join('\n')}\n`),
    upstreams: known.then(() => upstreamInput(col)),
  };
  await Promise.all(
    PROBE_BATCHES.map((batch) =>
      runBatch(runner, batch, ctx, { signal: options.signal, inputs, onPart: record, onPartEnd }),
    ),
  );
  return col;
}

/** The upstream probe's input (worker user, then `tcp HOST PORT` / `unix PATH` lines); notes the targets. */
function upstreamInput(col: Collection): string {
  const { lines, sent, skipped } = probeableTargets(col.config?.targets ?? []);
  col.upstreams = { targets: sent, results: [], skipped };
  if (!col.config) col.unavailable.upstreams = 'no nginx configuration to read upstreams from';
  const workerUser = col.processes?.find(isNginxWorker)?.user ?? col.config?.user ?? '';
  return `${/^[a-z_][a-z0-9_-]*$/i.test(workerUser) ? workerUser : ''}\n${lines.map((l) => `${l}\n`).join('')}`;
}

function store(
  col: Collection,
  probe: ProbeSpec,
  stdout: string,
  truncated: boolean,
  sinceS: number,
  nonce: string,
): void {
  switch (probe.id) {
    case 'nginx-config': {
      const dump = parseNginxDump(stdout);
      col.nginx = dump;
      if (dump.installed && dump.exitCode === 0 && !truncated) col.config = parseNginxConfig(dump.text);
      break;
    }
    case 'error-log':
      col.errorLog = parseLogTail(stdout);
      if (col.errorLog.state === 'ok') col.errorWindow = windowErrorLog(col.errorLog, sinceS);
      break;
    case 'access-log':
      col.accessLog = parseLogTail(stdout);
      break;
    case 'processes':
      col.processes = parseProcesses(stdout);
      break;
    case 'sockets':
      col.sockets = parseSockets(stdout);
      break;
    case 'system':
      col.system = parseSystem(stdout);
      break;
    case 'kernel-log':
      col.kernel = stdout;
      if (/^__SOURCE none$/m.test(stdout)) {
        col.unavailable['kernel-log'] =
          'neither dmesg nor journalctl -k could be read (kernel.dmesg_restrict? run the probes with sudo)';
      }
      break;
    case 'app-services':
      col.services = parseServices(stdout, nonce);
      break;
    case 'app-health':
      col.health = parseHealth(stdout);
      col.healthSkipped = parseHealthSkipped(stdout);
      break;
    case 'security':
      col.security = parseSecurity(stdout);
      break;
    case 'upstreams':
      if (col.upstreams) col.upstreams.results = parseUpstreams(stdout, col.upstreams.targets.length);
      break;
    case 'nginx-fds':
      col.nginxFds = parseNginxFds(stdout);
      break;
    default:
      throw new Error(`no reader for probe ${probe.id}`);
  }
}
