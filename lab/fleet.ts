/**
 * The lab's programmatic API: bring a fleet up, run commands inside its hosts, read their files,
 * take it down. Tests, benchmarks and the CLI all go through `startLab` / `attachLab`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { LabConfig } from './config.js';
import {
  clientKeyPath,
  inventoryPath,
  knownHostsPath,
  labConfig,
  labConfigFromEnv,
  lockPath,
  netnsName,
  vethName,
} from './config.js';
import type { RunOptions, RunResult } from './exec.js';
import { mapLimit, processAlive } from './exec.js';
import { hostPath, prepareHostFiles } from './host-fs.js';
import { hostExec, startHostInit } from './host-init.js';
import { renderInventory } from './inventory.js';
import { createHostNetwork, createNetwork, linkExists, listLabNetns } from './net.js';
import { assertLabCanRun } from './preflight.js';
import { ensureKeyPair, knownHostsLines } from './sshd.js';
import type { HostState, LabState } from './state.js';
import { readState, writeState } from './state.js';
import { readLock, teardownLab } from './teardown.js';
import type { HostSpec } from './topology.js';
import { planTopology } from './topology.js';

export interface StartLabOptions {
  /** Lab id (default: LAB_ID or 0). Tests use their own ids so a developer's lab is left alone. */
  id?: number;
  /** State dir (default: LAB_DIR or <repo>/.lab/<id>). */
  dir?: string;
  /** Total number of hosts, web and app (default 3: web-1, web-2, app-1). */
  hosts?: number;
  /** Hosts brought up at once (default 6; the machine has 2 cores). */
  parallel?: number;
  /** Tear down a lab already running under this id instead of refusing. */
  replace?: boolean;
  /** `cli`: the lab outlives this process; `process` (default): it belongs to this process. */
  owner?: 'cli' | 'process';
  /** Leave a failed lab in place for inspection (default: tear it down; env LAB_KEEP_ON_FAILURE=1). */
  keepOnFailure?: boolean;
  log?: (message: string) => void;
}

export class Lab {
  constructor(
    readonly cfg: LabConfig,
    readonly state: LabState,
  ) {}

  get id(): number {
    return this.cfg.id;
  }
  get inventoryPath(): string {
    return inventoryPath(this.cfg);
  }
  get knownHostsPath(): string {
    return knownHostsPath(this.cfg);
  }
  get privateKeyPath(): string {
    return clientKeyPath(this.cfg);
  }
  get hosts(): HostState[] {
    return this.state.hosts;
  }
  hostsOfKind(kind: HostState['kind']): HostState[] {
    return this.state.hosts.filter((h) => h.kind === kind);
  }

  host(name: string): HostState {
    const host = this.state.hosts.find((h) => h.name === name);
    if (!host) {
      throw new Error(
        `lab: no host "${name}" in lab ${this.id} (hosts: ${this.hosts.map((h) => h.name).join(', ')})`,
      );
    }
    return host;
  }

  /** Runs a bash command line inside `host` (nsenter into its namespaces); throws on a non-zero exit. */
  exec(host: string, command: string, opts?: RunOptions): Promise<RunResult> {
    return hostExec(this.host(host).initPid, command, opts);
  }

  /** `lab-service <action> <services>` inside the host (start/restart wait until healthy). */
  service(
    host: string,
    action: 'start' | 'stop' | 'restart' | 'status',
    ...services: string[]
  ): Promise<RunResult> {
    return this.exec(host, `lab-service ${action} ${services.join(' ')}`, {
      allowFail: action === 'status',
      timeoutMs: 60_000,
    });
  }

  /** Where a file inside a host is on this machine (only for the host's private paths). */
  path(host: string, inside: string): string {
    this.host(host);
    return hostPath(this.cfg, host, inside);
  }

  readFile(host: string, inside: string): Promise<string> {
    return readFile(this.path(host, inside), 'utf8');
  }

  /** Writes in place (same inode), so single-file bind mounts such as /etc/hosts keep working. */
  writeFile(host: string, inside: string, content: string): Promise<void> {
    return writeFile(this.path(host, inside), content);
  }

  stop(): Promise<void> {
    return stopLab(this.cfg);
  }
}

