/**
 * After a report's message is posted: its permalink (chat.getPermalink, Tier 4, no scope needed) is
 * kept with the report's history summaries, so the next report of the host links to it. Kept in
 * Redis rather than found later by reading the channel's history back (see the 2025 rate limits of
 * conversations.history). Neither a refused permalink nor Redis may cost the report: logged only.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { ReportHistory } from '../history/report-history.js';
import type { MessageRef } from '../queue/job-data.js';
import type { TargetReport } from '../report/types.js';
import { slackErrorCode } from './web-client.js';

export async function keepReportLink(
  client: WebClient,
  history: ReportHistory,
  jobId: string,
  report: TargetReport,
  ref: MessageRef,
  logger: Logger,
): Promise<void> {
  let permalink: string | undefined;
  try {
    const res = await client.chat.getPermalink({ channel: ref.channel, message_ts: ref.ts });
    permalink = typeof res.permalink === 'string' ? res.permalink : undefined;
  } catch (err) {
    logger.warn({ jobId, err: slackErrorCode(err) }, 'no permalink for the report; its history has no link');
  }
  await history
    .posted(jobId, report, ref, permalink)
    .catch((err) => logger.warn({ jobId, err: String(err) }, 'report link not kept in the history'));
}
