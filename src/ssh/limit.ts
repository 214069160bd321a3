/**
 * A tiny FIFO concurrency limiter. sshd refuses channels beyond `MaxSessions` (default 10) per
 * connection, so at most N commands run at once on one session. Hand-written: no small limiter is
 * installed and this is shorter than a dependency.
 */

export const DEFAULT_MAX_CHANNELS = 8;

export interface Limiter {
  /** Runs `task` when a slot is free. If `signal` aborts while waiting, rejects with its reason. */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  readonly active: number;
  readonly pending: number;
}

export function createLimiter(max: number = DEFAULT_MAX_CHANNELS): Limiter {
  if (!Number.isInteger(max) || max < 1)
    throw new RangeError(`limiter size must be a positive integer, got ${max}`);
  let active = 0;
  const queue: Array<() => void> = [];

  const release = () => {
    active--;
    const next = queue.shift();
    if (next !== undefined) next();
  };

  return {
    get active() {
      return active;
    },
    get pending() {
      return queue.length;
    },
    run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const start = () => {
          signal?.removeEventListener('abort', onAbort);
          active++;
          let running: Promise<T>;
          try {
            running = task();
          } catch (error) {
            running = Promise.reject(error);
          }
          // Settle with the task's outcome, then free the slot (also when the task throws).
          running.then(resolve, reject).finally(release);
        };
        const onAbort = () => {
          const at = queue.indexOf(start);
          if (at !== -1) queue.splice(at, 1);
          reject(signal?.reason);
        };
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        if (active < max) start();
        else {
          queue.push(start);
          signal?.addEventListener('abort', onAbort, { once: true });
        }
      });
    },
  };
}
