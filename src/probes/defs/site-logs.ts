import { type LogDirective, type LogFile, logDirectives, logFiles } from '../../parse/log-directives.js';
import { errorLogWindow } from '../../parse/log-window.js';
import { parseAccessLine } from '../../parse/parse-access-log.js';
import {
  chooseRotationChain,
  firstTimeS,
  MAX_ROTATED_PER_LOG,
  rotationName,
} from '../../parse/rotation-chain.js';
import type { ErrorLogEntry } from '../../parse/types.js';
import { type CheckLine, defineProbe, type ProbeView, plural } from '../record.js';
import { CLOCK_START } from './common.js';
import { nginxConfigProbe } from './nginx-config.js';

/** Byte cap per file read (the current file and each predecessor), and on a compressed one decompressed. */
export const SITE_LOG_BYTES = 1024 * 1024;
export const SITE_LOG_GZ_BYTES = 64 * 1024 * 1024;
/** At most this many files per host (per-site logs, then the main logs' predecessors). */
export const MAX_SITE_LOGS = 16;

/** At most this many rotated files per host, over all its logs (each log: MAX_ROTATED_PER_LOG). */
export const MAX_ROTATED_FILES = 16;

/**
 * Every log file `nginx -T` names besides the two the error-log and access-log probes read (issue 18
 * item 1), and the rotated predecessors of every log, as far back as the window needs. Stdin: the
 * window in seconds, then `F <path>` (read the file and its predecessors) or `P <path>` (predecessors
 * only). The predecessors are found by the script itself, a glob of `FILE.[0-9]*` and `FILE-[0-9]*`
 * (numbered or `dateext`, plain or `.gz`), newest first by mtime: each written inside the window
 * (mtime at or after its start) is read, at most MAX_ROTATED_PER_LOG per log and MAX_ROTATED_FILES in
 * all (the next one is named `__MORE`); parse keeps the chain (src/parse/rotation-chain.ts). A listed
 * name must be FILE plus a suffix without `/`, and a regular file, so a name with a newline cannot
 * point the read elsewhere. Content lines are prefixed with `|`, so no line of a log can pose as a
 * marker. Bounded like the rest: tail -c per file; a `.gz` (`.xz`, `.bz2`, `.zst`) is decompressed
 * up to SITE_LOG_GZ_BYTES by its own tool, and one the host has no tool for is named as not read
 * (`__NOTOOL`); and the probe's time limit.
 */
const SCRIPT =
  'echo "__DATE $__clock"; read -r s; case "$s" in "" | *[!0-9]*) s=900 ;; esac; ' +
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
  'n=${__clock%% *}; case "$n" in "" | *[!0-9]*) n=$(date +%s) ;; esac; lo=$((n - s)); ' +
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
  "t=0; nl=$(printf '\\n_'); nl=${nl%_}; " +
  'while read -r k f; do case "$k" in F | P) ;; *) continue ;; esac; ' +
  'if [ "$k" = F ]; then echo "__FILE $f"; ' +
  `tail -c ${SITE_LOG_BYTES} -- "$f" 2>/dev/null | sed 's/^/|/'; ` +
  'if [ ! -e "$f" ]; then echo __MISSING; elif [ ! -r "$f" ]; then echo __UNREADABLE; fi; ' +
  'else echo "__PRED $f"; fi; ' +
  // stat, sort and head only when a rotated name exists (a glob, builtins): most logs have none.
  'L=; for g in "$f".[0-9]* "$f"-[0-9]*; do [ -e "$g" ] || continue; ' +
  `L=$(stat -c '%Y %n' -- "$f".[0-9]* "$f"-[0-9]* 2>/dev/null | sort -rn | head -n 64); break; done; r=0; ` +
  'set -f; IFS=$nl; for l in $L; do ' +
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
  'm=${l%% *}; p=${l#* }; case "$m" in "" | *[!0-9]*) continue ;; esac; [ "$m" -ge "$lo" ] || break; ' +
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
  'case "$p" in "$f".[0-9]* | "$f"-[0-9]*) ;; *) continue ;; esac; case "${p#"$f"}" in */*) continue ;; esac; ' +
  '[ -f "$p" ] || continue; ' +
  `if [ "$r" -ge ${MAX_ROTATED_PER_LOG} ] || [ "$t" -ge ${MAX_ROTATED_FILES} ]; then echo "__MORE $m $p"; break; fi; ` +
  'r=$((r + 1)); t=$((t + 1)); echo "__ROT $m $p"; ' +
  // Compressed: by its tool, when the host has it (else `__NOTOOL`: named as not read, and why).
  'case "$p" in *.gz) z=gzip ;; *.xz) z=xz ;; *.bz2) z=bzip2 ;; *.zst) z=zstd ;; *) z= ;; esac; ' +
  'if [ -n "$z" ] && ! command -v "$z" >/dev/null 2>&1; then echo "__NOTOOL $z"; ' +
  `elif [ -n "$z" ]; then "$z" -dc -- "$p" 2>/dev/null | head -c ${SITE_LOG_GZ_BYTES} | tail -c ${SITE_LOG_BYTES} | sed 's/^/|/'; ` +
  `else tail -c ${SITE_LOG_BYTES} -- "$p" 2>/dev/null | sed 's/^/|/'; fi; ` +
  'done; unset IFS; set +f; done; echo __END';

