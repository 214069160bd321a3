/**
 * One vote on a report, as stored in the feedback stream. Everything a person or a report put in it
 * is bounded and redacted here, before it is stored: the free text a person types is hostile (it may
 * hold a pasted token, a megabyte, control characters), and the evidence may quote secrets.
 */
import { z } from 'zod';
import { redact } from '../parse/redact.js';

/** Bounds of what is kept (the modal's own input limit is ANSWER_MAX too). */
export const FEEDBACK_LIMITS = { answer: 500, evidenceLines: 40, evidenceLine: 600, field: 255 } as const;

export const FeedbackKind = z.enum(['right', 'wrong']);
export type FeedbackKind = z.infer<typeof FeedbackKind>;

export const FeedbackEntrySchema = z.object({
  /** ISO time of the vote. */
  at: z.string(),
  kind: FeedbackKind,
  /** Slack user id of who voted. */
  who: z.string(),
  /** The diagnosis job id: one report. */
  reportId: z.string(),
  /** The host (or the group) the report is about. */
  host: z.string(),
  /** The cause the report named first (its verdict). */
  givenCause: z.string(),
  confidence: z.number().min(0).max(1),
  channel: z.string(),
  messageTs: z.string(),
  /** "wrong" only: the cause the person picked from the catalog, if any. */
  answerCause: z.string().optional(),
  /** "wrong" only: what the person wrote, redacted and bounded. */
  answerText: z.string().optional(),
  /** "wrong" only: the report's evidence lines of its first finding, redacted and bounded. */
  evidence: z.array(z.string()).default([]),
});
export type FeedbackEntry = z.infer<typeof FeedbackEntrySchema>;

// C0 controls but tab and newline, DEL, C1, and bidi overrides: kept out of what is stored.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters removed
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Redacted, without control characters, at most `max` characters. */
export function cleanText(text: string, max: number): string {
  const clean = redact(text.slice(0, max * 4)).replace(CONTROLS, '');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** An entry as it may be stored: every string field bounded, free text and evidence redacted. */
export function boundEntry(entry: FeedbackEntry): FeedbackEntry {
  const f = FEEDBACK_LIMITS.field;
  const evidence = entry.evidence
    .slice(0, FEEDBACK_LIMITS.evidenceLines)
    .map((l) => cleanText(l, FEEDBACK_LIMITS.evidenceLine));
  if (entry.evidence.length > FEEDBACK_LIMITS.evidenceLines) {
    evidence.push(`… ${entry.evidence.length - FEEDBACK_LIMITS.evidenceLines} more lines not kept`);
  }
  return {
    at: entry.at,
    kind: entry.kind,
    who: cleanText(entry.who, f),
    reportId: cleanText(entry.reportId, f),
    host: cleanText(entry.host, f),
    givenCause: cleanText(entry.givenCause, f),
    confidence: entry.confidence,
    channel: cleanText(entry.channel, f),
    messageTs: cleanText(entry.messageTs, f),
    ...(entry.answerCause !== undefined ? { answerCause: cleanText(entry.answerCause, f) } : {}),
    ...(entry.answerText !== undefined
      ? { answerText: cleanText(entry.answerText, FEEDBACK_LIMITS.answer) }
      : {}),
    evidence,
  };
}
