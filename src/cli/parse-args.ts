import { parseArgs } from 'node:util';

export interface CliOptions {
  target?: string;
  inventory?: string;
  /** `--ssh-config`: the ssh config hosts are resolved through (`none`: none). */
  sshConfig?: string;
  sinceS: number;
  json: boolean;
  /** `--chart FILE`: the 502/504-per-minute chart (PNG) of the host with the most errors. */
  chart?: string;
  /** `--history`: whether each host was diagnosed before, from the bot's Redis (src/history/). */
  history: boolean;
  concurrency: number;
  help: boolean;
  version: boolean;
}

export class UsageError extends Error {
  readonly code = 'usage';
}

export const USAGE = `Usage: diagnose502 <host|group> [options]

Finds out over SSH why nginx answers 502/504 on a host (or every host of a group) and says what to do.

Options:
  --inventory FILE   inventory: YAML, an Ansible inventory (INI or YAML), or a YAML overlay naming one
                     (default: $DIAGNOSE502_INVENTORY, then ./inventory.yml; none: hosts of the ssh config)
  --ssh-config FILE  resolve hosts as ssh does with this config (default: $DIAGNOSE502_SSH_CONFIG, then
                     ~/.ssh/config if it exists; none: no ssh config)
  --since DURATION   how far back to read logs: 30s, 15m, 2h, 1d (default 15m, at most 7d)
  --json             print exactly one JSON document on stdout
  --chart FILE       write the 502/504-per-minute chart (PNG) of the host with the most errors to FILE
  --history          say whether each host was diagnosed before, from the bot's Redis
                     (REDIS_URL, DIAGNOSE502_QUEUE, DIAGNOSE502_HISTORY_DAYS as for the bot)
  --concurrency N    hosts of a group diagnosed at once (default 10)
  -h, --help         this help
  --version          the version

Exit codes: 0 no 502 cause found (every essential check ran), 1 a cause found on some host,
2 usage, inventory or config error, 3 inconclusive: no cause found, but on some host an essential
check (error log, nginx config) could not run.

Other commands (the README says how to set each up):
  diagnose502 serve | worker | start   the Slack bot: intake, diagnosis workers, or both in one process
  diagnose502 audit                    who clicked which restart, and what came of it
  diagnose502 sudoers                  the sudoers file for hosts with sudo: true
  diagnose502 feedback export          each verdict marked wrong in Slack, as a lab-scenario skeleton`;

/** `15m` → 900. Bounded so a typo cannot ask for a year of logs. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,6})(s|m|h|d)$/.exec(text.trim());
  if (!m)
    throw new UsageError(
      `--since ${JSON.stringify(text)} is not a duration. Use a number and a unit: 30s, 15m, 2h, 1d.`,
    );
  const seconds = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
  if (seconds < 1 || seconds > 7 * 86400)
    throw new UsageError(`--since ${text} is out of range: use 1s to 7d.`);
  return seconds;
}

export function parseCli(argv: string[]): CliOptions {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        inventory: { type: 'string' },
        'ssh-config': { type: 'string' },
        since: { type: 'string', default: '15m' },
        json: { type: 'boolean', default: false },
        chart: { type: 'string' },
        history: { type: 'boolean', default: false },
        concurrency: { type: 'string', default: '10' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
  }
  const v = parsed.values;
  if (parsed.positionals.length > 1) {
    throw new UsageError(
      `Expected one host or group, got ${parsed.positionals.length}: ${parsed.positionals.join(' ')}`,
    );
  }
  const concurrency = Number(v.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100) {
    throw new UsageError(`--concurrency ${String(v.concurrency)} must be a whole number from 1 to 100.`);
  }
  return {
    target: parsed.positionals[0],
    inventory: typeof v.inventory === 'string' ? v.inventory : undefined,
    ...(typeof v['ssh-config'] === 'string' ? { sshConfig: v['ssh-config'] } : {}),
    sinceS: parseDuration(String(v.since)),
    json: v.json === true,
    ...(typeof v.chart === 'string' ? { chart: v.chart } : {}),
    history: v.history === true,
    concurrency,
    help: v.help === true,
    version: v.version === true,
  };
}

/** What the CLI prints and returns for a command line it can answer without loading anything else. */
export interface EarlyAnswer {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `--help`, `--version` and usage errors, answered from the argument list alone: the entry point
 * prints these before it imports the diagnosis (SSH, YAML, the rule engine), so they start fast.
 * The texts and exit codes are runCli's own (a unit test holds the two to the same answers);
 * undefined means a diagnosis has to run.
 */
export function earlyAnswer(argv: string[], version: string): EarlyAnswer | undefined {
  let options: CliOptions;
  try {
    options = parseCli(argv);
  } catch (err) {
    return {
      code: 2,
      stdout: '',
      stderr: `diagnose502: ${err instanceof Error ? err.message : String(err)}\n`,
    };
  }
  if (options.help) return { code: 0, stdout: `${USAGE}\n`, stderr: '' };
  if (options.version) return { code: 0, stdout: `${version}\n`, stderr: '' };
  if (!options.target) {
    return {
      code: 2,
      stdout: '',
      stderr: `diagnose502: name a host or a group from the inventory.\n\n${USAGE}\n`,
    };
  }
  return undefined;
}
