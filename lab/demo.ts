/**
 * npm run demo [-- <fault>] [--list]: a first diagnosis without servers of one's own. Brings up a
 * two-host lab, breaks web-1 in a named way, diagnoses it over real SSH with the CLI's own core and
 * renderer (live check lines, then the report), says whether the verdict names what was broken, and
 * tears the lab down: at the end, on an error, and on Ctrl-C or SIGTERM.
 */
import { readdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createColors } from 'picocolors';
import { diagnoseAndReport, EXIT_INCONCLUSIVE } from '../src/cli/run-cli.js';
import type { HostReport } from '../src/report/types.js';
import type { LabConfig } from './config.js';
import { labConfig, parseLabId } from './config.js';
import { sleep } from './exec.js';
import type { Lab } from './fleet.js';
import { lockHeld, startLab } from './fleet.js';
import { linkExists, listLabNetns } from './net.js';
import { labUnavailableReason } from './preflight.js';
import type { Scenario } from './scenarios.js';
import { findScenario, runScenario } from './scenarios.js';
import { readLock, teardownLab } from './teardown.js';

/** A few faults a newcomer recognises, each a lab scenario the end-to-end table proves. */
const DEMO_FAULTS = [
  'socket-permission',
  'app-down',
  'upstream-slow',
  'header-too-big',
  'wrong-port',
] as const;
const DEFAULT_FAULT = 'socket-permission';
/** Not 0 (a developer's lab) nor an id the tests use, so the demo never takes over another lab. */
const DEFAULT_DEMO_LAB_ID = 1;
const HOST = 'web-1';

const USAGE = `usage: npm run demo [-- <fault> | -- --list]
Brings up a 2-host lab (needs root and the Debian packages in the README), breaks ${HOST} with
<fault> (default ${DEFAULT_FAULT}), diagnoses it, and tears the lab down. Lab id from LAB_ID
(default ${DEFAULT_DEMO_LAB_ID}). Faults: ${DEMO_FAULTS.join(', ')}.`;

/** The first finding's cause when the host's verdict names one. */
function causeOf(report: HostReport | undefined) {
  return report?.verdict === 'cause-found' ? report.findings[0] : undefined;
}

/** The closing line: what was broken, what diagnose502 said, and whether the two agree. */
function verdictLine(host: string, scenario: Scenario, report: HostReport | undefined): string {
  const first = causeOf(report);
  const said = first
    ? `${first.cause} (${Math.round(first.confidence * 100)}%)`
    : report?.verdict === 'inconclusive'
      ? `inconclusive (could not check ${report.notChecked.map((n) => n.check).join(', ')})`
      : 'no cause';
  const agree =
    first?.cause === scenario.expectedCause
      ? 'matches'
      : `does not match (expected ${scenario.expectedCause})`;
  return `broke ${host}: ${scenario.summary}; diagnose502 says ${said}: ${agree}`;
}

const out = (line = '') => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

