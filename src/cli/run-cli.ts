/**
 * `diagnose502 <target>`. Only what a diagnosis needs before it can connect is imported up front (the
 * inventory, and Node's `net` for the first TCP connections); SSH, the probes, the rules and the
 * renderers are imported once the connections are on their way, while sshd answers (see
 * diagnoseAndReport). The Slack bot's packages are never loaded here.
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { InventoryError } from '../inventory/errors.js';
import { loadInventory, locateInventory } from '../inventory/load-inventory.js';
import { resolveTarget } from '../inventory/resolve-target.js';
import { inventoryFromSshConfig, pickSshConfig } from '../inventory/ssh-config-inventory.js';
import type { ResolvedHost } from '../inventory/types.js';
import { connectEarly } from '../pipeline/connect-early.js';
import type { Connect } from '../pipeline/diagnose-host.js';
import type { TargetReport } from '../report/types.js';
import { openEarlySockets } from '../ssh/early-socket.js';
import { parseCli, USAGE, UsageError } from './parse-args.js';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  version: string;
  signal?: AbortSignal;
  cwd?: string;
  /** Swappable for tests; the real SSH connector by default. */
  connect?: Connect;
}

/** Hosts of a group diagnosed at once when the request names no number (diagnoseTarget's default). */
const DEFAULT_CONCURRENCY = 10;

export const EXIT_OK = 0;
export const EXIT_CAUSE_FOUND = 1;
export const EXIT_USAGE = 2;
export const EXIT_INCONCLUSIVE = 3;

/** The process's exit code for a finished diagnosis: its verdict over every host. */
export function exitCodeFor(report: Pick<TargetReport, 'verdict'>): number {
  switch (report.verdict) {
    case 'cause-found':
      return EXIT_CAUSE_FOUND;
    case 'inconclusive':
      return EXIT_INCONCLUSIVE;
    case 'no-cause':
      return EXIT_OK;
  }
}

/**
 * The CLI: exit 0 when no host has a 502 cause and every host could be checked, 1 when some host has
 * one, 2 on usage or inventory errors, 3 when no host has a cause but some host could not run an
 * essential check (inconclusive: never "all clear").
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let options: ReturnType<typeof parseCli>;
  try {
    options = parseCli(argv);
  } catch (err) {
    io.stderr.write(`diagnose502: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_USAGE;
  }
  if (options.help) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  if (options.version) {
    io.stdout.write(`${io.version}\n`);
    return EXIT_OK;
  }
  if (!options.target) {
    io.stderr.write(`diagnose502: name a host or a group from the inventory.\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }

  const { code } = await diagnoseAndReport(
    {
      target: options.target,
      inventory: options.inventory,
      sshConfig: options.sshConfig,
      sinceS: options.sinceS,
      concurrency: options.concurrency,
      json: options.json,
      chart: options.chart,
      history: options.history,
    },
    io,
  );
  return code;
}

/** One diagnosis as the CLI runs it, for any front end that already knows what to diagnose. */
export interface DiagnoseRequest {
  /** A host or group of the inventory. */
  target: string;
  /** `--inventory`; else DIAGNOSE502_INVENTORY, else the default places (locate-inventory.ts). */
  inventory?: string | undefined;
  /** `--ssh-config`; else DIAGNOSE502_SSH_CONFIG, else ~/.ssh/config when it exists. */
  sshConfig?: string | undefined;
  sinceS: number;
  concurrency?: number | undefined;
  json?: boolean | undefined;
  /** `--chart FILE`: the PNG of the host with the most 502/504s is written there (write-chart.ts). */
  chart?: string | undefined;
  /** Say whether each host was diagnosed before, from the bot's Redis (loaded only then). */
  history?: boolean | undefined;
  /**
   * Print each check as it finishes, on stderr. Default: on a terminal without --json (the CLI);
   * the demo always shows them.
   */
  live?: boolean | undefined;
}

/**
 * The whole diagnosis behind `diagnose502 <target>`: load the inventory, diagnose (live check lines
 * while it runs), print the report on stdout, and return it with the exit code (1 cause, 3
 * inconclusive, 0 none; 2 with no report for an inventory error). The CLI and `npm run demo` share
 * this one path. Live lines stop once `io.signal` aborts: the checks cancelled by Ctrl-C are noise.
 */
export async function diagnoseAndReport(
  request: DiagnoseRequest,
  io: CliIo,
): Promise<{ code: number; report?: TargetReport }> {
  let hosts: ResolvedHost[];
  try {
    const cwd = io.cwd ?? process.cwd();
    const where = { flagPath: request.inventory, envPath: io.env.DIAGNOSE502_INVENTORY, cwd };
    const sshConfig = pickSshConfig({
      flagPath: request.sshConfig,
      envPath: io.env.DIAGNOSE502_SSH_CONFIG,
      cwd,
      userDefault: true,
    });
    const location = locateInventory(where);
    // No inventory anywhere: the hosts `ssh` knows (issue 19, "works where ssh works").
    const inventory =
      location.source === 'default' && sshConfig !== undefined && !existsSync(location.path)
        ? await inventoryFromSshConfig(request.target, sshConfig, location.path)
        : await loadInventory({ ...where, sshConfig: sshConfig?.source, homeDir: userInfo().homedir });
    for (const note of inventory.notes ?? []) io.stderr.write(`diagnose502: note: ${note}\n`);
    hosts = resolveTarget(inventory, request.target);
  } catch (err) {
    if (err instanceof InventoryError || err instanceof UsageError) {
      io.stderr.write(`diagnose502: ${err.message}\n`);
      return { code: EXIT_USAGE };
    }
    throw err;
  }

  const live = request.live ?? (!request.json && io.stderr.isTTY === true);
  const color = io.stdout.isTTY === true && !io.env.NO_COLOR;
  // Nothing idles: the TCP connections of the hosts diagnosed first open now, ssh2 loads while sshd
  // starts its side of them, then their SSH handshakes run while the rest of the code loads.
  const first = hosts.slice(0, Math.max(1, request.concurrency ?? DEFAULT_CONCURRENCY));
  const sockets = io.connect === undefined ? openEarlySockets(first, first.length) : undefined;
  const connect = io.connect ?? (await import('../pipeline/ssh-connector.js')).sshConnector(hosts, sockets);
  const early = connectEarly(first, connect, io.signal);
  const [{ diagnoseTarget }, { renderCheckLine, renderTerminal }, { renderJson }] = await Promise.all([
    import('../pipeline/diagnose-target.js'),
    import('../report/render-terminal.js'),
    import('../report/render-json.js'),
  ]);
  const diagnosed = await diagnoseTarget(request.target, hosts, early, {
    sinceS: request.sinceS,
    signal: io.signal,
    concurrency: request.concurrency,
    onProgress: live
      ? (e) => {
          if (e.type === 'check' && !io.signal?.aborted)
            io.stderr.write(
              `${renderCheckLine(e.host, e.check, io.stderr.isTTY === true && !io.env.NO_COLOR)}\n`,
            );
        }
      : undefined,
  });
  if (live) io.stderr.write('\n');
  const report = request.history
    ? await (await import('../history/cli-history.js')).withCliHistory(diagnosed, io)
    : diagnosed;
  io.stdout.write(request.json ? renderJson(report) : renderTerminal(report, color));
  if (request.chart) {
    // The renderer (resvg, several MB) loads only when a chart is asked for.
    const { writeChart } = await import('./write-chart.js');
    io.stderr.write(`diagnose502: ${await writeChart(report, request.chart)}\n`);
  }
  return { code: exitCodeFor(report), report };
}
