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
 * The report message, with the native chart and the feedback control where the workspace has them.
 * A workspace (or surface) without one of those blocks answers `invalid_blocks`: the message goes
 * again without what was refused (the chart: its PNG still follows in the thread; the feedback: as
 * two plain buttons). Slack's error points at the refused block (`json-pointer:/blocks/N`); without
 * a pointer both are dropped at once. A workspace whose refusal named the chart is remembered. A
 * refusal of anything else is the error, as before.
 */
async function postMessage(client: WebClient, d: ReportDelivery, opts: DeliverOptions): Promise<MessageRef> {
  const gate = opts.nativeChart;
  let chart =
    gate !== undefined &&
    d.body.type === 'report' &&
    nativeChartBlocks(d.body.report).length > 0 &&
    (await gate.wanted(d.data.teamId));
  let plainFeedback = false;
  for (;;) {
    let msg = renderMessage(d, opts, chart);
    if (plainFeedback) msg = withFeedbackFallback(msg) ?? msg;
    try {
      return await sendMessage(client, d, opts, msg);
    } catch (err) {
      if (slackErrorCode(err) !== 'invalid_blocks') throw err;
      const refused = refusedBlockTypes(err, msg);
      const has = (type: string) => msg.blocks.some((b) => b.type === type);
      const dropChart = has('data_visualization') && (!refused || refused.has('data_visualization'));
      const dropFeedback = has('context_actions') && (!refused || refused.has('context_actions'));
      if (!dropChart && !dropFeedback) throw err;
      if (dropChart) chart = false;
      if (dropFeedback) plainFeedback = true;
      if (dropChart && refused && gate) await gate.refused(d.data.teamId);
      opts.logger.warn(
        { jobId: d.diagnosisJobId, teamId: d.data.teamId, messages: errorMessages(err) },
        `Slack refused the report's blocks: sent again${dropChart ? ' without the native chart (the PNG is in the thread)' : ''}${dropFeedback ? ' with plain feedback buttons' : ''}`,
      );
    }
  }
}

function renderMessage(d: ReportDelivery, opts: DeliverOptions, nativeChart: boolean): SlackMessage {
  const meta = { requestedBy: d.data.requestedBy.userId, jobId: d.diagnosisJobId, nativeChart };
  const msg =
    d.body.type === 'report'
      ? renderReport(d.body.report, {
          ...meta,
          ...(!opts.late && opts.restarts && opts.restarts.length > 0 ? { restarts: opts.restarts } : {}),
          ...(opts.feedback ? { feedback: opts.feedback } : {}),
        })
      : renderFailure(d.data.target, d.body.reason, false, meta);
  return opts.late ? markLate(msg, opts.late) : msg;
}

function errorMessages(err: unknown): unknown {
  return (err as { data?: { response_metadata?: { messages?: unknown } } }).data?.response_metadata?.messages;
}

/** The types of the blocks Slack's error points at, or undefined when it points at none. */
function refusedBlockTypes(err: unknown, msg: SlackMessage): Set<string> | undefined {
  const messages = errorMessages(err);
  if (!Array.isArray(messages)) return undefined;
  const types = new Set<string>();
  for (const m of messages) {
    const at = /json-pointer:\/blocks\/(\d+)/.exec(String(m));
    const block = at ? msg.blocks[Number(at[1])] : undefined;
    if (block) types.add(block.type);
  }
  return types.size > 0 ? types : undefined;
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
