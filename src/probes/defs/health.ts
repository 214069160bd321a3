import { type CheckLine, defineProbe, type NoEvidence, plural } from '../record.js';
import type { ProbeContext } from '../types.js';
import { HOST_RE } from './upstreams.js';

/** How long one health check may take, connect included. */
export const HEALTH_TIMEOUT_S = 3;
/**
 * No health check starts after this many seconds of the probe (one that does not is reported as not
 * checked), so the probe ends within about twice HEALTH_TIMEOUT_S, its own limit.
 */
const HEALTH_BUDGET_S = HEALTH_TIMEOUT_S;

/**
 * A plain-HTTP check without starting a program: bash's /dev/tcp in a process substitution (so that a
 * blackholed address cannot hold the probe past the limit), an HTTP/1.0 GET, and the status line.
 * curl costs the host 4-5 times a shell to start (it loads some 30 libraries) and was the largest
 * single cost of a diagnosis on the lab, while a health check needs only the status code. https URLs,
 * and any URL whose parts are not plainly a host, port and path, still go to curl. Results use curl's
 * exit codes (0, 6 no such host, 7 refused or unreachable, 28 timeout, 52 empty reply, 56 reset) so
 * that both paths read the same. Stdin lines: `name TAB http TAB host TAB port TAB target TAB
 * host-header` or `name TAB curl TAB url`.
 */
const BASH_HEALTH =
  // Checks that would start past the probe's budget are not started (`__SKIP`): the per-URL limit
  // is a read of bash's, which the watchdog cannot stop (it stops programs, not the shell).
  `end=$((SECONDS + ${HEALTH_BUDGET_S})); printf -v tab "\\t"; while IFS=$tab read -r name kind a b c d; do [ -n "$name" ] || continue; ` +
  '  if [ $SECONDS -ge $end ]; then echo "__SKIP $name"; continue; fi; ' +
  '  if [ "$kind" != http ]; then ' +
  `    r=$(curl -s -o /dev/null -w "%{http_code} %{time_total}" --max-time ${HEALTH_TIMEOUT_S} -- "$a" 2>&1); echo "__HEALTH $name $? $r"; continue; fi; ` +
  // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansions in the remote script
  '  t0=${EPOCHREALTIME:-}; ' +
  '  exec 4< <({ exec 3<>"/dev/tcp/$a/$b" || { echo "__E connect"; exit; }; ' +
  '    printf "GET %s HTTP/1.0\\r\\nHost: %s\\r\\nUser-Agent: diagnose502\\r\\nAccept: */*\\r\\nConnection: close\\r\\n\\r\\n" "$c" "$d" >&3; ' +
  '    if IFS= read -r l <&3; then echo "__S $l"; else echo "__E eof"; fi; } 2>&1); hp=$!; ' +
  '  code=28; status=000; msg=; ' +
  `  while IFS= read -r -t ${HEALTH_TIMEOUT_S} -u 4 l; do case $l in ` +
  // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansions in the remote script
  '    "__S "*) l=${l%$\'\\r\'}; set -- ${l#__S }; if [[ $2 =~ ^[0-9]{3}$ ]]; then status=$2; code=0; else code=8; fi; break ;; ' +
  '    "__E "*) case $msg in *reset*) code=56 ;; *"not known"* | *"name resolution"* | *"No address"*) code=6 ;; ' +
  '      *"timed out"*) code=28 ;; *) if [ "$l" = "__E eof" ]; then code=52; else code=7; fi ;; esac; break ;; ' +
  '    *) msg="$msg $l" ;; esac; done; ' +
  '  kill $hp 2>/dev/null; exec 4<&-; t=0; ' +
  // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansions in the remote script
  '  if [ -n "$t0" ]; then t1=$EPOCHREALTIME; us=$(( ${t1/./} - ${t0/./} )); printf -v t "%d.%06d" $((us / 1000000)) $((us % 1000000)); fi; ' +
  '  echo "__HEALTH $name $code $status $t"; ' +
  'done';

/** Where bash is missing (BusyBox), curl checks every URL, the last field of each line. */
const SH_HEALTH =
  'while IFS="	" read -r name kind a b c d; do [ -n "$name" ] || continue; ' +
  '  if [ "$kind" = http ]; then url="http://$d$c"; else url=$a; fi; ' +
  `  r=$(curl -s -o /dev/null -w "%{http_code} %{time_total}" --max-time ${HEALTH_TIMEOUT_S} -- "$url" 2>&1); echo "__HEALTH $name $? $r"; ` +
  'done';

