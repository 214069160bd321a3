import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { BASH, bashScript, shScript } from './defs/common.js';
import type { CommandRunner, ProbeBatch, ProbeContext, ProbeSpec } from './types.js';

/**
 * Several probe scripts on one SSH channel. Every channel costs the host an sshd fork and a shell or
 * two (about 4 ms of CPU each, measured on the lab), which adds up across a fleet; a batch runs its
 * probes one after another in one shell and still reports each one as its own check, as soon as it ends.
 *
 * The command text is constant. The first line of stdin is a random nonce that the markers carry
 * (`__PART_<nonce> <id>` before a probe's output, `__DONE_<nonce> <id> <exit code>` after it), so no
 * log line or app output can fake the end of a probe; each probe's input follows, ended by
 * `__EOI_<nonce>`, and reaches the probe's script as its stdin. Probes without input read /dev/null.
 */

/** A probe's output, as a single run of its script would have given it. */
export type PartOutcome<P extends ProbeSpec = ProbeSpec> =
  | {
      ok: true;
      probe: P;
      stdout: string;
      truncated: boolean;
      durationMs: number;
      /** The batch's nonce: a probe's own markers inside its output carry it (services.ts). */
      nonce: string;
    }
  | { ok: false; probe: P; reason: string; durationMs: number };

/** One probe on its own, as an engineer would run it by hand (the benchmark's runbook baseline). */
export function probeCommand(probe: ProbeSpec): string {
  const script = startFragments([probe]) + probe.script;
  return probe.shell === 'bash' ? bashScript(script) : shScript(script);
}

/** The `start` fragments of these probes, each once, in the order they are first named. */
function startFragments(probes: readonly ProbeSpec[]): string {
  return [...new Set(probes.flatMap((p) => p.start ?? []))].join('');
}

const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/**
 * The one command a batch sends: the probes' `start` fragments first, then each probe. Each probe runs
 * in a `{ }` group of the batch's shell (a subshell would cost a fork each), so probe scripts never
 * `exit`. In an sh batch, consecutive bash probes share one `bash -c` (one program started for all of
 * them); where bash is missing, each of them runs its POSIX `fallback` or fails as "bash is not
 * installed". A probe's input arrives through a here-document, filled from the batch's stdin by
 * builtins (bash's `read` takes a pipe byte by byte, so it leaves the rest for the batch); an input
 * that is not ready yet (the upstream targets) is simply read later, as the client sends it.
 */
export function batchCommand(batch: ProbeBatch): string {
  const { probes } = batch;
  const allBash = probes.every((p) => p.shell === 'bash');
  const chunks: string[] = [];
  for (let i = 0; i < probes.length; ) {
    const first = probes[i] as ProbeSpec;
    if (allBash || first.shell !== 'bash') {
      chunks.push(partScript(first, first.script));
      i++;
      continue;
    }
    let end = i;
    while (end < probes.length && probes[end]?.shell === 'bash') end++;
    const group = probes.slice(i, end);
    const inBash = `__n=$1; ${group.map((p) => partScript(p, p.script)).join('')}`;
    const without = group
      .map((p) => partScript(p, p.fallback ?? 'echo "sh: bash: not found" >&2; false'))
      .join('');
    // The group's bash must not carry the previous probe's tag (the watchdog would take it for that probe's).
    chunks.push(
      `unset D502P; if command -v bash >/dev/null 2>&1; then ${BASH} -c ${quote(inBash)} d502 "$__n"
else
${without}fi
`,
    );
    i = end;
  }
  const script = `read -r __n; case "$__n" in ""|*[!0-9a-f]*) exit 3;; esac; ${startFragments(probes)}${chunks.join('')}`;
  return allBash ? bashScript(script) : shScript(script);
}

/**
 * One probe inside a batch: its markers, its input (if any) and `script` in a `{ }` group. The
 * probe's tag (`D502P=<nonce>.<id>.`) is exported first, a builtin: every program the probe starts
 * carries it in /proc/PID/environ, which is how the watchdog finds exactly this probe's programs.
 */
