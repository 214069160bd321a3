import { parseAppLog } from '../../parse/parse-app-log.js';
import type { AppLogLine } from '../../parse/types.js';
import { type CheckLine, defineProbe, type ProbeView, plural } from '../record.js';
import type { ProbeContext, ProbeService } from '../types.js';
import { curlError, healthProbe } from './health.js';
import { type ProcessRow, processesProbe } from './processes.js';
import { socketsProbe } from './sockets.js';

/**
 * App server state and logs. Stdin carries the window and one line per service/log, tab separated:
 * `unit<TAB>name<TAB>unit` or `log<TAB>name<TAB>/path` or `journal<TAB>name<TAB>unit`.
 *
 * The logs are anyone's text, printed between the probe's own marker lines: inside a batch the
 * markers carry the batch's nonce (`__UNIT_<nonce> ...`, from `$__n`, see batch.ts), which no log line
 * can know, so a line `__UNIT app active 0` in an app log stays log text. Run alone (no nonce) the
 * markers are plain.
 */
export const servicesProbe = defineProbe({
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
  parse: (stdout, { nonce }) => parseServices(stdout, nonce),
  check: (out): CheckLine => {
    const logs = out.logs.size;
    return out.missingLogs.length > 0
      ? { status: 'warn', summary: `${plural(logs, 'log')} read, missing: ${out.missingLogs.join(', ')}` }
      : { status: 'ok', summary: `${plural(logs, 'app log')} read` };
  },
  // Every inventory service, from whatever ran: its unit and logs here, its processes, sockets and health.
  evidence: (out, view): { services: ServiceEvidence[]; systemd?: boolean } => {
    const systemd = hasSystemd(out);
    return {
      services: view.ctx.host.services.map((s) => serviceEvidence(s, out, view)),
      ...(systemd === undefined ? {} : { systemd }),
    };
  },
});

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

export interface ServiceEvidence {
  name: string;
  /** `php-fpm`, `gunicorn`, `uwsgi`, `node`, `puma`, `apache`, `unknown`. */
  kind: string;
  /** Process state: running (with pids), not running, or unknown. */
  running?: boolean;
  pids: number[];
  /** Seconds since the oldest process of the service started. */
  ageS?: number;
  /** Addresses this service listens on (TCP `ip:port`, unix paths). */
  listening: string[];
  /** Log lines in the window that match a known app-server signature, verbatim. */
  logLines: AppLogLine[];
  health?: { url: string; status?: number; timeS?: number; error?: string };
  /** Config facts read from the app server: `pm.max_children`, gunicorn `timeout`, keepalive timeouts. */
  settings: Record<string, string>;
}

/** Process command lines of each app-server kind, for hosts without systemd units in the inventory. */
const KIND_PATTERNS: Record<string, RegExp> = {
  'php-fpm': /php-fpm/,
  gunicorn: /gunicorn/,
  uwsgi: /uwsgi/,
  node: /(^|\/)node(js)?\b/,
  puma: /puma/,
  apache: /apache2|httpd/,
};

/** `systemctl is-active` states; anything else in a `__UNIT` line is an error message, not a unit state. */
const UNIT_STATES = new Set([
  'active',
  'reloading',
  'inactive',
  'failed',
  'activating',
  'deactivating',
  'maintenance',
  'refreshing',
]);

/**
 * Whether the host runs systemd, from the `__UNIT` lines: `no-systemd` when systemctl is absent, or
 * systemctl's `System has not been booted with systemd ...` (first word `System`) in a container that
 * ships systemctl without running it.
 */
function hasSystemd(out: ServiceOutput | undefined): boolean | undefined {
  const states = [...(out?.unitState.values() ?? [])].map((u) => u.state);
  if (states.some((s) => UNIT_STATES.has(s))) return true;
  if (states.some((s) => s === 'no-systemd' || s === 'System')) return false;
  return undefined;
}

function matcher(s: ProbeService): RegExp | undefined {
  if (s.process) {
    try {
      return new RegExp(s.process);
    } catch {
      return undefined;
    }
  }
  return s.kind ? KIND_PATTERNS[s.kind] : undefined;
}

function serviceEvidence(s: ProbeService, out: ServiceOutput | undefined, view: ProbeView): ServiceEvidence {
  const re = matcher(s);
  const procs: ProcessRow[] | undefined = re
    ? view.result(processesProbe)?.filter((p) => re.test(p.args))
    : undefined;
  const unit = out?.unitState.get(s.name);
  const pids = procs?.map((p) => p.pid) ?? [];
  const running =
    unit && unit.state !== 'no-systemd'
      ? unit.state === 'active'
      : procs !== undefined
        ? procs.length > 0
        : undefined;
  const listening = (view.result(socketsProbe) ?? [])
    .filter((sock) => sock.pids.some((p) => pids.includes(p)))
    .map((sock) => sock.address);
  const text = out?.logs.get(s.name);
  const health = view.result(healthProbe)?.checks.find((h) => h.name === s.name);
  const settings: Record<string, string> = {};
  for (const p of procs ?? []) {
    const t = /--timeout[= ](\d+)/.exec(p.args) ?? /(?:^|\s)-t (\d+)/.exec(p.args);
    if (t?.[1] && s.kind === 'gunicorn') settings.timeout = t[1];
    const k = /--keep-alive[= ](\d+)/.exec(p.args);
    if (k?.[1]) settings.keepalive = k[1];
  }
  if (unit?.restarts !== undefined) settings.restarts = String(unit.restarts);
  const { startMs, clock } = view.window;
  return {
    name: s.name,
    kind: s.kind ?? 'unknown',
    running,
    pids,
    ageS: procs && procs.length > 0 ? Math.max(...procs.map((p) => p.ageS)) : undefined,
    listening,
    logLines: text
      ? parseAppLog(s.kind ?? 'unknown', text, { sinceMs: startMs, utcOffsetMinutes: clock.utcOffsetMinutes })
      : [],
    health: s.health
      ? {
          url: s.health,
          status: health?.status || undefined,
          timeS: health?.timeS,
          error:
            health && health.curlExit !== 0 ? curlError(health.curlExit) : health ? undefined : 'not checked',
        }
      : undefined,
    settings,
  };
}
