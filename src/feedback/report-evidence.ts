/**
 * The evidence a "wrong" vote keeps: the lines the report showed for its verdict. One host: its first
 * finding's evidence; a group: each host's first finding, its host name in front. Bounded and
 * redacted again when stored (feedback-entry.ts).
 */
import type { TargetReport } from '../report/types.js';

const PER_HOST = 5;

export function reportEvidence(report: TargetReport): string[] {
  if (report.hosts.length === 1) return [...(report.hosts[0]?.findings[0]?.evidence ?? [])];
  return report.hosts.flatMap((h) => {
    const f = h.findings[0];
    if (!f) return [`${h.host}: (no finding)`];
    return [
      `${h.host}: [${f.cause}] ${f.title}`,
      ...f.evidence.slice(0, PER_HOST).map((l) => `${h.host}: ${l}`),
    ];
  });
}