/** The programs that read compressed rotations (logrotate's `compresscmd`). */
const DECOMPRESSORS = { gzip: 'gzip', xz: 'xz-utils', bzip2: 'bzip2', zstd: 'zstd' } as const;
type Decompressor = keyof typeof DECOMPRESSORS;
const isDecompressor = (t: string): t is Decompressor => Object.hasOwn(DECOMPRESSORS, t);

/** One file as read: the current file (`file`) or a rotated predecessor (`rotated`). */
export interface LogSection {
  path: string;
  /** The current file this section belongs to (itself, or the file a `.1`/`.1.gz` precedes). */
  of: string;
  rotated: boolean;
  state: 'ok' | 'missing' | 'unreadable' | 'no-decompressor';
  /** The program a compressed file needs, which the host does not have (state `no-decompressor`). */
  tool?: Decompressor;
  text: string;
  /** The read began mid-file (the byte cap). */
  cut: boolean;
  /** A rotated file's mtime (epoch s, the host's clock). */
  mtimeS?: number;
}

export interface SiteLogsRead {
  nowS?: number;
  sections: LogSection[];
  /** Rotated files written inside the window but not read (the bound), per current file. */
  more?: { of: string; path: string; mtimeS: number }[];
}

export function parseSiteLogs(stdout: string): SiteLogsRead {
  const sections: LogSection[] = [];
  const more: NonNullable<SiteLogsRead['more']> = [];
  let nowS: number | undefined;
  let of: string | undefined;
  let cur: (LogSection & { lines: string[] }) | undefined;
  const close = () => {
    if (!cur) return;
    const { lines, ...rest } = cur;
    let text = lines.join('\n');
    const cut = Buffer.byteLength(text) >= SITE_LOG_BYTES - 1;
    if (cut) text = text.slice(text.indexOf('\n') + 1);
    sections.push({ ...rest, text, cut });
    cur = undefined;
  };
  /** `__ROT <mtime> <path>` / `__MORE <mtime> <path>`: the path is the rest of the line. */
  const timed = (line: string, tag: string) => {
    const rest = line.slice(tag.length + 1);
    const sp = rest.indexOf(' ');
    const mtimeS = Number(rest.slice(0, sp));
    return sp > 0 && Number.isFinite(mtimeS) ? { mtimeS, path: rest.slice(sp + 1) } : undefined;
  };
  for (const line of stdout.split('\n')) {
    if (line.startsWith('|')) {
      cur?.lines.push(line.slice(1));
    } else if (line.startsWith('__DATE ')) {
      nowS = Number(line.split(' ')[1]) || undefined;
    } else if (line.startsWith('__FILE ')) {
      close();
      const path = line.slice(7);
      of = path;
      cur = { path, of: path, rotated: false, state: 'ok', text: '', cut: false, lines: [] };
    } else if (line.startsWith('__PRED ')) {
      close();
      of = line.slice(7);
    } else if (line.startsWith('__ROT ') && of !== undefined) {
      close();
      const t = timed(line, '__ROT');
      // A name the script listed twice (a newline inside another name can repeat it) is read once.
      const dup = (p: string) => sections.some((x) => x.rotated && x.path === p);
      if (!t || !rotationName(of, t.path) || dup(t.path)) continue;
      cur = { ...t, of, rotated: true, state: 'ok', text: '', cut: false, lines: [] };
    } else if (line.startsWith('__MORE ') && of !== undefined) {
      close();
      const t = timed(line, '__MORE');
      if (t && rotationName(of, t.path)) more.push({ ...t, of });
    } else if ((line === '__MISSING' || line === '__UNREADABLE') && cur) {
      cur.state = line === '__MISSING' ? 'missing' : 'unreadable';
    } else if (line.startsWith('__NOTOOL ') && cur?.rotated) {
      const tool = line.slice(9);
      if (isDecompressor(tool)) {
        cur.state = 'no-decompressor';
        cur.tool = tool;
      }
    }
  }
  close();
  return { ...(nowS === undefined ? {} : { nowS }), sections, ...(more.length > 0 ? { more } : {}) };
}

