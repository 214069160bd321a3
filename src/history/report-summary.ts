/**
 * What the history keeps of a final report, per host: enough to say "3rd time this week
 * (upstream-down)" and to link the report, nothing of its evidence. Parsed with zod when read back.
 */
import { z } from 'zod';

export const ReportSummarySchema = z.object({
  /** `<diagnosis job id>:<host>`: a retried job writes the same summary again, not a second one. */
  id: z.string().min(1).max(600),
  host: z.string().min(1),
  /** What was asked for (the host, or the group it was diagnosed in). */
  target: z.string(),
  verdict: z.enum(['cause-found', 'no-cause', 'inconclusive']),
  /** The first finding's cause and confidence (absent when there was no finding). */
  cause: z.string().optional(),
  confidence: z.number().min(0).max(1).optional(),
  /** When the report was final (epoch ms). */
  at: z.number().int(),
  /** Where the report message is, and its permalink (chat.getPermalink), once posted. */
  channel: z.string().optional(),
  ts: z.string().optional(),
  permalink: z.string().optional(),
});
export type ReportSummary = z.infer<typeof ReportSummarySchema>;
