/**
 * A "wrong" vote as a lab-scenario skeleton (issue 20): the data a new entry of
 * lab/scenarios/table.ts starts from (the host, the cause the person says it was, the verdict that
 * was given, the evidence the report saw, the person's notes), so that a verdict that was wrong
 * becomes a test. Pure: file names and contents from a stored entry.
 */
import { CAUSES, type Cause } from '../parse/causes.js';
import type { FeedbackEntry } from './feedback-entry.js';

export interface ScenarioSkeleton {
  /** A scenario name: lowercase letters, digits and dashes (also the file name). */
  name: string;
  host: string;
  /** What the person said it was; null when they only wrote words (read `notes`). */
  expectedCause: Cause | null;
  /** What the report said. */
  givenCause: string;
  givenConfidence: number;
  evidence: string[];
  /** The person's own words (redacted when stored). */
  notes: string;
  reportedBy: string;
  reportedAt: string;
  report: { id: string; channel: string; messageTs: string };
  /** The captured evidence, beside this file. */
  evidenceFile: string;
}

const isCause = (c: string | undefined): c is Cause =>
  c !== undefined && (CAUSES as readonly string[]).includes(c);

/** Only [a-z0-9-]: a name from a host or a cause can never leave the output directory. */
export function slug(text: string, max = 40): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.slice(0, max).replace(/-+$/g, '') || 'x';
}

export function scenarioSkeleton(entry: FeedbackEntry & { id: string }): ScenarioSkeleton {
  const expected = isCause(entry.answerCause) ? entry.answerCause : null;
  const name = [
    'feedback',
    slug(entry.host),
    slug(entry.givenCause),
    'was',
    expected ?? 'other',
    slug(entry.id.replace('-', 's'), 24),
  ].join('-');
  return {
    name,
    host: entry.host,
    expectedCause: expected,
    givenCause: entry.givenCause,
    givenConfidence: entry.confidence,
    evidence: entry.evidence,
    notes: entry.answerText ?? '',
    reportedBy: entry.who,
    reportedAt: entry.at,
    report: { id: entry.reportId, channel: entry.channel, messageTs: entry.messageTs },
    evidenceFile: `${name}.evidence.txt`,
  };
}

/** The captured evidence as a text file: what the report saw, then what the person said. */
export function evidenceText(s: ScenarioSkeleton): string {
  return [
    `# ${s.name}`,
    `# host ${s.host}: diagnose502 said ${s.givenCause} (${Math.round(s.givenConfidence * 100)}%);`,
    `# ${s.reportedBy} said ${s.expectedCause ?? '(no cause picked)'} at ${s.reportedAt}`,
    ...(s.notes ? [`# notes: ${s.notes.replace(/\r?\n/g, ' ')}`] : []),
    '',
    ...s.evidence,
    '',
  ].join('\n');
}