function partScript(p: ProbeSpec, script: string): string {
  const mark = (text: string) => `echo "${text}"; echo "${text}" >&2; `;
  const tag = `D502P=$__n.${p.id}.; export D502P; `;
  const body =
    p.stdin || p.runtimeInput
      ? '__p=; __f=; while IFS= read -r __l && [ "$__l" != "__EOI_$__n" ]; do ' +
        'if [ -n "$__f" ]; then __p="$__p\n$__l"; else __p=$__l; __f=1; fi; done\n' +
        `{ ${script}\n} <<__EOI_HEREDOC\n$__p\n__EOI_HEREDOC\n`
      : `{ ${script}\n} </dev/null\n`;
  return `${tag}${mark(`__PART_$__n ${p.id}`)}${body}__c=$?; echo; ${mark(`__DONE_$__n ${p.id} $__c`)}`;
}

/**
 * What the batch reads on stdin: the nonce, then each probe's input ended by its marker. Inputs made
 * at run time may still be pending: the text up to the first of them is ready now, the rest follows
 * (`later`) once they are all known.
 */
export function batchStdin(
  batch: ProbeBatch,
  ctx: ProbeContext,
  nonce: string,
  inputs: Readonly<Record<string, string | Promise<string>>> = {},
): { now: string; later?: Promise<string> } {
  const pieces: (string | Promise<string>)[] = [`${nonce}\n`];
  const ended = (input: string) =>
    `${input}${input === '' || input.endsWith('\n') ? '' : '\n'}__EOI_${nonce}\n`;
  for (const p of batch.probes) {
    if (!p.stdin && !p.runtimeInput) continue;
    const input = inputs[p.id] ?? p.stdin?.(ctx) ?? '';
    pieces.push(typeof input === 'string' ? ended(input) : input.then(ended));
  }
  const firstPending = pieces.findIndex((x) => typeof x !== 'string');
  if (firstPending < 0) return { now: pieces.join('') };
  return {
    now: pieces.slice(0, firstPending).join(''),
    later: Promise.all(pieces.slice(firstPending)).then((xs) => xs.join('')),
  };
}

export function newNonce(): string {
  return randomBytes(12).toString('hex');
}

/** A finished probe found in the output stream. */
export interface SplitPart {
  id: string;
  text: string;
  code: number;
}

/**
 * Cuts a batch's stdout into its probes' outputs as the chunks arrive. Keeps only what is not yet
 * handed out, and scans each byte about once, so a 4 MiB `nginx -T` costs no more than reading it.
 */
export class BatchSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private buf = '';
  /** Where the next search for the end marker starts (the marker cannot end before it). */
  private scanFrom = 0;
  private current: { id: string; start: number } | undefined;

  constructor(private readonly nonce: string) {}

  /** Feeds one chunk; returns the probes it completed, in order. */
  push(chunk: Buffer | string): SplitPart[] {
    this.buf += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const done: SplitPart[] = [];
    for (;;) {
      if (this.current === undefined) {
        const head = `__PART_${this.nonce} `;
        const at = this.buf.indexOf(head);
        const eol = at < 0 ? -1 : this.buf.indexOf('\n', at);
        if (eol < 0) return done;
        this.current = { id: this.buf.slice(at + head.length, eol), start: eol + 1 };
        this.scanFrom = eol;
      }
      const marker = `\n__DONE_${this.nonce} ${this.current.id} `;
      const at = this.buf.indexOf(marker, Math.max(this.current.start - 1, this.scanFrom));
      const eol = at < 0 ? -1 : this.buf.indexOf('\n', at + marker.length);
      if (eol < 0) {
        this.scanFrom = Math.max(this.current.start - 1, this.buf.length - marker.length - 12);
        return done;
      }
      done.push({
        id: this.current.id,
        text: this.buf.slice(this.current.start, at),
        code: Number(this.buf.slice(at + marker.length, eol)),
      });
      this.buf = this.buf.slice(eol + 1);
      this.current = undefined;
      this.scanFrom = 0;
    }
  }

  /** The probe that started but did not finish, when the run was cut short. */
  get unfinished(): string | undefined {
    return this.current?.id;
  }
}

/** Each probe's stderr, by the same markers (stderr is only read once the batch has ended). */
export function splitStderr(stderr: string, nonce: string): Map<string, string> {
  const out = new Map<string, string>();
  const splitter = new BatchSplitter(nonce);
  for (const part of splitter.push(stderr)) out.set(part.id, part.text);
  return out;
}

