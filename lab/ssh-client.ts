/**
 * OpenSSH client calls into lab hosts with the lab's key and known_hosts only (no user config, no
 * agent, strict host key checking): what the diagnosis does, and how tests prove a host is reachable.
 */
import type { RunResult } from './exec.js';
import { run } from './exec.js';
import type { Lab } from './fleet.js';

export function sshArgs(lab: Lab, address: string): string[] {
  return [
    '-F',
    '/dev/null',
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-o',
    `UserKnownHostsFile=${lab.knownHostsPath}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'ConnectTimeout=5',
    '-i',
    lab.privateKeyPath,
    `root@${address}`,
  ];
}

/** Runs `command` on `host` over SSH; a non-zero exit is returned, not thrown. */
export function sshRun(lab: Lab, host: string, command: string): Promise<RunResult> {
  return run('ssh', [...sshArgs(lab, lab.host(host).address), command], {
    allowFail: true,
    timeoutMs: 30_000,
  });
}