/**
 * The rotated sections the window needs (rotation-chain.ts), per current file, and the first file the
 * bound left out. A current file read whole whose first line is at or before the window's start needs
 * no predecessor.
 */
export function rotationChains(
  read: SiteLogsRead,
  windowStartS: number,
  utcOffsetMinutes: number,
): { keep: Set<LogSection>; leftOut: { of: string; path: string }[] } {
  const keep = new Set<LogSection>();
  const leftOut: { of: string; path: string }[] = [];
  const ofs = [...new Set(read.sections.filter((s) => s.rotated).map((s) => s.of))];
  for (const of of [...new Set([...ofs, ...(read.more ?? []).map((m) => m.of)])]) {
    const current = read.sections.find((s) => !s.rotated && s.path === of);
    const currentStartS =
      current && !current.cut && current.state === 'ok'
        ? firstTimeS(current.text, utcOffsetMinutes)
        : undefined;
    const rotated = read.sections.filter((s) => s.rotated && s.of === of);
    const candidates = [
      ...rotated.map((s) => {
        const startS = firstTimeS(s.text, utcOffsetMinutes);
        return { path: s.path, mtimeS: s.mtimeS ?? 0, ...(startS === undefined ? {} : { startS }) };
      }),
      ...(read.more ?? []).filter((m) => m.of === of).map((m) => ({ path: m.path, mtimeS: m.mtimeS })),
    ];
    const unread = new Set((read.more ?? []).map((m) => m.path));
    const { chain, leftOut: cut } = chooseRotationChain(of, candidates, windowStartS, {
      ...(currentStartS === undefined ? {} : { currentStartS }),
    });
    for (const c of chain) {
      const s = rotated.find((r) => r.path === c.path);
      if (s) keep.add(s);
      else if (unread.has(c.path)) {
        leftOut.push({ of, path: c.path });
        break;
      }
    }
    if (cut && !leftOut.some((l) => l.of === of)) leftOut.push({ of, path: cut.path });
  }
  return { keep, leftOut };
}

/** What the diagnosis read of every log nginx writes, and what it could not (issue 18 item 1). */
export interface LogFilesEvidence {
  /** Every file read or tried, with its sites, and the log targets that are no file (off, syslog, stderr). */
  files: LogFileReport[];
  /** Error-log entries inside the window from the files read here (per-site logs, rotated predecessors). */
  errorEntries: ErrorLogEntry[];
  /** 502/504 lines inside the window in the access logs read here. */
  accessFailures: number;
  /** A few of those access lines, verbatim. */
  accessSamples: string[];
}

/** One log file as read (or not), in the report's `logsRead` (report/types.ts) too. */
export interface LogFileReport {
  path: string;
  kind: 'error' | 'access';
  /** `server_name`s that write here (empty: the http or main level, or the inventory's log). */
  sites: string[];
  read: boolean;
  /** Why it was not read (missing, unreadable, off, syslog, stderr) and what to do. */
  why?: string;
  /** A rotated predecessor (`.1`, `.2.gz`, `-20261207.gz`, ...) of this file, read (or left out by the bound) because the window needs it. */
  rotatedFrom?: string;
  bytesRead?: number;
  /** Upstream-error entries (error logs) or 502/504 lines (access logs) inside the window. */
  upstreamErrors?: number;
  failures502?: number;
}

/** The files to read: per-site and other logs of the config, then predecessors of the inventory's two. */
export function siteLogPlan(
  directives: readonly LogDirective[],
  inventory: { errorLog: string; accessLog: string },
): { files: LogFile[]; lines: string[] } {
  const own = new Set([inventory.errorLog, inventory.accessLog]);
  // A path with a control character (a newline would split the probe's input) is not read.
  const safe = (p: string) => p.startsWith('/') && [...p].every((ch) => ch.charCodeAt(0) >= 0x20);
  const files = logFiles(directives).filter((f) => safe(f.path));
  const lines = [
    ...files.filter((f) => !own.has(f.path)).map((f) => `F ${f.path}`),
    ...[...own].filter(safe).map((p) => `P ${p}`),
  ];
  return { files, lines: [...new Set(lines)].slice(0, MAX_SITE_LOGS) };
}

function planOf(view: ProbeView): { directives: LogDirective[]; files: LogFile[]; lines: string[] } {
  const config = view.result(nginxConfigProbe)?.config;
  const directives = config ? logDirectives(config) : [];
  return { directives, ...siteLogPlan(directives, view.ctx.host.nginx) };
}