export interface RunBatchOptions<P extends ProbeSpec = ProbeSpec> {
  signal?: AbortSignal | undefined;
  /** Input computed at run time (the upstream targets), by probe id, instead of `probe.stdin`. */
  inputs?: Readonly<Record<string, string | Promise<string>>>;
  /** Called once per probe of the batch as soon as its outcome is known (failures at the batch's end). */
  onPart: (outcome: PartOutcome<P>) => void;
  /** Called as soon as a probe has ended on the host, whatever its outcome (before `onPart` for failures). */
  onPartEnd?: (id: string) => void;
}

/** A probe's own time limit when its spec names none. */
export const DEFAULT_PROBE_TIMEOUT_MS = 3_000;

/** How often the watchdog looks again for programs of a probe that ran out of time. */
const WATCHDOG_INTERVAL_MS = 200;

/**
 * The watchdog, started on a second channel only when a probe runs past its limit (nothing runs for
 * a probe that ends in time). Stdin: the probe's tag and a number of rounds. It SIGKILLs every process
 * whose environment carries the tag, again every WATCHDOG_INTERVAL_MS (the probe's script may start
 * its next program), until the client closes the channel when the probe's end marker arrives, or at
 * most the rounds that fit in the batch's remaining time (a server that ignores the SSH signal on
 * close must not keep the loop alive). The tag names one probe of one batch, so the next probe's
 * programs are never hit. The batch's shell itself (stuck in a builtin on a stalled file system)
 * carries no tag and is left to the batch's own limit. It costs nothing while every probe ends in
 * time: no program is added to any probe, only two builtins that set the tag.
 */
export const WATCHDOG_SCRIPT =
  'read -r m n; case "$m" in "" | *[!0-9a-z.-]*) exit 3 ;; esac; case "$n" in "" | *[!0-9]*) exit 3 ;; esac; ' +
  'while [ "$n" -gt 0 ]; do n=$((n - 1)); for f in $(grep -ls "D502P=$m" /proc/[0-9]*/environ); do ' +
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansions in the remote script
  'p=${f#/proc/}; kill -9 "${p%/environ}" 2>/dev/null; done; ' +
  `sleep ${(WATCHDOG_INTERVAL_MS / 1000).toFixed(1)} 2>/dev/null || sleep 1; done`;

