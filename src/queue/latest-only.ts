/**
 * Sends only the latest of a stream of states, at most once per `intervalMs`, one send at a time.
 * `flush()` waits for the send in flight and drops what is pending, so that a final report is
 * never overwritten by a late progress update. Slack's `chat.update` is Tier 3 (50+ per minute):
 * one update a second per message keeps even a busy worker inside it.
 */
export class LatestOnly<T> {
  private pending: { value: T } | undefined;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSentAt = 0;
  private closed = false;

  constructor(
    private readonly send: (value: T) => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  push(value: T): void {
    if (this.closed) return;
    this.pending = { value };
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.inFlight || !this.pending) return;
    const wait = Math.max(0, this.lastSentAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const next = this.pending;
      this.pending = undefined;
      if (!next || this.closed) return;
      this.lastSentAt = Date.now();
      this.inFlight = this.send(next.value)
        .catch(this.onError)
        .finally(() => {
          this.inFlight = undefined;
          this.schedule();
        });
    }, wait);
  }

  /** Stops sending: waits for the send in flight, drops the rest. */
  async flush(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    await this.inFlight;
  }
}
