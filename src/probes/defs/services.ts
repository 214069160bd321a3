import type { ProbeContext, ProbeSpec } from '../types.js';

/**
 * App server state and logs. Stdin carries the window and one line per service/log, tab separated:
 * `unit<TAB>name<TAB>unit` or `log<TAB>name<TAB>/path` or `journal<TAB>name<TAB>unit`.
 */
export const servicesProbe: ProbeSpec = {
  id: 'app-services',
  title: 'App servers: state and logs',
  script:
    'read -r since; ' +
    'while IFS="	" read -r what name arg; do ' +
    '  case "$what" in ' +
    '    unit) if command -v systemctl >/dev/null 2>&1; then ' +
    '            echo "__UNIT $name $(systemctl is-active -- "$arg" 2>&1 | head -n1) $(systemctl show -p NRestarts --value -- "$arg" 2>/dev/null)"; ' +
    '          else echo "__UNIT $name no-systemd"; fi ;; ' +
    '    log) echo "__LOG $name $arg"; if [ -r "$arg" ]; then tail -c 1048576 -- "$arg"; else echo "__MISSINGLOG"; fi ;; ' +
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable inside the remote script, not a JS template
    '    journal) echo "__LOG $name journal:$arg"; journalctl -u "$arg" --since "-${since}s" -o short-iso --no-pager 2>&1 | tail -n 3000 ;; ' +
    '  esac; ' +
    'done; echo "__END"',
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

export function parseServices(stdout: string): ServiceOutput {
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
  for (const line of stdout.split('\n')) {
    if (line.startsWith('__UNIT ')) {
      flush();
      current = undefined;
      const [name, state, restarts] = line.slice(7).split(' ');
      if (name)
        unitState.set(name, { state: state ?? 'unknown', restarts: restarts ? Number(restarts) : undefined });
    } else if (line.startsWith('__LOG ')) {
      flush();
      const rest = line.slice(6);
      const sp = rest.indexOf(' ');
      current = rest.slice(0, sp);
      currentPath = rest.slice(sp + 1);
    } else if (line === '__MISSINGLOG') {
      missingLogs.push(currentPath);
    } else if (line === '__END') {
      flush();
      current = undefined;
    } else if (current !== undefined) {
      buf.push(line);
    }
  }
  flush();
  return { unitState, logs, missingLogs };
}
