import { buildEvidence } from '../diagnosis/build-evidence.js';
import { type ErrorChart, errorChart } from '../diagnosis/chart-data.js';
import { hostKeyMismatchFinding, hostUnreachableFinding } from '../diagnosis/connection-findings.js';
import { diagnose } from '../diagnosis/diagnose.js';
import type { Finding } from '../diagnosis/finding.js';
import { logsRead } from '../diagnosis/logs-read.js';
import { type RuledOut, ruledOut } from '../diagnosis/ruled-out/ruled-out.js';
import { HostFacts } from '../facts/host-facts.js';
import { redact } from '../parse/redact.js';
import type { CheckResult } from '../probes/check.js';
import { collectHost } from '../probes/collect-host.js';
import type { CommandRunner, ProbeHost } from '../probes/types.js';
import type { HostReport, LogRead, ProgressListener } from '../report/types.js';
import { hostVerdict } from './verdict.js';

export interface Session extends CommandRunner {
  close(): void | Promise<void>;
}

/** How a host is reached; the CLI and the queue worker pass the real SSH connector, tests may pass another. */
export type Connect = (host: ProbeHost, signal: AbortSignal | undefined) => Promise<Session>;

export interface DiagnoseHostOptions {
  sinceS: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  now?: () => number;
}

/** Classifies a connect failure by the coded errors of the SSH layer (`code` on the error). */
function connectFinding(err: unknown): Finding {
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'host-key-mismatch') return hostKeyMismatchFinding(message);
  return hostUnreachableFinding(message);
}

/** One host, end to end: connect, probe, assemble evidence, diagnose, redact. Never throws for a host problem. */
export async function diagnoseHost(
  host: ProbeHost,
  connect: Connect,
  options: DiagnoseHostOptions,
): Promise<HostReport> {
  const now = options.now ?? Date.now;
  const started = performance.now();
  const checks: CheckResult[] = [];
  // Live check lines leave at once (Slack progress, the terminal): redacted here, as the report is.
  const onCheck = (raw: CheckResult) => {
    const check = { ...raw, summary: redact(raw.summary) };
    checks.push(check);
    options.onProgress?.({ type: 'check', host: host.name, check });
  };
  options.onProgress?.({ type: 'host-start', host: host.name, address: host.address });

  let session: Session;
  try {
    session = await connect(host, options.signal);
  } catch (err) {
    const finding = connectFinding(err);
    onCheck({
      id: 'ssh',
      status: 'fail',
      summary: finding.title,
      durationMs: Math.round(performance.now() - started),
    });
    return finish(host, started, checks, [finding], {}, options);
  }
  onCheck({
    id: 'ssh',
    status: 'ok',
    summary: `connected to ${host.address}`,
    durationMs: Math.round(performance.now() - started),
  });

  try {
    const facts = new HostFacts({ host, sinceS: options.sinceS }, now);
    await collectHost(session, facts, { signal: options.signal, onCheck: (c) => onCheck(c) });
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('cancelled');
    const evidence = buildEvidence(facts);
    const ranked = diagnose(evidence);
    return finish(host, started, checks, ranked, evidence.unavailable, options, {
      chart: errorChart(evidence),
      logs: logsRead(evidence, host.nginx),
      excluded: ruledOut(evidence, ranked),
    });
  } finally {
    // The report is made: a connection that fails to close must not sink it (nor the group's others).
    await Promise.resolve()
      .then(() => session.close())
      .catch(() => {});
  }
}

function finish(
  host: ProbeHost,
  started: number,
  checks: CheckResult[],
  ranked: Finding[],
  unavailable: Readonly<Record<string, string>>,
  options: DiagnoseHostOptions,
  seen: { chart?: ErrorChart | undefined; logs?: LogRead[]; excluded?: RuledOut[] } = {},
): HostReport {
  const { chart, logs, excluded } = seen;
  const { verdict, notChecked, findings } = hostVerdict(ranked, unavailable, {
    'error-log': `tail -n 100 ${host.nginx.errorLog}`,
    'nginx-config': 'nginx -T',
  });
  const report: HostReport = {
    host: host.name,
    address: host.address,
    durationMs: Math.round(performance.now() - started),
    verdict,
    notChecked: notChecked.map((n) => ({ ...n, reason: redact(n.reason) })),
    checks: checks.map((c) => ({ ...c, summary: redact(c.summary) })),
    findings: findings.map((f) => ({
      ...f,
      title: redact(f.title),
      evidence: f.evidence.map(redact),
      remediation: f.remediation.map(redact),
    })),
    // Nothing is ruled out where nothing could be checked (the SSH connection failed).
    ruledOut: (excluded ?? []).map((r) => ({ ...r, evidence: redact(r.evidence) })),
    ...(chart ? { errorSeries: chart } : {}),
    ...(logs ? { logsRead: logs.map((l) => ({ ...l, ...(l.why ? { why: redact(l.why) } : {}) })) } : {}),
  };
  options.onProgress?.({ type: 'host-done', host: host.name, report });
  return report;
}
