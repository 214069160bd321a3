import type { ProbeContext, ProbeSpec } from '../types.js';

/**
 * App server state and logs. Stdin carries the window and one line per service/log, tab separated:
 * `unit<TAB>name<TAB>unit` or `log<TAB>name<TAB>/path` or `journal<TAB>name<TAB>unit`.
 *
 * The logs are anyone's text, printed between the probe's own marker lines: inside a batch the
 * markers carry the batch's nonce (`__UNIT_<nonce> ...`, from `$__n`, see batch.ts), which no log line
 * can know, so a line `__UNIT app active 0` in an app log stays log text. Run alone (no nonce) the
 * markers are plain.
 */
export const servicesProbe: ProbeSpec = {
  id: 'app-services',
  title: 'App servers: state and logs',
  script:
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion in the remote script
    'M=${__n:+_$__n}; read -r since; ' +
    'while IFS="	" read -r what name arg; do ' +
    '  case "$what" in ' +
    '    unit) if command -v systemctl >/dev/null 2>&1; then ' +
    '            echo "__UNIT$M $name $(systemctl is-active -- "$arg" 2>&1 | head -n1) $(systemctl show -p NRestarts --value -- "$arg" 2>/dev/null)"; ' +
    '          else echo "__UNIT$M $name no-systemd"; fi ;; ' +
    '    log) echo "__LOG$M $name $arg"; if [ -r "$arg" ] || [ -n "$D502_SUDO" ]; then $D502_SUDO tail -c 1048576 -- "$arg" 2>/dev/null || echo "__MISSINGLOG$M"; else echo "__MISSINGLOG$M"; fi ;; ' +
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable inside the remote script, not a JS template
    '    journal) echo "__LOG$M $name journal:$arg"; $D502_SUDO journalctl -u "$arg" --since "-${since}s" -o short-iso --no-pager 2>&1 | tail -n 3000 ;; ' +
    '  esac; ' +
    'done; echo "__END$M"',
  privileged: true,
  maxBytes: 8_000_000,
  stdin: servicesStdin,
  // systemctl per unit and journalctl per journal: several programs, each may wait on D-Bus or a large journal.
  timeoutMs: 5_000,
};

export function servicesStdin(ctx: ProbeContext): string {
  const lines = [String(Math.max(1, Math.round(ctx.sinceS)))];
  for (const s of ctx.host.services) {
    if (s.unit) lines.push(['unit', s.name, s.unit].join('\t'));
    for (const l of s.logs) {
      lines.push(
        l.kind === 'file' ? ['log', s.name, l.path].join('\t') : ['journal', s.name, l.unit].join('\t'),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export interface ServiceOutput {
  unitState: Map<string, { state: string; restarts?: number }>;
  /** service name -> log text (all its logs concatenated). */
  logs: Map<string, string>;
  missingLogs: string[];
}

/** Reads the probe's output; `nonce` is the batch's (markers without it are log text). */
export function parseServices(stdout: string, nonce = ''): ServiceOutput {
  const tag = nonce === '' ? '' : `_${nonce}`;
  const UNIT = `__UNIT${tag} `;
  const LOG = `__LOG${tag} `;
  const unitState = new Map<string, { state: string; restarts?: number }>();
  const logs = new Map<string, string>();
  const missingLogs: string[] = [];
  let current: string | undefined;
  let currentPath = '';
  const buf: string[] = [];
  const flush = () => {
    if (current !== undefined) logs.set(current, `${logs.get(current) ?? ''}${buf.join('\n')}\n`);
    buf.length = 0;
  };
  // A log without a final newline must not swallow the marker after it: with a nonce, a marker
  // starts a line wherever it stands (no log text can hold the nonce).
  const text =
    tag === ''
      ? stdout
      : stdout.replace(new RegExp(`(?<=[^\\n])(?=__(?:UNIT|LOG|MISSINGLOG|END)${tag})`, 'g'), '\n');
  for (const line of text.split('\n')) {
    if (line.startsWith(UNIT)) {
      flush();
      current = undefined;
      const [name, state, restarts] = line.slice(UNIT.length).split(' ');
      if (name)
        unitState.set(name, { state: state ?? 'unknown', restarts: restarts ? Number(restarts) : undefined });
    } else if (line.startsWith(LOG)) {
      flush();
      const rest = line.slice(LOG.length);
      const sp = rest.indexOf(' ');
      current = rest.slice(0, sp);
      currentPath = rest.slice(sp + 1);
    } else if (line === `__MISSINGLOG${tag}`) {
      missingLogs.push(currentPath);
    } else if (line === `__END${tag}`) {
      flush();
      current = undefined;
    } else if (current !== undefined) {
      buf.push(line);
    }
  }
  flush();
  return { unitState, logs, missingLogs };
}
