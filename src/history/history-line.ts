/**
 * The history line of a report, as a pure function of plain data: whether the host was diagnosed
 * before, how often, with what cause, where the previous report is, and what the last restart of it
 * did (from the restart audit). E.g. "3rd time this week (upstream-down); last fixed by a restart of
 * app by U0ALICE, verified". Each sink renders it (Block Kit with a mention and a link, terminal,
 * JSON as this object); `summary` is the plain-text form.
 */
import type { ReportSummary } from './report-summary.js';

const DAY_MS = 86_400_000;
/** "this week": the last 7 days (a rolling week, not the calendar's). */
const WEEK_MS = 7 * DAY_MS;

/** A restart of the host from the audit trail (actions/audit.ts); dry runs and refusals are not restarts. */
export interface RestartFact {
  at: number;
  /** Slack user id of who clicked. */
  who: string;
  service: string;
  action: string;
  result: 'succeeded' | 'failed' | 'unknown';
}

export interface HostHistory {
  /** A report of this host is kept from before this one (within the retention). */
  seenBefore: boolean;
  retentionDays: number;
  /** This report's place among the host's reports in `period` (2: "2nd time"); 1 when not seen before. */
  nth: number;
  period: 'this week' | 'retention';
  /** Causes over the period, this report's included, most frequent first. */
  causes: Array<{ cause: string; count: number }>;
  /** The newest earlier report. */
  previous?: {
    at: string;
    verdict: ReportSummary['verdict'];
    cause?: string;
    confidence?: number;
    channel?: string;
    ts?: string;
    permalink?: string;
  };
  /** The newest restart of a service of this host within the retention (succeeded: verified). */
  lastRestart?: { at: string; who: string; service: string; action: string; result: RestartFact['result'] };
  /** The line in plain text (JSON, terminal, the notification text). */
  summary: string;
}

export interface HistoryInput {
  host: string;
  now: number;
  retentionDays: number;
  /** This report's id, cause (or verdict when no cause). */
  current: { id: string; label: string };
  /** The host's kept summaries (any order; this report's own is ignored when present). */
  kept: readonly ReportSummary[];
  /** The host's restarts from the audit (any order). */
  restarts: readonly RestartFact[];
}

export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${{ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th'}`;
}

/** What a summary is "about": its cause, else its verdict (an inconclusive run is history too). */
export const summaryLabel = (s: Pick<ReportSummary, 'cause' | 'verdict'>): string => s.cause ?? s.verdict;

function causeText(causes: HostHistory['causes']): string {
  return causes
    .map((c) => (causes.length > 1 && c.count > 1 ? `${c.cause} ×${c.count}` : c.cause))
    .join(', ');
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The words around the person of a restart: "last fixed by a restart of app by ", ", verified". */
export function restartWords(r: NonNullable<HostHistory['lastRestart']>): { before: string; after: string } {
  const what = r.action === 'reload-nginx' ? `a reload of ${r.service}` : `a restart of ${r.service}`;
  if (r.result === 'succeeded') return { before: `last fixed by ${what} by `, after: ', verified' };
  if (r.result === 'failed')
    return { before: `last tried: ${what} by `, after: ', which did not pass its verification' };
  return { before: `last tried: ${what} by `, after: ', outcome unknown' };
}

/** The head of the line: "3rd time this week (upstream-down)" or "not diagnosed before (30 days)". */
export function historyHead(h: HostHistory): string {
  if (!h.seenBefore) return `first diagnosis of this host in ${h.retentionDays} days`;
  const period = h.period === 'this week' ? 'this week' : `in ${h.retentionDays} days`;
  return `${ordinal(h.nth)} time ${period} (${causeText(h.causes)})`;
}

export function hostHistory(input: HistoryInput): HostHistory {
  const retentionMs = input.retentionDays * DAY_MS;
  const earlier = input.kept
    .filter((s) => s.id !== input.current.id && s.at <= input.now && s.at > input.now - retentionMs)
    .sort((a, b) => b.at - a.at);
  const inWeek = earlier.filter((s) => s.at > input.now - WEEK_MS);
  const period: HostHistory['period'] = inWeek.length > 0 || earlier.length === 0 ? 'this week' : 'retention';
  const counted = period === 'this week' ? inWeek : earlier;
  const tally = new Map<string, number>([[input.current.label, 1]]);
  for (const s of counted) tally.set(summaryLabel(s), (tally.get(summaryLabel(s)) ?? 0) + 1);
  const causes = [...tally.entries()]
    .map(([cause, count]) => ({ cause, count }))
    .sort((a, b) => b.count - a.count || a.cause.localeCompare(b.cause));
  const prev = earlier[0];
  const restart = input.restarts
    .filter((r) => r.at <= input.now && r.at > input.now - retentionMs)
    .sort((a, b) => b.at - a.at)[0];
  const h: HostHistory = {
    seenBefore: earlier.length > 0,
    retentionDays: input.retentionDays,
    nth: counted.length + 1,
    period,
    causes,
    ...(prev
      ? {
          previous: {
            at: new Date(prev.at).toISOString(),
            verdict: prev.verdict,
            ...(prev.cause !== undefined ? { cause: prev.cause } : {}),
            ...(prev.confidence !== undefined ? { confidence: prev.confidence } : {}),
            ...(prev.channel !== undefined ? { channel: prev.channel } : {}),
            ...(prev.ts !== undefined ? { ts: prev.ts } : {}),
            ...(prev.permalink !== undefined ? { permalink: prev.permalink } : {}),
          },
        }
      : {}),
    ...(restart
      ? {
          lastRestart: {
            at: new Date(restart.at).toISOString(),
            who: restart.who,
            service: restart.service,
            action: restart.action,
            result: restart.result,
          },
        }
      : {}),
    summary: '',
  };
  const parts = [historyHead(h)];
  if (h.previous)
    parts.push(
      `previous report ${utc(prev?.at ?? 0)}${h.previous.permalink ? ` ${h.previous.permalink}` : ''}`,
    );
  if (h.lastRestart) {
    const w = restartWords(h.lastRestart);
    parts.push(`${w.before}${h.lastRestart.who}${w.after}`);
  }
  h.summary = parts.join('; ');
  return h;
}
