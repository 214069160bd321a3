import { type PartOutcome, runBatch } from './batch.js';
import type { CheckResult } from './check.js';
import { ALL_PROBES, PROBE_BATCHES, type ProbeRecords } from './probe-set.js';
import type { AnyProbeRecord, CheckLine, OutputOf, ProbeView } from './record.js';
import type { CommandRunner, ProbeBatch } from './types.js';

/** Where collection puts each probe's typed result or the reason it has none: the facts stage (src/facts/). */
export interface ProbeSink {
  store<R extends ProbeRecords>(record: R, out: OutputOf<R>): void;
  fail(record: ProbeRecords, reason: string): void;
}

export type CheckListener = (check: CheckResult) => void;

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Runs the fixed probe set on one connected host: its batches at once, each on its own channel. Each
 * probe's output is read by its record (`parse`) and stored in the facts as soon as the probe ends, and
 * its line (`check`) reported at once through `onCheck`, so a terminal or a Slack message can show
 * progress. Inputs made from other probes' results (the worker pids, the upstream targets) are sent as
 * soon as the probes they come from have ended.
 */
export async function collectHost(
  runner: CommandRunner,
  facts: ProbeView & ProbeSink,
  options: {
    signal?: AbortSignal;
    onCheck?: CheckListener;
    /** A subset of the probe set (Watch's cheap re-checks, src/watch/); the whole set by default. */
    batches?: readonly ProbeBatch<ProbeRecords>[];
  } = {},
): Promise<void> {
  const emit = (check: CheckResult) => options.onCheck?.(check);
  const onPart = (outcome: PartOutcome<ProbeRecords>) => {
    const { probe, durationMs } = outcome;
    if (!outcome.ok) {
      facts.fail(probe, outcome.reason);
      emit({ id: probe.id, status: 'error', summary: `could not check: ${outcome.reason}`, durationMs });
      return;
    }
    // Each record is typed on its own; here every one is handled alike.
    const record: AnyProbeRecord = probe;
    let out: unknown;
    try {
      out = record.parse(outcome.stdout, { truncated: outcome.truncated, nonce: outcome.nonce, view: facts });
    } catch (err) {
      const reason = `output not understood: ${reasonOf(err)}`;
      facts.fail(probe, reason);
      emit({ id: probe.id, status: 'error', summary: reason, durationMs });
      return;
    }
    facts.store(probe, out as OutputOf<typeof probe>);
    let line: CheckLine;
    try {
      line = record.check(out, facts);
    } catch (err) {
      line = { status: 'error', summary: `check line failed: ${reasonOf(err)}` };
    }
    emit({ id: probe.id, status: line.status, summary: line.summary, durationMs });
  };

  const { inputs, onPartEnd } = runtimeInputs(facts);
  await Promise.all(
    (options.batches ?? PROBE_BATCHES).map((batch) =>
      runBatch(runner, batch, facts.ctx, { signal: options.signal, inputs, onPart, onPartEnd }),
    ),
  );
}

/**
 * The inputs made at run time (`input`), each made once every probe of its `inputAfter` has ended on
 * the host (whatever its outcome), from the results stored by then.
 */
function runtimeInputs(view: ProbeView): {
  inputs: Record<string, Promise<string>>;
  onPartEnd: (id: string) => void;
} {
  const inputs: Record<string, Promise<string>> = {};
  const waiting: { after: Set<string>; ready: () => void }[] = [];
  for (const probe of ALL_PROBES as readonly AnyProbeRecord[]) {
    const { input } = probe;
    if (!input) continue;
    const after = new Set((probe.inputAfter ?? []).map((p) => p.id));
    inputs[probe.id] = new Promise<void>((ready) => {
      if (after.size === 0) ready();
      else waiting.push({ after, ready });
    }).then(() => input(view));
  }
  const onPartEnd = (id: string) => {
    for (const w of waiting) {
      w.after.delete(id);
      if (w.after.size === 0) w.ready();
    }
  };
  return { inputs, onPartEnd };
}
