import type { WebClient } from '@slack/web-api';
import { renderEvidenceFile } from '../report/block-kit.js';
import type { TargetReport } from '../report/types.js';

/** The full evidence as a text file in the report's thread (files.upload is gone: filesUploadV2). */
export async function uploadEvidence(
  client: WebClient,
  channel: string,
  threadTs: string,
  report: TargetReport,
): Promise<void> {
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  await client.filesUploadV2({
    channel_id: channel,
    thread_ts: threadTs,
    content: renderEvidenceFile(report),
    filename: `diagnose502-${report.target}-${stamp}.txt`,
    title: `diagnose502 ${report.target}: all evidence`,
  });
}
