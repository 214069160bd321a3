import type { HostClock } from '../parse/time.js';
import type { ProbeSink } from '../probes/collect-host.js';
import type { ProbeOutputs, ProbeRecords } from '../probes/probe-set.js';
import type { AnyProbeRecord, OutputOf, ProbeView, ProbeWindow } from '../probes/record.js';
import type { ProbeContext } from '../probes/types.js';
import { diagnosisWindow, localClock } from './window.js';

/**
 * What is known about one host between its probes and its diagnosis: each probe's typed result (by
 * probe id), why the probes that could not check did not, the host's clock and the window measured on
 * it. Collection (probes/collect-host.ts) fills it; the records read it as their ProbeView while it
 * fills, and the evidence (diagnosis/build-evidence.ts) is read from it at the end.
 */
export class HostFacts implements ProbeView, ProbeSink {
  readonly results: Partial<ProbeOutputs> = {};
  /** Probe id -> why it could not check. */
  readonly unavailable: Record<string, string> = {};
  private hostClock: HostClock | undefined;

  /** `now`: this machine's clock, used only while no probe has read the host's. */
  constructor(
    readonly ctx: ProbeContext,
    private readonly now: () => number = Date.now,
  ) {}

  /** The host's clock: the first one a probe read (one per batch), else this machine's. */
  get clock(): HostClock {
    return this.hostClock ?? localClock(this.now());
  }

  get window(): ProbeWindow {
    return diagnosisWindow(this.clock, this.ctx.sinceS);
  }

  result<R extends AnyProbeRecord>(record: R): OutputOf<R> | undefined {
    return (this.results as Record<string, unknown>)[record.id] as OutputOf<R> | undefined;
  }

  store<R extends ProbeRecords>(record: R, out: OutputOf<R>): void {
    (this.results as Record<string, unknown>)[record.id] = out;
    this.hostClock ??= (record as AnyProbeRecord).clock?.(out);
    const why = (record as AnyProbeRecord).notChecked?.(out, this);
    if (why !== undefined) this.unavailable[record.id] = why;
  }

  fail(record: ProbeRecords, reason: string): void {
    this.unavailable[record.id] = reason;
  }
}
