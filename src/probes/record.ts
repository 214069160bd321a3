import type { HostClock } from '../parse/time.js';
import type { CheckStatus } from './check.js';
import type { ProbeContext, ProbeSpec } from './types.js';

/** A probe's line in the live progress and the report's check list. */
export interface CheckLine {
  status: CheckStatus;
  summary: string;
}

/** The diagnosis window by the host's clock, as the facts know it when asked (facts/window.ts). */
export interface ProbeWindow {
  sinceS: number;
  clock: HostClock;
  /** Where the window starts and ends (epoch ms): `sinceS` back from the host's clock. */
  startMs: number;
  endMs: number;
}

/**
 * What a record reads besides its own output: the host, the window, and the other probes' typed
 * results. The facts stage (src/facts/) implements it; probes only see this shape.
 */
export interface ProbeView {
  readonly ctx: ProbeContext;
  readonly window: ProbeWindow;
  /** The parsed output of a probe, typed by its record; undefined when it did not run or failed. */
  result<R extends AnyProbeRecord>(record: R): OutputOf<R> | undefined;
  /** Probe id -> why it could not check. */
  readonly unavailable: Readonly<Record<string, string>>;
}

/**
 * A probe is one record: what runs on the host (ProbeSpec: id, constant script, stdin, limits), how
 * its output is read (`parse`: pure, typed), its line in the check list (`check`) and its part of
 * the evidence the rules read (`evidence`). Adding a probe is a record in its own file under defs/
 * and a place in a batch (probe-set.ts); the compiler asks for every member below.
 */
export interface ProbeRecord<Id extends string, Out, Part extends object> extends ProbeSpec {
  readonly id: Id;
  /**
   * Reads the probe's stdout (cut at `maxBytes` when `truncated`). Pure; may read other results.
   * `nonce`: the batch's, which a probe's own markers inside its output carry (absent when run alone).
   */
  parse(stdout: string, meta: { truncated: boolean; nonce?: string; view: ProbeView }): Out;
  /** The host's clock, when this probe's output carries it (`__DATE`, see CLOCK_START). */
  clock?(out: Out): HostClock | undefined;
  /** Why the probe could not check although it ran (a log that is missing, no readable source). */
  notChecked?(out: Out, view: ProbeView): string | undefined;
  /** Input made at run time from other probes' results (`runtimeInput`), sent once `inputAfter` ended. */
  input?(view: ProbeView): string;
  inputAfter?: readonly AnyProbeRecord[];
  /** The probe's line in the check list, from its own output (it ran and was read). */
  check(out: Out, view: ProbeView): CheckLine;
  /** Its part of the evidence, from its own output (undefined when it failed) and the others' results. */
  evidence(out: Out | undefined, view: ProbeView): Part;
}

/** Any record, whatever its output (methods are bivariant, so every record is one). */
// biome-ignore lint/suspicious/noExplicitAny: the widest record type, used only as a bound
export type AnyProbeRecord = ProbeRecord<string, any, object>;

/** The parsed output of a record. */
export type OutputOf<R> = R extends ProbeRecord<string, infer Out, object> ? Out : never;

/** A record's part of the evidence. */
export type EvidencePartOf<R> = R extends ProbeRecord<string, infer _Out, infer Part> ? Part : never;

/** Declares a record, keeping its literal id and the types of its output and evidence part. */
export function defineProbe<const Id extends string, Out, Part extends object>(
  record: ProbeRecord<Id, Out, Part>,
): ProbeRecord<Id, Out, Part> {
  return record;
}

/** The evidence part of a probe whose facts other records' parts read (processes, health, ...). */
export type NoEvidence = Record<never, never>;

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
