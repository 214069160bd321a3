/**
 * `status`: every host, its address, and whether sshd, nginx and the apps answer, checked from the
 * root namespace over the lab network (what the diagnosis sees) and from inside the host.
 */
import net from 'node:net';
import { mapLimit, processAlive } from './exec.js';
import type { Lab } from './fleet.js';
import { httpRequest } from './http-client.js';
import type { HostState } from './state.js';

export interface HostStatus {
  name: string;
  address: string;
  alive: boolean;
  /** sshd answered with an SSH banner on address:22. */
  ssh: boolean;
  /** HTTP status of GET / through nginx (web hosts), or of /healthz on :8080 (app hosts). */
  http?: number;
  /** `lab-service status` lines from inside the host. */
  services: string[];
}

function sshBanner(address: string, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: address, port: 22, timeout: timeoutMs });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.once('data', (d) => done(d.toString().startsWith('SSH-2.0-')));
    sock.once('timeout', () => done(false));
    sock.once('error', () => done(false));
  });
}

export async function hostStatus(lab: Lab, host: HostState): Promise<HostStatus> {
  if (!processAlive(host.initPid)) {
    return { name: host.name, address: host.address, alive: false, ssh: false, services: [] };
  }
  const probe = host.kind === 'web' ? { path: '/' } : { path: '/healthz', port: 8080 };
  const [ssh, http, services] = await Promise.all([
    sshBanner(host.address),
    httpRequest({ address: host.address, ...probe, timeoutMs: 5000 }).then((r) => r.status || undefined),
    lab.service(host.name, 'status').then((r) => r.stdout.trim().split('\n').filter(Boolean)),
  ]);
  return { name: host.name, address: host.address, alive: true, ssh, http, services };
}

export function labStatus(lab: Lab): Promise<HostStatus[]> {
  return mapLimit(lab.hosts, 8, (h) => hostStatus(lab, h));
}

export function renderStatus(lab: Lab, rows: HostStatus[]): string {
  const lines = [
    `lab ${lab.id}: ${rows.length} hosts on ${lab.cfg.subnetPrefix}.0/24 (uplink ${lab.cfg.uplink}, routed by ${lab.cfg.routerNetns}), started ${lab.state.createdAt}`,
    `inventory:   ${lab.inventoryPath}`,
    `known_hosts: ${lab.knownHostsPath}`,
    `ssh:         ssh -i ${lab.privateKeyPath} -o UserKnownHostsFile=${lab.knownHostsPath} root@<address>`,
    '',
  ];
  for (const r of rows) {
    const head = `${r.name.padEnd(8)} ${r.address.padEnd(13)}`;
    if (!r.alive) {
      lines.push(`${head} DOWN (host process gone; run down and up again)`);
      continue;
    }
    const svc = r.services.map((s) => s.replace(/ running pid=\d+/, '')).join(', ');
    lines.push(`${head} ssh ${r.ssh ? 'ok' : 'NO'}  http ${r.http ?? 'NO'}  ${svc}`);
  }
  return lines.join('\n');
}
