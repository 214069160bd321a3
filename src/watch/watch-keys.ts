/**
 * Redis keys of Watch (issue 20). Every key carries the bot's queue name, like actions/keys.ts, so
 * that two bots (or two tests) on one Redis never see each other's watches. Each key is used only
 * with single-key commands and scripts, so a Redis Cluster needs no hash tag.
 */
export const watchKeys = (queueName: string) => {
  const base = `d502:${queueName}`;
  return {
    /** The host's one watch (JSON WatchState): taken with SET NX, so a second click joins it. */
    host: (host: string) => `${base}:watch:${host}`,
    /** Hosts under watch, scored by when their watch ends: what App Home lists. */
    active: `${base}:watches`,
    /** Who is watching (the starter and everyone who joined). */
    watchers: (id: string) => `${base}:watch-watchers:${id}`,
    /** Set by the Stop button (the user who pressed it); the next tick stops the watch. */
    stop: (id: string) => `${base}:watch-stop:${id}`,
    /** The BullMQ queue of the ticks (delayed jobs). */
    queue: `${queueName}-watch`,
  };
};
export type WatchKeys = ReturnType<typeof watchKeys>;