export function watchdogCommand(): string {
  return shScript(WATCHDOG_SCRIPT);
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * Runs a batch on one channel. Each probe has its own time limit (`timeoutMs`, counted from when its
 * start marker arrives): a probe past it gets the watchdog, becomes "timed out after N s" and the
 * probes after it still run. A probe that fails, or that was still running or not yet started when
 * the batch hit its own time limit, output cap or an abort, becomes a "could not check" outcome; the
 * probes that finished before keep their results. Never throws.
 */
export async function runBatch<P extends ProbeSpec>(
  runner: CommandRunner,
  batch: ProbeBatch<P>,
  ctx: ProbeContext,
  options: RunBatchOptions<P>,
): Promise<void> {
  const nonce = newNonce();
  const splitter = new BatchSplitter(nonce);
  const started = performance.now();
  let last = started;
  const reported = new Set<string>();
  const failed: { probe: P; code: number; durationMs: number }[] = [];
  const byId = new Map(batch.probes.map((p) => [p.id, p]));
  // The batch runs unprivileged; its probes call what needs root as `$D502_SUDO program` (one fixed
  // command line each, see privileged-commands.ts), which the runner sets on `sudo: true` hosts.
  const sudoInside = batch.probes.some((p) => p.privileged);

  // The probe now running on the host, and its limit's timer; probes that ran out of time.
  let running: { id: string; timer: NodeJS.Timeout } | undefined;
  const overran = new Map<string, number>();
  let watchdog: { id: string; stop: AbortController; done: Promise<unknown> } | undefined;
  const stopWatchdog = (id?: string) => {
    if (!watchdog || (id !== undefined && watchdog.id !== id)) return;
    watchdog.stop.abort();
    watchdog = undefined;
  };
  const watchdogs: Promise<unknown>[] = [];
  const overrun = (probe: P, limitMs: number) => {
    overran.set(probe.id, limitMs);
    stopWatchdog();
    const stop = new AbortController();
    const left = Math.max(1_000, batch.timeoutMs - (performance.now() - started));
    const done = runner
      .run(watchdogCommand(), {
        timeoutMs: left,
        maxBytes: 4096,
        stdin: `${nonce}.${probe.id}. ${Math.ceil(left / WATCHDOG_INTERVAL_MS)}\n`,
        // Unprivileged: on a sudo host it stops the probe's own programs, not what sudo started
        // (those end with their pipe, or at the batch's limit).
        signal: options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal,
      })
      .catch(() => undefined);
    watchdog = { id: probe.id, stop, done };
    watchdogs.push(done);
  };
  const watch = () => {
    const id = splitter.unfinished;
    if (id === running?.id) return;
    if (running) clearTimeout(running.timer);
    running = undefined;
    const probe = id === undefined ? undefined : byId.get(id);
    if (!probe) return;
    const limitMs = probe.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
    running = { id: probe.id, timer: setTimeout(() => overrun(probe, limitMs), limitMs) };
  };

  const report = (outcome: PartOutcome<P>) => {
    reported.add(outcome.probe.id);
    options.onPart(outcome);
  };
  const onStdout = (chunk: Buffer) => {
    for (const part of splitter.push(chunk)) {
      const probe = byId.get(part.id);
      if (!probe || reported.has(probe.id)) continue;
      const now = performance.now();
      const durationMs = Math.round(now - last);
      last = now;
      const limitMs = overran.get(probe.id);
      if (limitMs !== undefined) {
        // What it printed before it was stopped is not a whole answer: the probe could not check.
        stopWatchdog(probe.id);
        report({ ok: false, probe, reason: `timed out after ${seconds(limitMs)}`, durationMs });
      } else if (part.code !== 0 && part.text.trim() === '') {
        // Why it failed is on stderr, which is complete only when the batch ends.
        failed.push({ probe, code: part.code, durationMs });
        reported.add(probe.id);
      } else {
        const truncated = Buffer.byteLength(part.text) > probe.maxBytes;
        const stdout = truncated ? Buffer.from(part.text).subarray(0, probe.maxBytes).toString() : part.text;
        report({ ok: true, probe, stdout, truncated, durationMs, nonce });
      }
      options.onPartEnd?.(probe.id);
    }
    watch();
  };

  let result: Awaited<ReturnType<CommandRunner['run']>> | undefined;
  let error: string | undefined;
  const stdin = batchStdin(batch, ctx, nonce, options.inputs);
  try {
    result = await runner.run(batchCommand(batch), {
      timeoutMs: batch.timeoutMs,
      maxBytes: batch.probes.reduce((sum, p) => sum + p.maxBytes + 256, 0),
      stdin: stdin.now,
      ...(stdin.later ? { stdinLater: stdin.later } : {}),
      signal: options.signal,
      sudoInside,
      onStdout,
    });
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  if (running) clearTimeout(running.timer);
  stopWatchdog();
  await Promise.all(watchdogs);

  const stderr = splitStderr(result?.stderr ?? '', nonce);
  for (const f of failed) {
    const why = firstLine(stderr.get(f.probe.id) ?? '') || `exit code ${f.code}`;
    options.onPart({ ok: false, probe: f.probe, reason: missingTool(why) ?? why, durationMs: f.durationMs });
  }
  const durationMs = Math.round(performance.now() - last);
  const cutShort =
    error ??
    (options.signal?.aborted || result?.aborted
      ? 'cancelled'
      : result?.timedOut
        ? `timed out after ${batch.timeoutMs} ms`
        : result?.truncated
          ? 'output over its size cap'
          : result?.code === 3
            ? 'the batch did not start (no nonce)'
            : `ended early: ${firstLine(result?.stderr ?? '') || `exit code ${result?.code ?? 'none'}`}`);
  const unfinished = splitter.unfinished;
  const stuck = unfinished === undefined ? undefined : overran.get(unfinished);
  for (const probe of batch.probes) {
    if (reported.has(probe.id)) continue;
    const reason =
      probe.id === unfinished && stuck !== undefined
        ? `timed out after ${seconds(stuck)} and could not be stopped (${cutShort})`
        : probe.id === unfinished || unfinished === undefined
          ? cutShort
          : `not run: ${unfinished} on the same channel ${stuck !== undefined ? `timed out after ${seconds(stuck)} and could not be stopped` : cutShort.replace(/^ended early: /, 'failed: ')}`;
    report({ ok: false, probe, reason, durationMs });
    options.onPartEnd?.(probe.id);
  }
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '') ?? '';
}

/** `sh: 1: ss: not found` → `ss is not installed on the host`. */
export function missingTool(line: string): string | undefined {
  const m = /(?:^|: )(\S+): (?:command )?not found/.exec(line);
  return m ? `${m[1]} is not installed on the host (${line.trim()})` : undefined;
}
