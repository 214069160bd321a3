/**
 * Redis keys of the report history. Named from the bot's queue name like actions/keys.ts, so two
 * bots (or two tests) on one Redis never see each other's history.
 */
export const historyKeys = (queueName: string) => {
  const base = `d502:${queueName}:history`;
  return {
    /** One report summary (JSON), expiring with the retention. */
    report: (id: string) => `${base}:report:${id}`,
    /** Sorted set of a host's report ids, scored by the time each report was final (epoch ms). */
    host: (host: string) => `${base}:host:${host}`,
    /** Sorted set of every host's report ids, newest last: the App Home's "recent diagnoses". */
    recent: `${base}:recent`,
  };
};
export type HistoryKeys = ReturnType<typeof historyKeys>;
