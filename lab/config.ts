/**
 * Names and addresses of one lab. Everything a lab creates on the machine is derived from its id,
 * so two labs (a developer's on id 0, a test run on id 7) never touch each other's pieces, and
 * `down` can find a lab's leftovers by name even when its state file is gone.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const LAB_SOURCE_DIR = path.join(REPO_ROOT, 'lab');

export interface LabConfig {
  id: number;
  /** State directory: keys, known_hosts, inventory.yml, state.json, per-host roots. */
  dir: string;
  /** Root-namespace end of the veth pair to the router namespace (see net.ts). */
  uplink: string;
  /** First three octets, e.g. `10.88.7`. */
  subnetPrefix: string;
  /** The root namespace's address on the lab network (.1). */
  uplinkAddress: string;
  netnsPrefix: string;
  /** The namespace that routes between the hosts and the root namespace. */
  routerNetns: string;
  /** The router's end of each host's veth pair: prefix + the host's last octet. */
  vethPrefix: string;
  /** The bridge of labs before the router namespace, still removed by `down`. */
  legacyBridge: string;
  /** Memory cgroup (v1) parent for scenarios that need a limit; removed by `down`. */
  cgroupDir: string;
}

export function parseLabId(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0;
  const id = Number(raw);
  // The id becomes the third octet of 10.88.<id>.0/24 and part of interface names.
  if (!Number.isInteger(id) || id < 0 || id > 254) {
    throw new Error(`LAB_ID must be an integer from 0 to 254, got "${raw}". Set LAB_ID=0 or unset it.`);
  }
  return id;
}

export function labConfig(id: number, dir?: string): LabConfig {
  return {
    id,
    dir: path.resolve(dir ?? path.join(REPO_ROOT, '.lab', String(id))),
    uplink: `d502up${id}`,
    subnetPrefix: `10.88.${id}`,
    uplinkAddress: `10.88.${id}.1`,
    netnsPrefix: `d502-${id}-`,
    routerNetns: `d502-${id}-router`,
    vethPrefix: `d502v${id}h`,
    legacyBridge: `d502br${id}`,
    cgroupDir: `/sys/fs/cgroup/memory/d502-${id}`,
  };
}

/** The lab selected by the environment: LAB_ID (default 0) and LAB_DIR (default <repo>/.lab/<id>). */
export function labConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LabConfig {
  const id = parseLabId(env.LAB_ID);
  return labConfig(id, env.LAB_DIR || undefined);
}

export const netnsName = (cfg: LabConfig, host: string): string => `${cfg.netnsPrefix}${host}`;

/** Router-namespace end of a host's veth pair; `d502v254h254` is 12 chars, under IFNAMSIZ (15). */
export const vethName = (cfg: LabConfig, lastOctet: number): string => `${cfg.vethPrefix}${lastOctet}`;

export const hostRoot = (cfg: LabConfig, host: string): string => path.join(cfg.dir, 'hosts', host);
export const statePath = (cfg: LabConfig): string => path.join(cfg.dir, 'state.json');
export const inventoryPath = (cfg: LabConfig): string => path.join(cfg.dir, 'inventory.yml');
export const knownHostsPath = (cfg: LabConfig): string => path.join(cfg.dir, 'known_hosts');
export const clientKeyPath = (cfg: LabConfig): string => path.join(cfg.dir, 'keys', 'id_ed25519');
export const lockPath = (cfg: LabConfig): string => `${cfg.dir}.lock`;

/** An address nothing in the lab answers on (used by the dns-failure scenario as a dead resolver). */
export const deadAddress = (cfg: LabConfig): string => `${cfg.subnetPrefix}.2`;
