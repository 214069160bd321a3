/**
 * The evidence a "wrong" vote keeps: what the report based its verdict on. Per host: the first
 * finding (cause and title), its evidence lines, and the checks that did not pass; a group's lines
 * carry their host's name. Bounded and redacted again when stored (feedback-entry.ts).
 */
import type { HostReport, TargetReport } from '../report/types.js';

const PER_HOST_GROUP = 6;

function hostLines(h: HostReport): string[] {
  const f = h.findings[0];
  const head = f ? [`verdict: [${f.cause}] ${f.title}`, ...f.evidence] : ['verdict: no finding'];
  const checks = h.checks
    .filter((c) => c.status !== 'ok' && c.status !== 'skipped')
    .map((c) => `check ${c.id} ${c.status}: ${c.summary}`);
  const notChecked = h.notChecked.map((n) => `not checked ${n.check}: ${n.reason}`);
  return [...head, ...checks, ...notChecked];
}

export function reportEvidence(report: TargetReport): string[] {
  const only = report.hosts.length === 1 ? report.hosts[0] : undefined;
  if (only) return hostLines(only);
  return report.hosts.flatMap((h) =>
    hostLines(h)
      .slice(0, PER_HOST_GROUP)
      .map((l) => `${h.host}: ${l}`),
  );
}
