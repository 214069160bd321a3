import { parseNginxConfig } from '../diagnosis/parse/parse-nginx-config.js';
import type { NginxConfig, UpstreamTarget } from '../diagnosis/parse/types.js';
import type { ErrorWindow } from '../diagnosis/window.js';
import { windowErrorLog } from '../diagnosis/window.js';
import type { PartOutcome } from './batch.js';
import { runBatch } from './batch.js';
import type { CheckResult } from './check.js';
import type { LogTail } from './defs/log-tail.js';
import { parseLogTail } from './defs/log-tail.js';
import type { NginxDump } from './defs/nginx-config.js';
import { parseNginxDump } from './defs/nginx-config.js';
import { parseNginxFds } from './defs/nginx-fds.js';
import type { ProcessRow } from './defs/processes.js';
import { parseProcesses } from './defs/processes.js';
import type { SecurityFacts } from './defs/security.js';
import { parseSecurity } from './defs/security.js';
import type { HealthResult, ServiceOutput } from './defs/services.js';
import { parseHealth, parseServices } from './defs/services.js';
import type { ListeningSocket } from './defs/sockets.js';
import { parseSockets } from './defs/sockets.js';
import type { SystemFacts } from './defs/system.js';
import { parseSystem } from './defs/system.js';
import type { RawTargetResult } from './defs/upstreams.js';
import { parseUpstreams, probeableTargets } from './defs/upstreams.js';
import { PHASE_ONE, UPSTREAM_INPUTS, UPSTREAMS_BATCH } from './probe-set.js';
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
  security?: SecurityFacts;
  nginxFds?: { maxOpen: number; limit?: number };
  upstreams?: { targets: UpstreamTarget[]; results: RawTargetResult[]; skipped: UpstreamTarget[] };
  /** probe id → why it could not check. */
  unavailable: Record<string, string>;
  checks: CheckResult[];
}

export type CheckListener = (check: CheckResult) => void;

/**
 * Runs the fixed probe set on one connected host: the batches of phase one at once, each on its own
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
  // The upstream checks need only the config and the worker user: they start as soon as those two
  // probes are in, while the same batch goes on with the logs and the CPU sample runs.
  const waiting = new Set<string>(UPSTREAM_INPUTS);
  let inputsReady: () => void = () => {};
  const upstreamInputs = new Promise<void>((resolve) => {
    inputsReady = resolve;
  });
  const onPart = (outcome: PartOutcome) => {
    record(outcome);
    waiting.delete(outcome.probe.id);
    if (waiting.size === 0) inputsReady();
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
      store(col, probe, outcome.stdout, outcome.truncated, ctx.sinceS);
    } catch (err) {
      const reason = `output not understood: ${err instanceof Error ? err.message : String(err)}`;
      col.unavailable[probe.id] = reason;
      emit({ id: probe.id, status: 'error', summary: reason, durationMs: outcome.durationMs });
      return;
    }
    const s = summarizeProbe(probe.id, col, ctx.sinceS);
    emit({ id: probe.id, status: s.status, summary: s.summary, durationMs: outcome.durationMs });
  };

  const batches = PHASE_ONE.map((batch) => runBatch(runner, batch, ctx, { signal: options.signal, onPart }));
  // runBatch reports every probe of its batch, so the inputs always arrive; the race only keeps a
  // broken promise from hanging the host.
  const upstreams = Promise.race([upstreamInputs, Promise.all(batches)]).then(() =>
    checkUpstreams(runner, ctx, col, onPart, options.signal),
  );
  await Promise.all([...batches, upstreams]);
  return col;
}

async function checkUpstreams(
  runner: CommandRunner,
  ctx: ProbeContext,
  col: Collection,
  onPart: (outcome: PartOutcome) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (signal?.aborted) return;
  const targets = col.config?.targets ?? [];
  const { lines, sent, skipped } = probeableTargets(targets);
  if (sent.length === 0) {
    if (!col.config) col.unavailable.upstreams = 'no nginx configuration to read upstreams from';
    col.upstreams = { targets: [], results: [], skipped };
    return;
  }
  const workerUser =
    col.processes?.find((p) => p.args.startsWith('nginx: worker'))?.user ?? col.config?.user ?? '';
  const input = `${/^[a-z_][a-z0-9_-]*$/i.test(workerUser) ? workerUser : ''}\n${lines.join('\n')}\n`;
  col.upstreams = { targets: sent, results: [], skipped };
  await runBatch(runner, UPSTREAMS_BATCH, ctx, { signal, inputs: { upstreams: input }, onPart });
}

function store(col: Collection, probe: ProbeSpec, stdout: string, truncated: boolean, sinceS: number): void {
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
      break;
    case 'app-services':
      col.services = parseServices(stdout);
      break;
    case 'app-health':
      col.health = parseHealth(stdout);
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