/** HTTP health checks from the host itself, for services that declare one. */
export const healthProbe = defineProbe({
  id: 'app-health',
  title: 'App health endpoints',
  shell: 'bash',
  script: `${BASH_HEALTH}; echo "__END"`,
  fallback: `${SH_HEALTH}; echo "__END"`,
  privileged: false,
  maxBytes: 100_000,
  stdin: healthStdin,
  timeoutMs: (HEALTH_BUDGET_S + HEALTH_TIMEOUT_S + 1) * 1000,
  parse: (stdout): HealthRead => ({ checks: parseHealth(stdout), skipped: parseHealthSkipped(stdout) }),
  check: ({ checks, skipped }): CheckLine => {
    const bad = checks.filter((h) => h.curlExit !== 0 || (h.status ?? 0) >= 500 || h.status === 0);
    const notChecked =
      skipped.length > 0 ? `; not checked (out of time after the ones before): ${skipped.join(', ')}` : '';
    if (checks.length === 0 && skipped.length === 0)
      return { status: 'skipped', summary: 'no health URL in the inventory' };
    return bad.length > 0
      ? {
          status: 'fail',
          summary: `unhealthy: ${bad.map((h) => `${h.name} (${h.status || curlError(h.curlExit)})`).join(', ')}${notChecked}`,
        }
      : {
          status: skipped.length > 0 ? 'warn' : 'ok',
          summary: `${plural(checks.length, 'health check')} ok${notChecked}`,
        };
  },
  // Read by each service's part (services.ts).
  evidence: (): NoEvidence => ({}),
});

/** The health checks that ran, and the services whose check did not start (the probe's time was spent). */
export interface HealthRead {
  checks: HealthResult[];
  skipped: string[];
}

const TARGET_RE = /^\/[\x21-\x7e]{0,2000}$/;

/**
 * One line per service with a health URL. A plain http URL is taken apart here (WHATWG URL), checked
 * against strict patterns and sent as fields; anything else (https, odd hosts) is sent whole for curl,
 * which gets it as one argument after `--`. Tabs and newlines cannot occur in a parsed URL.
 */
export function healthStdin(ctx: ProbeContext): string {
  const lines: string[] = [];
  for (const s of ctx.host.services) {
    if (!s.health) continue;
    let url: URL | undefined;
    try {
      url = new URL(s.health);
    } catch {
      url = undefined;
    }
    const host = url?.hostname.replace(/^\[|\]$/g, '') ?? '';
    const target = url ? `${url.pathname}${url.search}` : '';
    if (url?.protocol === 'http:' && HOST_RE.test(host) && TARGET_RE.test(target)) {
      lines.push([s.name, 'http', host, url.port || '80', target, url.host].join('\t'));
    } else {
      lines.push([s.name, 'curl', url?.href ?? s.health].join('\t'));
    }
  }
  return `${lines.join('\n')}\n`;
}

export interface HealthResult {
  name: string;
  /** curl's exit code, or the same code for the shell's own check: 0 when an HTTP status came back. */
  curlExit: number;
  status?: number;
  timeS?: number;
}

export function parseHealth(stdout: string): HealthResult[] {
  const out: HealthResult[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^__HEALTH (\S+) (\d+) (\d{3}) ([\d.]+)/.exec(line);
    if (m?.[1]) {
      out.push({ name: m[1], curlExit: Number(m[2]), status: Number(m[3]), timeS: Number(m[4]) });
    }
  }
  return out;
}

/** Services whose check was not started because the probe's budget was spent (`__SKIP name`). */
export function parseHealthSkipped(stdout: string): string[] {
  return [...stdout.matchAll(/^__SKIP (\S+)$/gm)].flatMap((m) => (m[1] ? [m[1]] : []));
}

/** curl exit codes an engineer recognises (curl(1) EXIT CODES). */
export function curlError(code: number): string {
  switch (code) {
    case 0:
      return 'ok';
    case 6:
      return 'could not resolve host';
    case 7:
      return 'connection refused or unreachable';
    case 8:
      return 'not an HTTP answer';
    case 28:
      return 'timed out';
    case 52:
      return 'empty reply';
    case 56:
      return 'connection reset while receiving';
    default:
      return `curl exit ${code}`;
  }
}
