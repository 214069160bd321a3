/**
 * What the outbox keeps in Redis while Slack does not answer: a finished report (or a final
 * failure) and how far its delivery got, a message to post (an alert group's head, a note in its
 * thread) or the latest state of a message to update. Parsed with zod when a worker takes it.
 */
import { z } from 'zod';
import { DiagnoseJobDataSchema, MessageRefSchema } from '../queue/job-data.js';
import type { SlackMessage } from '../report/block-kit-types.js';
import type { TargetReport } from '../report/types.js';

/** Written by this bot's own workers: the envelope is checked, the report's inside is trusted. */
const TargetReportSchema = z.custom<TargetReport>(
  (v) =>
    z
      .looseObject({
        target: z.string(),
        sinceS: z.number(),
        startedAt: z.string(),
        hosts: z.array(z.looseObject({ host: z.string() })),
      })
      .safeParse(v).success,
  'not a report',
);

const SlackMessageSchema = z.custom<SlackMessage>(
  (v) => z.object({ text: z.string(), blocks: z.array(z.unknown()) }).safeParse(v).success,
  'not a Slack message',
);

/** Steps of a report's delivery already done: a worker that takes it over resumes after them. */
export const ReportStepsSchema = z.object({
  message: MessageRefSchema.optional(),
  evidence: z.boolean().optional(),
  charts: z.boolean().optional(),
});
export type ReportSteps = z.infer<typeof ReportStepsSchema>;

export const ReportDeliverySchema = z.object({
  kind: z.literal('report'),
  diagnosisJobId: z.string().min(1),
  data: DiagnoseJobDataSchema,
  /** The "Diagnosing …" message, when it could be posted: the report replaces it. */
  ref: MessageRefSchema.optional(),
  body: z.discriminatedUnion('type', [
    z.object({ type: z.literal('report'), report: TargetReportSchema }),
    z.object({ type: z.literal('failure'), reason: z.string() }),
  ]),
  diagnosedAt: z.number(),
  done: ReportStepsSchema,
});
export type ReportDelivery = z.infer<typeof ReportDeliverySchema>;

export const PostDeliverySchema = z.object({
  kind: z.literal('post'),
  /** Stands for the message's ts until it is posted (see outbox.ts). */
  placeholder: z.string().min(1),
  channel: z.string().min(1),
  threadTs: z.string().min(1).optional(),
  message: SlackMessageSchema,
  createdAt: z.number(),
});

export const UpdateDeliverySchema = z.object({
  kind: z.literal('update'),
  channel: z.string().min(1),
  /** A real ts, or the placeholder of a message not posted yet. */
  ts: z.string().min(1),
  createdAt: z.number(),
});

export const DeliverySchema = z.discriminatedUnion('kind', [
  ReportDeliverySchema,
  PostDeliverySchema,
  UpdateDeliverySchema,
]);
export type Delivery = z.infer<typeof DeliverySchema>;