export const siteLogsProbe = defineProbe({
  id: 'site-logs',
  title: 'per-site and rotated nginx logs',
  script: SCRIPT,
  start: [CLOCK_START],
  privileged: true,
  runtimeInput: true,
  maxBytes: (MAX_SITE_LOGS + MAX_ROTATED_FILES) * (SITE_LOG_BYTES + 4096),
  timeoutMs: 4_000,
  inputAfter: [nginxConfigProbe],
  input: (view) => `${view.window.sinceS}\n${planOf(view).lines.join('\n')}\n`,
  parse: (stdout) => parseSiteLogs(stdout),
  check: (read, view): CheckLine => {
    const ev = siteLogsEvidence(read, view);
    const readFiles = ev.files.filter((f) => f.read);
    const bad = ev.errorEntries.length + ev.accessFailures;
    if (readFiles.length === 0) return { status: 'skipped', summary: 'no per-site or rotated log to read' };
    return {
      status: bad > 0 ? 'warn' : 'ok',
      summary: `${plural(readFiles.length, 'more log')} read (${readFiles.map((f) => f.path).join(', ')}): ${plural(ev.errorEntries.filter((e) => e.signature !== undefined).length, 'upstream error')}, ${ev.accessFailures} × 502/504`,
    };
  },
  evidence: (read, view): { logFiles?: LogFilesEvidence } => ({ logFiles: siteLogsEvidence(read, view) }),
});

/** The evidence part: every log target of the config, what was read of it, and its window's entries. */
export function siteLogsEvidence(read: SiteLogsRead | undefined, view: ProbeView): LogFilesEvidence {
  const { directives, files } = planOf(view);
  const inv = view.ctx.host.nginx;
  const clock = read?.nowS === undefined ? view.window.clock : { ...view.window.clock, nowS: read.nowS };
  const { startMs } = view.window;
  const sitesOf = (path: string) => files.find((f) => f.path === path)?.sites ?? [];
  const reports: LogFileReport[] = [];
  const errorEntries: ErrorLogEntry[] = [];
  const accessSamples: string[] = [];
  let accessFailures = 0;
  const chains = read
    ? rotationChains(read, clock.nowS - view.window.sinceS, clock.utcOffsetMinutes)
    : { keep: new Set<LogSection>(), leftOut: [] };
  for (const s of read?.sections ?? []) {
    if (s.rotated && !chains.keep.has(s)) continue;
    const file = files.find((f) => f.path === s.of);
    const kind = file?.kind ?? (s.of === inv.accessLog ? 'access' : 'error');
    const base = { path: s.path, kind, sites: sitesOf(s.of), ...(s.rotated ? { rotatedFrom: s.of } : {}) };
    if (s.state !== 'ok') {
      const why =
        s.state === 'no-decompressor' && s.tool
          ? `compressed, and the host has no ${s.tool}: install ${DECOMPRESSORS[s.tool]} there, or read it by hand`
          : `${s.state}: make it readable to the diagnosis user (sudo), or read it by hand`;
      reports.push({ ...base, read: false, why });
      continue;
    }
    if (kind === 'error') {
      const w = errorLogWindow(s.text, s.cut, clock, view.window.sinceS);
      errorEntries.push(...w.entries);
      const n = w.entries.filter((e) => e.signature !== undefined).length;
      reports.push({ ...base, read: true, bytesRead: s.text.length, upstreamErrors: n });
    } else {
      const format =
        file?.formatString ?? (file?.format && file.format !== 'combined' ? file.format : undefined);
      const bad = s.text
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => parseAccessLine(l, format))
        .filter(
          (r) => r !== undefined && (r.timeMs ?? 0) >= startMs && (r.status === 502 || r.status === 504),
        );
      accessFailures += bad.length;
      for (const r of bad.slice(0, 3)) if (r && accessSamples.length < 5) accessSamples.push(r.raw);
      reports.push({ ...base, read: true, bytesRead: s.text.length, failures502: bad.length });
    }
  }
  // The bound stopped a chain: the next older file is named, not read.
  for (const l of chains.leftOut) {
    const file = files.find((f) => f.path === l.of);
    reports.push({
      path: l.path,
      kind: file?.kind ?? (l.of === inv.accessLog ? 'access' : 'error'),
      sites: sitesOf(l.of),
      rotatedFrom: l.of,
      read: false,
      why: `written inside the window, but at most ${MAX_ROTATED_PER_LOG} rotated files are read per log (${MAX_ROTATED_FILES} per host): read it by hand`,
    });
  }
  // Targets that are no file: named, with what to do.
  for (const d of directives) {
    if (d.readable || d.context === 'stream' || d.context === 'mail') continue;
    if (reports.some((r) => r.path === d.target && r.kind === d.kind)) continue;
    reports.push({
      path: d.target,
      kind: d.kind,
      sites: d.serverNames,
      read: false,
      why: d.why ?? 'not a file',
    });
  }
  errorEntries.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  return { files: reports, errorEntries, accessFailures, accessSamples };
}
