/**
 * `down`: removes everything a lab created, whether it came up fully, half-way, or its state file is
 * lost. It works from state.json and then by scanning for the lab's names (d502-<id>-* namespaces,
 * the router's among them, the d502up<id> uplink, the bridge and veths of older labs, the d502-<id>
 * memory cgroup), so a killed `up` or a crashed test run is cleaned up too. Host mounts live in the hosts' private mount namespaces and go
 * away with their last process.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { LabConfig } from './config.js';
import { inventoryPath, knownHostsPath, lockPath, statePath } from './config.js';
import { run, waitFor } from './exec.js';
import { deleteLink, deleteNetns, linkExists, listLabLinks, listLabNetns, netnsPids } from './net.js';
import { readState } from './state.js';

export interface TeardownReport {
  killed: number;
  namespaces: string[];
  links: string[];
}

function kill9(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false; // already gone
  }
}

async function netnsOf(pid: number): Promise<string | undefined> {
  const { stdout, code } = await run('ip', ['netns', 'identify', String(pid)], { allowFail: true });
  return code === 0 ? stdout.trim() : undefined;
}

async function removeCgroups(cfg: LabConfig): Promise<void> {
  if (!existsSync(cfg.cgroupDir)) return;
  for (const entry of await readdir(cfg.cgroupDir, { withFileTypes: true })) {
    if (entry.isDirectory()) await rmdir(path.join(cfg.cgroupDir, entry.name)).catch(() => {});
  }
  await rmdir(cfg.cgroupDir).catch(() => {});
}

export async function teardownLab(cfg: LabConfig): Promise<TeardownReport> {
  let killed = 0;
  const state = await readState(cfg).catch(() => undefined);
  // pid 1 of each host first: the kernel then kills everything in that host's pid namespace. A pid
  // from the state file counts only if it still lives in the lab's namespace (pids get reused).
  for (const host of state?.hosts ?? []) {
    if ((await netnsOf(host.initPid)) === host.netns && kill9(host.initPid)) killed++;
  }
  const namespaces = await listLabNetns(cfg);
  for (const ns of namespaces) {
    for (const pid of await netnsPids(ns)) if (kill9(pid)) killed++;
  }
  for (const ns of namespaces) {
    await waitFor(`the processes of ${ns} to exit`, async () => (await netnsPids(ns)).length === 0, {
      timeoutMs: 20_000,
    });
    await deleteNetns(ns);
  }
  const links = await listLabLinks(cfg);
  for (const link of links) await deleteLink(link);
  // Deleting the router namespace takes the uplink with it, asynchronously; `ip link del` above did
  // it at once unless the kernel was already at it.
  await waitFor(`the uplink ${cfg.uplink} to go`, async () => !(await linkExists(cfg.uplink)), {
    timeoutMs: 10_000,
  });
  await removeCgroups(cfg);
  await rm(path.join(cfg.dir, 'hosts'), { recursive: true, force: true });
  for (const file of [statePath(cfg), inventoryPath(cfg), knownHostsPath(cfg), lockPath(cfg)]) {
    await rm(file, { force: true });
  }
  return { killed, namespaces, links };
}

/** Pid recorded in a lab's lock file, and whether the lab belongs to the CLI (lives until `down`). */
export async function readLock(cfg: LabConfig): Promise<{ pid: number; cli: boolean } | undefined> {
  const raw = await readFile(lockPath(cfg), 'utf8').catch(() => undefined);
  if (raw === undefined) return undefined;
  const [kind, pid] = raw.trim().split(' ');
  return { pid: Number(pid), cli: kind === 'cli' };
}
