import { parseNginxConfig } from '../../parse/parse-nginx-config.js';
import type { NginxConfig } from '../../parse/types.js';
import { type CheckLine, defineProbe, type ProbeView, plural } from '../record.js';
import { tagged } from './common.js';
import { nginxFdsProbe } from './nginx-fds.js';
import { isNginxMaster, isNginxWorker, processesProbe } from './processes.js';
import { socketsProbe } from './sockets.js';

/**
 * `nginx -T` prints the test result on stderr and the config on stdout; one run gives both `-t` and
 * `-T`, and with `-v` first (nginx goes on to the test after printing its version) the version too.
 */
export const nginxConfigProbe = defineProbe({
  id: 'nginx-config',
  title: 'nginx -T / nginx -t',
  script:
    'if ! command -v nginx >/dev/null 2>&1; then echo "__NOBIN"; ' +
    'else $D502_SUDO nginx -v -T 2>&1; echo "__EXIT $?"; fi',
  privileged: true,
  maxBytes: 4_000_000,
  // Loading the config resolves literal upstream names: RESOLVE_TIMEOUT_S each (common.ts), a few of them.
  timeoutMs: 5_000,
  parse: (stdout, { truncated }): NginxConfigResult => {
    const dump = parseNginxDump(stdout);
    // A dump cut at the byte cap would read as a config without its last blocks: not parsed.
    return dump.installed && dump.exitCode === 0 && !truncated
      ? { dump, config: parseNginxConfig(dump.text) }
      : { dump };
  },
  check: ({ dump, config }): CheckLine => {
    if (!dump.installed) return { status: 'fail', summary: 'nginx is not installed on this host' };
    if (dump.exitCode !== 0) {
      const why =
        dump.text.split('\n').find((l) => /\[emerg\]|\[alert\]|failed/.test(l)) ?? 'nginx -t failed';
      return { status: 'fail', summary: `nginx -t failed: ${why.trim()}` };
    }
    const t = config?.targets.length ?? 0;
    // A part past the parser's bounds (parse-nginx-config.ts) is said, not hidden: the rest was checked.
    const notRead = config?.notRead ?? [];
    return {
      status: notRead.length > 0 ? 'warn' : 'ok',
      summary: `nginx -t ok (${dump.version ?? 'version unknown'}), ${plural(t, 'upstream target')}${notRead.length > 0 ? `; too large to read, checked the rest: ${notRead.slice(0, 3).join('; ')}` : ''}`,
    };
  },
  evidence: (result, view): { nginx: NginxEvidence } => ({ nginx: nginxEvidence(result, view) }),
});

/** What `nginx -T` gave: the dump, and the config parsed from it when the test passed and it was whole. */
export interface NginxConfigResult {
  dump: NginxDump;
  config?: NginxConfig;
}

export interface NginxEvidence {
  /** A master process exists. */
  running?: boolean;
  masterPid?: number;
  workerPids: number[];
  workerUser?: string;
  /** Seconds since the master (and the oldest worker) started. */
  masterAgeS?: number;
  workerAgeS?: number;
  version?: string;
  /** Addresses nginx listens on (from `ss -ltnp`). */
  listening: string[];
  /** `nginx -t`: passed, and its output lines. */
  configTestOk?: boolean;
  configTestOutput: string[];
  config?: NginxConfig;
  /** Open fds of a worker and its soft `Max open files`. */
  workerOpenFds?: number;
  workerFdLimit?: number;
}

/** nginx as the config, the process list, the listening sockets and a worker's fds show it. */
function nginxEvidence(result: NginxConfigResult | undefined, view: ProbeView): NginxEvidence {
  const procs = view.result(processesProbe);
  const master = procs?.find(isNginxMaster);
  const workers = procs?.filter(isNginxWorker) ?? [];
  const dump = result?.dump;
  const fds = view.result(nginxFdsProbe);
  const testLines = dump?.text.split('\n').filter((l) => l.startsWith('nginx: ')) ?? [];
  return {
    running: procs ? master !== undefined : undefined,
    masterPid: master?.pid,
    workerPids: workers.map((w) => w.pid),
    workerUser: workers[0]?.user ?? result?.config?.user,
    masterAgeS: master?.ageS,
    workerAgeS: workers.length > 0 ? Math.max(...workers.map((w) => w.ageS)) : undefined,
    version: dump?.version,
    listening: (view.result(socketsProbe) ?? [])
      .filter((s) => s.kind === 'tcp' && s.processes.includes('nginx'))
      .map((s) => s.address),
    configTestOk: dump ? dump.installed && dump.exitCode === 0 : undefined,
    configTestOutput:
      dump && dump.exitCode !== 0
        ? dump.text
            .split('\n')
            .filter((l) => l.trim() !== '')
            .slice(0, 20)
        : testLines,
    config: result?.config,
    workerOpenFds: fds?.maxOpen,
    workerFdLimit: fds?.limit,
  };
}

export interface NginxDump {
  installed: boolean;
  version?: string;
  exitCode?: number;
  /** The `nginx -T` output without the probe's markers. */
  text: string;
}

export function parseNginxDump(stdout: string): NginxDump {
  if (stdout.includes('__NOBIN')) return { installed: false, text: '' };
  const lines = stdout.split('\n');
  // `nginx version: nginx/1.27.3`, printed by -v before the test and the dump.
  const at = lines.findIndex((l) => l.startsWith('nginx version: '));
  const version = at < 0 ? undefined : lines[at]?.slice('nginx version: '.length).trim();
  const exit = tagged(stdout, 'EXIT')[0];
  const text = lines.filter((l, i) => i !== at && !l.startsWith('__EXIT ')).join('\n');
  return { installed: true, version, exitCode: exit === undefined ? undefined : Number(exit), text };
}