/** Everything of the demo's lab, its state dir (keys included) too; true when nothing is left. */
async function removeLab(cfg: LabConfig): Promise<boolean> {
  await teardownLab(cfg);
  await rm(path.join(cfg.dir, 'keys'), { recursive: true, force: true });
  if ((await readdir(cfg.dir).catch(() => [])).length === 0) await rmdir(cfg.dir).catch(() => {});
  return (await listLabNetns(cfg)).length === 0 && !(await linkExists(cfg.uplink));
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (values.list) {
    for (const name of DEMO_FAULTS) {
      const s = findScenario(name);
      out(
        `${name.padEnd(18)} ${s.expectedCause.padEnd(24)} ${s.summary}${name === DEFAULT_FAULT ? ' (default)' : ''}`,
      );
    }
    return 0;
  }
  const fault = positionals[0] ?? DEFAULT_FAULT;
  if (positionals.length > 1 || !(DEMO_FAULTS as readonly string[]).includes(fault)) {
    err(
      `demo: unknown fault "${positionals.join(' ')}"; choose one of: ${DEMO_FAULTS.join(', ')}\n\n${USAGE}`,
    );
    return 2;
  }
  // Refuse before touching anything: no root or a missing package would fail half-way through `up`.
  const reason = labUnavailableReason();
  if (reason) {
    err(`demo: cannot run: ${reason}`);
    if (process.getuid?.() !== 0) err('demo: for example: sudo npm run demo');
    return 2;
  }
  const cfg = labConfig(
    parseLabId(process.env.LAB_ID || String(DEFAULT_DEMO_LAB_ID)),
    process.env.LAB_DIR || undefined,
  );
  if (await lockHeld(cfg)) {
    const lock = await readLock(cfg);
    err(
      `demo: lab ${cfg.id} is in use (${lock?.cli ? 'brought up by `npm run lab -- up`' : `by process ${lock?.pid}`}). ` +
        `Run the demo on another id (LAB_ID=2 npm run demo) or take that lab down: LAB_ID=${cfg.id} npm run lab -- down`,
    );
    return 2;
  }

  const scenario = findScenario(fault);
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const c = createColors(color);
  const controller = new AbortController();
  let stopping: string | undefined;
  let removed: Promise<boolean> | undefined;
  const cleanUp = () => {
    removed ??= removeLab(cfg);
    return removed;
  };
  const report = (left: boolean) =>
    left
      ? out(`lab ${cfg.id}: torn down, nothing left behind`)
      : err(`demo: something of lab ${cfg.id} is left; remove it with: LAB_ID=${cfg.id} npm run lab -- down`);
  /**
   * The step the teardown lets finish first: `up` (a lab half-way up still creates namespaces, none
   * may come after the teardown). An aborted diagnosis needs no wait: its sessions may see their
   * host vanish (test/ssh/aborted-diagnosis-reset.test.ts).
   */
  let inFlight: { step: Promise<unknown>; waitMs: number } | undefined;
  const track = <T>(step: Promise<T>, waitMs: number): Promise<T> => {
    inFlight = { step, waitMs };
    return step;
  };
  const shutdown = (why: string, code: number) => {
    // The terminal, npm and tsx may each deliver the same Ctrl-C: act on the first one.
    if (stopping) return;
    stopping = why;
    controller.abort(new Error(`interrupted: ${why}`));
    err(`\ndemo: ${why}: tearing down lab ${cfg.id} (a few seconds)`);
    void (async () => {
      if (inFlight) await Promise.race([inFlight.step.catch(() => {}), sleep(inFlight.waitMs)]);
      report(await cleanUp().catch(() => false));
      process.exit(code);
    })();
  };
  process.on('SIGINT', () => shutdown('SIGINT', 130));
  process.on('SIGTERM', () => shutdown('SIGTERM', 143));
  /** After a signal the handler above owns the rest of the run: wait for its exit. */
  const halted = () => (stopping ? new Promise<never>(() => {}) : undefined);

  out(
    c.bold(`diagnose502 demo: lab ${cfg.id} (${cfg.subnetPrefix}.0/24), fault ${fault} on ${HOST}`) +
      c.dim('  (Ctrl-C tears it down at any time)'),
  );
  try {
    const started = Date.now();
    const up = startLab({
      id: cfg.id,
      dir: cfg.dir,
      hosts: 2,
      owner: 'process',
      log: (m) => out(c.dim(`  ${m}`)),
    });
    const lab: Lab = await track(up, 120_000);
    await halted();
    out(c.dim(`  lab ${cfg.id}: up in ${((Date.now() - started) / 1000).toFixed(1)} s`));

    const t0 = Date.now();
    const run = await runScenario(lab, HOST, fault);
    await halted();
    out(`${c.bold(`broke ${HOST}:`)} ${scenario.summary}`);
    out(
      c.dim(
        `  sent ${run.statuses.length} ${scenario.drive.method ?? 'GET'} ${scenario.drive.path} to its nginx: ` +
          run.statuses.map((s) => s || 'no answer').join(' '),
      ),
    );

    out();
    out(c.bold(`diagnosing ${HOST}: diagnose502 ${HOST} --inventory ${lab.inventoryPath}`));
    // The CLI's own path (run-cli.ts): live check lines, the report, the exit code.
    const { code, report: result } = await diagnoseAndReport(
      {
        target: HOST,
        inventory: lab.inventoryPath,
        // Only what the fault produced: the kernel log is the machine's, and older lines are not ours.
        sinceS: Math.ceil((Date.now() - t0) / 1000) + 2,
        live: true,
      },
      {
        env: process.env,
        stdout: process.stdout,
        stderr: process.stderr,
        version: 'demo',
        signal: controller.signal,
      },
    );
    await halted();
    if (!result) throw new Error(`diagnose502 could not start (exit ${code})`);
    out();
    const host = result.hosts[0];
    const line = verdictLine(HOST, scenario, host);
    const matches = causeOf(host)?.cause === scenario.expectedCause;
    out(c.bold(matches ? c.green(line) : c.red(line)));
    report(await cleanUp());
    out(
      c.dim(
        'Next: describe your own hosts in inventory.yml (README: Inventory) and run npx diagnose502 <host>.',
      ),
    );
    // As the CLI: 3 when the diagnosis could not look (inconclusive); 1 for a verdict that misses.
    return matches ? 0 : code === EXIT_INCONCLUSIVE ? EXIT_INCONCLUSIVE : 1;
  } catch (e) {
    await halted();
    err(`demo: ${e instanceof Error ? e.message : String(e)}`);
    report(await cleanUp().catch(() => false));
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    err(`demo: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  },
);
