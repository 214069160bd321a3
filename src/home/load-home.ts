/**
 * What the Home tab shows, read from Redis: the history's recent reports, the watches running, the
 * restart locks held and the feedback tally. Each part is read on its own: one that fails is shown
 * as empty and logged rather than costing the whole tab.
 */
import type { Logger } from 'pino';
import { actionKeys } from '../actions/keys.js';
import { feedbackTally } from '../feedback/feedback-store.js';
import { recentReports } from '../history/history-store.js';
import type { Inventory } from '../inventory/types.js';
import type { RedisConn } from '../queue/redis.js';
import { listActiveWatches } from '../watch/watch-store.js';
import { HOME_RECENT, type HomeData } from './home-view.js';
import { heldRestartLocks } from './restart-locks.js';

export interface HomeDeps {
  redis: RedisConn;
  queueName: string;
  retentionDays: number;
  inventory(): Inventory;
  logger: Logger;
  now?(): number;
}

export async function loadHome(deps: HomeDeps): Promise<HomeData> {
  const now = deps.now?.() ?? Date.now();
  const part = <T>(what: string, read: () => Promise<T[]>): Promise<T[]> =>
    read().catch((err) => {
      deps.logger.warn({ part: what, err: String(err) }, 'App Home: a part could not be read; shown empty');
      return [];
    });
  const [recent, watches, locks, tally] = await Promise.all([
    part('recent', () => recentReports(deps.redis, deps.queueName, HOME_RECENT)),
    part('watches', () => listActiveWatches(deps.redis, deps.queueName, now)),
    part('locks', () => heldRestartLocks(deps.redis, actionKeys(deps.queueName), deps.inventory(), now)),
    part('feedback', () => feedbackTally(deps.redis, deps.queueName)),
  ]);
  return { now, retentionDays: deps.retentionDays, recent, watches, locks, tally };
}
