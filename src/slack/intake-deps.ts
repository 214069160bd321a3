import type { Logger } from 'pino';
import type { Inventory } from '../inventory/types.js';
import type { IntakeLimits, RefusalReason } from '../queue/intake-limits.js';
import type { DiagnoseJobData } from '../queue/job-data.js';
import type { Enqueued } from '../queue/producer.js';
import type { TargetReport } from '../report/types.js';

/** What the Bolt listeners need, wired by the composition root (serve or start). */
export interface IntakeDeps {
  inventory(): Inventory;
  enqueue(data: DiagnoseJobData): Promise<Enqueued>;
  /** The report of a finished job, while Redis keeps it (see KEEP_COMPLETED_S). */
  findReport(jobId: string): Promise<TargetReport | undefined>;
  allowedChannels: readonly string[];
  allowedUsers: readonly string[];
  logger: Logger;
  /** Per person, per channel and queue-wide limits, checked before anything is queued. */
  limits?: IntakeLimits;
  /** Counts each command by how it was answered. */
  onCommand?(
    outcome: 'queued' | 'joined' | 'help' | 'unknown-target' | 'usage' | 'refused' | 'limited' | 'error',
  ): void;
  /** Counts each refusal by a limit (metrics). */
  onLimited?(source: 'command' | 'rerun', reason: RefusalReason): void;
}

export function allowed(
  deps: Pick<IntakeDeps, 'allowedUsers' | 'allowedChannels'>,
  userId: string,
  channelId: string,
): boolean {
  const userOk = deps.allowedUsers.length === 0 || deps.allowedUsers.includes(userId);
  const channelOk = deps.allowedChannels.length === 0 || deps.allowedChannels.includes(channelId);
  return userOk && channelOk;
}
