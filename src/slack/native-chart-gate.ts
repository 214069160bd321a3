/**
 * Whether a report carries the chart as Slack's `data_visualization` block (issue 20 item 5): on
 * unless the bot is configured off (DIAGNOSE502_NATIVE_CHART=off), and not in a workspace that
 * refused the block lately. An older workspace answers `invalid_blocks`; the report is then sent
 * again without the block (delivery/deliver-report.ts) and the workspace is remembered, in this
 * process and in Redis (shared by every worker) for REMEMBER_S, so that it is asked again later:
 * workspaces gain blocks, and a remembered refusal should not outlive that for long.
 */
import type { RedisConn } from '../queue/redis.js';

export type NativeChartMode = 'auto' | 'off';

export interface NativeChartGate {
  /** Send the block to this workspace now? */
  wanted(teamId: string | undefined): Promise<boolean>;
  /** Slack refused the block there: the PNG alone for a while. */
  refused(teamId: string | undefined): Promise<void>;
}

/** Keys carry the queue name, as every key of the bot (actions/keys.ts). */
export const nativeChartKeys = (queueName: string) => ({
  refused: (team: string) => `d502:${queueName}:native-chart-refused:${team}`,
});

/** A week: long enough not to ask on every report, short enough to notice a workspace that gained it. */
export const REMEMBER_S = 7 * 86_400;

/** A job without a team (an alert's) belongs to the bot's own workspace. */
const teamOf = (teamId: string | undefined) => teamId ?? 'default';

export function nativeChartGate(
  mode: NativeChartMode,
  redis: RedisConn,
  queueName: string,
  onError: (err: unknown) => void = () => {},
): NativeChartGate {
  const keys = nativeChartKeys(queueName);
  const known = new Map<string, number>();
  return {
    async wanted(teamId) {
      if (mode === 'off') return false;
      const team = teamOf(teamId);
      const until = known.get(team);
      if (until !== undefined && until > Date.now()) return false;
      // Redis not answering must not cost the report its chart: Slack's own answer still decides.
      const stored = await redis.exists(keys.refused(team)).catch((err: unknown) => {
        onError(err);
        return 0;
      });
      return stored === 0;
    },
    async refused(teamId) {
      const team = teamOf(teamId);
      known.set(team, Date.now() + REMEMBER_S * 1000);
      await redis.set(keys.refused(team), String(Date.now()), 'EX', REMEMBER_S).catch(onError);
    },
  };
}
