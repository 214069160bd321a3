import type { CommandResult, CommandRunner, ProbeContext, ProbeSpec } from './types.js';

export type ProbeOutcome =
  | { ok: true; result: CommandResult; durationMs: number }
  | { ok: false; reason: string; result?: CommandResult; durationMs: number };

/**
 * Runs one probe. A probe that times out, is cut at its byte cap with nothing useful, or fails to start
 * becomes a "could not check" outcome: it never sinks the report and never hangs it.
 */
export async function runProbe(
  runner: CommandRunner,
  probe: ProbeSpec,
  ctx: ProbeContext,
  signal: AbortSignal | undefined,
  stdinOverride?: string,
): Promise<ProbeOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const result = await runner.run(probe.command, {
      timeoutMs: probe.timeoutMs,
      maxBytes: probe.maxBytes,
      stdin: stdinOverride ?? probe.stdin?.(ctx),
      signal,
      privileged: probe.privileged,
    });
    if (signal?.aborted) return { ok: false, reason: 'cancelled', result, durationMs: elapsed() };
    if (result.timedOut) {
      return { ok: false, reason: `timed out after ${probe.timeoutMs} ms`, result, durationMs: elapsed() };
    }
    if (result.code !== 0 && result.stdout.trim() === '') {
      const why = firstLine(result.stderr) || `exit code ${result.code ?? 'none'}`;
      return { ok: false, reason: missingTool(why) ?? why, result, durationMs: elapsed() };
    }
    return { ok: true, result, durationMs: elapsed() };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err), durationMs: elapsed() };
  }
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '') ?? '';
}

/** `sh: 1: ss: not found` → `ss is not installed on the host`. */
function missingTool(line: string): string | undefined {
  const m = /(?:^|: )(\S+): (?:command )?not found/.exec(line);
  return m ? `${m[1]} is not installed on the host (${line.trim()})` : undefined;
}
