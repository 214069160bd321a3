/**
 * Rejects when `promise` has not settled within `ms`. BullMQ waits for Redis to be ready before
 * any command, without limit: with Redis down, an enqueue would hang past Slack's 3 s ack deadline.
 */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
