/** What a restart job carries through Redis, parsed when the worker takes it. */
import { z } from 'zod';

/**
 * The steps recorded in the job (job.updateData) before and after the command: a worker that takes
 * a job whose step is `running` knows a previous worker died while the command ran, and does not
 * run it again.
 */
export const RestartStepName = z.enum(['queued', 'locked', 'running', 'ran', 'done']);
export type RestartStepName = z.infer<typeof RestartStepName>;

export const RestartJobDataSchema = z.object({
  actionId: z.string().min(1),
  userId: z.string().min(1),
  channel: z.string().min(1),
  /** The report's message: the restart's own message goes in its thread. */
  threadTs: z.string().min(1),
  step: RestartStepName.default('queued'),
  /** The thread message showing the steps, once posted. */
  statusTs: z.string().optional(),
  exitCode: z.number().int().nullable().optional(),
});
export type RestartJobData = z.input<typeof RestartJobDataSchema>;

export const RESTART_JOB_NAME = 'restart';
