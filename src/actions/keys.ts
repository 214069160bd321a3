/**
 * Redis keys of the restart protocol. Every key carries the bot's queue name, so that two bots (or
 * two tests) on one Redis never see each other's buttons, locks or audit trail.
 */
export const actionKeys = (queueName: string) => {
  const base = `d502:${queueName}`;
  return {
    record: (id: string) => `${base}:action:${id}`,
    /** Set once, by the first accepted click: a replayed or second click finds it. */
    used: (id: string) => `${base}:action-used:${id}`,
    lock: (host: string, service: string) => `${base}:restart-lock:${host}:${service}`,
    cooldown: (host: string, service: string) => `${base}:restart-cooldown:${host}:${service}`,
    groupSlot: (group: string, slot: number) => `${base}:restart-group:${group}:${slot}`,
    audit: `${base}:audit`,
    queue: `${queueName}-restarts`,
  };
};
export type ActionKeys = ReturnType<typeof actionKeys>;
