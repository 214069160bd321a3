/**
 * puma 5 (cluster mode) writes no line when a worker dies: a worker killed by a signal (SIGKILL,
 * a crash in a native extension) is only seen when the master boots its replacement,
 * `[25998] - Worker 0 (PID: 26071) booted in 0.0s, phase: 0`, the same index under the same master
 * and phase as a worker that booted before (captured from Debian's puma 5.6.5,
 * test/unit/parse/fixtures/app-logs/puma-5.6.5.log.txt). That re-boot is the death's only trace,
 * unless the master killed the worker itself (`! Terminating timed out worker ...: PID`, C09), a
 * phased restart moved the phase on, or the master restarted. Patterns are bounded (hostile text).
 */
const BOOTED =
  /\[(\d{1,10})\] - Worker (\d{1,6}) \(PID: (\d{1,10})\) booted in [\d.]{1,20}s, phase: (\d{1,6})/;
/** puma 5 `(worker failed to check in within 6 seconds): PID`, puma 6 `(Worker 0 failed to ...): PID`. */
const TIMED_OUT = /\[(\d{1,10})\] ! Terminating timed out worker .{0,200}?: (\d{1,10})\s*$/;
/** The master (re)starts or stops: what it knew of its workers no longer holds. */
const MASTER_RESET =
  /=== puma (?:startup|shutdown): |Puma starting in (?:cluster|single) mode|Gracefully shutting down workers|Use Ctrl-C to stop/;

export class PumaWorkers {
  /** `master#index` -> the worker's pid and phase at its last boot. */
  private readonly workers = new Map<string, { pid: string; phase: string }>();
  /** Pids the master killed itself (timed out). */
  private readonly killedByMaster = new Set<string>();

  /** Reads the next log line; true when it is the re-boot of a worker that died with no line of its own. */
  rebootAfterDeath(line: string): boolean {
    if (MASTER_RESET.test(line)) {
      this.workers.clear();
      this.killedByMaster.clear();
      return false;
    }
    const t = TIMED_OUT.exec(line);
    if (t?.[2]) {
      this.killedByMaster.add(t[2]);
      return false;
    }
    const b = BOOTED.exec(line);
    if (!b) return false;
    const [, master, index, pid, phase] = b as unknown as [string, string, string, string, string];
    const key = `${master}#${index}`;
    const before = this.workers.get(key);
    this.workers.set(key, { pid, phase });
    if (!before || before.phase !== phase || before.pid === pid) return false;
    return !this.killedByMaster.delete(before.pid);
  }
}