async function bringUpHost(
  cfg: LabConfig,
  host: HostSpec,
  all: HostSpec[],
  clientKey: string,
): Promise<HostState> {
  const hostKey = await prepareHostFiles(cfg, host, all, clientKey);
  await createHostNetwork(cfg, host);
  const pids = await startHostInit(cfg, host);
  await hostExec(pids.initPid, 'lab-service start all', { timeoutMs: 90_000 });
  return { ...host, netns: netnsName(cfg, host.name), veth: vethName(cfg, host.lastOctet), ...pids, hostKey };
}

/** Whether anything of lab `cfg` exists on the machine (state file, namespaces, uplink). */
export async function labExists(cfg: LabConfig): Promise<boolean> {
  return (
    existsSync(lockPath(cfg)) ||
    (await readState(cfg).catch(() => undefined)) !== undefined ||
    (await listLabNetns(cfg)).length > 0 ||
    (await linkExists(cfg.uplink)) ||
    (await linkExists(cfg.legacyBridge))
  );
}

/** Whether a live owner holds the lab: the CLI (until `down`), or a process still running. */
export async function lockHeld(cfg: LabConfig, ignorePid?: number): Promise<boolean> {
  const lock = await readLock(cfg);
  if (!lock) return false;
  if (lock.cli) return true;
  return lock.pid !== ignorePid && processAlive(lock.pid);
}

export async function startLab(opts: StartLabOptions = {}): Promise<Lab> {
  assertLabCanRun();
  const envCfg = labConfigFromEnv();
  const cfg =
    opts.id === undefined ? labConfig(envCfg.id, opts.dir ?? envCfg.dir) : labConfig(opts.id, opts.dir);
  const log = opts.log ?? (() => {});
  if (await labExists(cfg)) {
    // Leftovers of a dead test process or of a killed `up` are cleaned silently; a live lab is not.
    if ((await lockHeld(cfg, process.pid)) && !opts.replace) {
      throw new Error(
        `lab ${cfg.id} is already up. Run \`LAB_ID=${cfg.id} npm run lab -- down\` first, or \`up --replace\`.`,
      );
    }
    log(`lab ${cfg.id}: removing the previous lab`);
    await teardownLab(cfg);
  }
  await mkdir(cfg.dir, { recursive: true });
  const owner = opts.owner ?? 'process';
  await writeFile(lockPath(cfg), `${owner} ${process.pid}\n`);
  try {
    const clientKey = await ensureKeyPair(clientKeyPath(cfg), `diagnose502-lab-${cfg.id}`);
    const plan = planTopology(cfg, opts.hosts ?? 3);
    await createNetwork(cfg);
    let done = 0;
    const hosts = await mapLimit(plan, opts.parallel ?? 6, async (spec) => {
      const host = await bringUpHost(cfg, spec, plan, clientKey);
      log(`lab ${cfg.id}: ${host.name} up at ${host.address} (${++done}/${plan.length})`);
      return host;
    });
    const state: LabState = {
      version: 1,
      id: cfg.id,
      dir: cfg.dir,
      uplink: cfg.uplink,
      createdAt: new Date().toISOString(),
      owner: owner === 'cli' ? { kind: 'cli' } : { kind: 'process', pid: process.pid },
      hosts,
    };
    await writeFile(knownHostsPath(cfg), knownHostsLines(hosts));
    await writeFile(inventoryPath(cfg), renderInventory(cfg, plan));
    await writeState(cfg, state);
    return new Lab(cfg, state);
  } catch (err) {
    const keep = opts.keepOnFailure ?? process.env.LAB_KEEP_ON_FAILURE === '1';
    log(
      `lab ${cfg.id}: up failed${keep ? '' : ', tearing down'}: ${err instanceof Error ? err.message : String(err)}`,
    );
    if (!keep) await teardownLab(cfg);
    throw err;
  }
}

/** The lab running under `cfg` (default: LAB_ID / LAB_DIR), from its state file. */
export async function attachLab(cfg: LabConfig = labConfigFromEnv()): Promise<Lab> {
  const state = await readState(cfg);
  if (!state)
    throw new Error(`lab ${cfg.id} is not up (no ${cfg.dir}/state.json). Start it: npm run lab -- up`);
  return new Lab(cfg, state);
}

export async function stopLab(cfg: LabConfig = labConfigFromEnv()): Promise<void> {
  await teardownLab(cfg);
}
