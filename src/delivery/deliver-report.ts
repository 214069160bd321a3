/**
 * A finished diagnosis to Slack, step by step and in order: the report message (the "Diagnosing …"
 * message turned into it, or a new one), then its thread: the evidence file, then the charts. The
 * same steps run at once in the job (slack-publisher.ts) and later from the outbox; each step done is
 * recorded, so that a delivery taken over resumes after it instead of posting it again.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { RestartOffer } from '../actions/restart-offer.js';
import type { MessageRef } from '../queue/job-data.js';
import { renderFailure, renderReport } from '../report/block-kit.js';
import { nativeChartBlocks } from '../report/block-kit-chart.js';
import { type FeedbackStyle, withFeedbackFallback } from '../report/block-kit-feedback.js';
import { type Lateness, markLate } from '../report/block-kit-late.js';
import type { SlackMessage } from '../report/block-kit-types.js';
import type { NativeChartGate } from '../slack/native-chart-gate.js';
import { isSlackOutage, SlackOutageError } from '../slack/slack-outage.js';
import { uploadCharts } from '../slack/upload-chart.js';
import { uploadEvidence } from '../slack/upload-evidence.js';
import { slackErrorCode } from '../slack/web-client.js';
import type { ReportDelivery, ReportSteps } from './delivery-data.js';

export interface DeliverOptions {
  /** The thread's real ts for a reply in an alert group's thread (resolved by the caller). */
  threadTs?: string;
  /** Set when delivered after an outage: the message says when it was diagnosed. */
  late?: Lateness;
  /** Restart buttons; never on a late report (its evidence is old, and Re-run gives fresh ones). */
  restarts?: RestartOffer[];
  /** The feedback control under a report (DIAGNOSE502_FEEDBACK); default `native`. */
  feedback?: FeedbackStyle;
  /** The chart as Slack's `data_visualization` block too, where the workspace has it (native-chart-gate.ts). */
  nativeChart?: NativeChartGate;
  /** Called after each step with everything done so far (persist it before the next step). */
  onStep(done: ReportSteps): Promise<void>;
  logger: Logger;
}

/** Slack did not answer at some step: the steps done so far come with it, to resume from. */
export class DeliveryInterrupted extends SlackOutageError {
  constructor(
    cause: unknown,
    readonly done: ReportSteps,
  ) {
    super(cause);
  }
}

export async function deliverReport(
  client: WebClient,
  d: ReportDelivery,
  opts: DeliverOptions,
): Promise<ReportSteps> {
  let done: ReportSteps = { ...d.done };
  const step = async (what: 'message' | 'evidence' | 'charts', run: () => Promise<Partial<ReportSteps>>) => {
    try {
      done = { ...done, ...(await run()) };
    } catch (err) {
      if (isSlackOutage(err)) throw new DeliveryInterrupted(err, done);
      // The report is what matters: a refused message is an error as before; a refused file is
      // logged and skipped ("Show all evidence" posts the file again).
      if (what === 'message') throw err;
      opts.logger.warn({ jobId: d.diagnosisJobId, err: slackErrorCode(err) }, `${what} not uploaded`);
      done = { ...done, [what]: true };
    }
    await opts.onStep(done);
  };

  if (!done.message) {
    await step('message', async () => ({ message: await postMessage(client, d, opts) }));
  }
  const message = done.message as MessageRef;
  // Slack threads are one level deep: in an alert's thread, the files go to that thread.
  const threadTs = opts.threadTs ?? message.ts;
  if (d.body.type === 'report') {
    const report = d.body.report;
    if (!done.evidence)
      await step('evidence', async () => {
        await uploadEvidence(client, message.channel, threadTs, report);
        return { evidence: true };
      });
    if (!done.charts)
      await step('charts', async () => {
        await uploadCharts(client, message.channel, threadTs, report);
        return { charts: true };
      });
  }
  return done;
}

/**
 * The report message, with the native chart where the workspace has it. A workspace without the
 * block answers `invalid_blocks`: the same message goes once more without it (the PNG still follows
 * in the thread), and the workspace is remembered. A second refusal is not about the chart: it is
 * the error, as before.
 */
async function postMessage(client: WebClient, d: ReportDelivery, opts: DeliverOptions): Promise<MessageRef> {
  const gate = opts.nativeChart;
  const chart =
    gate !== undefined &&
    d.body.type === 'report' &&
    nativeChartBlocks(d.body.report).length > 0 &&
    (await gate.wanted(d.data.teamId));
  if (!chart) return sendReport(client, d, opts, false);
  try {
    return await sendReport(client, d, opts, true);
  } catch (err) {
    if (slackErrorCode(err) !== 'invalid_blocks') throw err;
    const ref = await sendReport(client, d, opts, false);
    await gate.refused(d.data.teamId);
    const messages = (err as { data?: { response_metadata?: { messages?: unknown } } }).data
      ?.response_metadata?.messages;
    opts.logger.warn(
      { jobId: d.diagnosisJobId, teamId: d.data.teamId, messages },
      'Slack refused the data_visualization block: sent without it; the chart is the PNG in the thread',
    );
    return ref;
  }
}

/**
 * The report rendered and sent; a Slack (or a surface) that does not know context_actions refuses
 * the whole message, so it goes again with the feedback as plain buttons (block-kit-feedback.ts).
 * With the native chart as well, a refusal of both comes back to postMessage, which drops the chart.
 */
async function sendReport(
  client: WebClient,
  d: ReportDelivery,
  opts: DeliverOptions,
  nativeChart: boolean,
): Promise<MessageRef> {
  const meta = { requestedBy: d.data.requestedBy.userId, jobId: d.diagnosisJobId, nativeChart };
  let msg =
    d.body.type === 'report'
      ? renderReport(d.body.report, {
          ...meta,
          ...(!opts.late && opts.restarts && opts.restarts.length > 0 ? { restarts: opts.restarts } : {}),
          ...(opts.feedback ? { feedback: opts.feedback } : {}),
        })
      : renderFailure(d.data.target, d.body.reason, false, meta);
  if (opts.late) msg = markLate(msg, opts.late);
  try {
    return await sendMessage(client, d, opts, msg);
  } catch (err) {
    const fallback = slackErrorCode(err) === 'invalid_blocks' ? withFeedbackFallback(msg) : undefined;
    if (!fallback) throw err;
    opts.logger.warn(
      { jobId: d.diagnosisJobId },
      'invalid_blocks: report sent again with plain feedback buttons',
    );
    return await sendMessage(client, d, opts, fallback);
  }
}

async function sendMessage(
  client: WebClient,
  d: ReportDelivery,
  opts: DeliverOptions,
  msg: SlackMessage,
): Promise<MessageRef> {
  if (d.ref) {
    await client.chat.update({ channel: d.ref.channel, ts: d.ref.ts, ...msg });
    return d.ref;
  }
  const channel = d.data.thread?.channel ?? d.data.channelId;
  const res = await client.chat.postMessage({
    channel,
    ...(opts.threadTs ? { thread_ts: opts.threadTs } : {}),
    ...msg,
  });
  if (!res.ts || !res.channel) throw new Error('chat.postMessage answered without ts/channel');
  return { channel: res.channel, ts: res.ts };
}
