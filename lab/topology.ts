/**
 * Which hosts a lab of N hosts has, their addresses and what runs on them. Pure, so the plan can be
 * unit-tested without root.
 */
import type { LabConfig } from './config.js';

export type HostKind = 'web' | 'app';
/** Every process the lab supervises inside a host (see lab/sbin/lab-service). */
export type ServiceName = 'sshd' | 'nginx' | 'app' | 'php-fpm' | 'gunicorn' | 'uwsgi' | 'puma' | 'apache';

export interface HostSpec {
  name: string;
  kind: HostKind;
  address: string;
  lastOctet: number;
  services: ServiceName[];
  /** Web hosts proxy /remote/ to this app host. */
  appHost?: { name: string; address: string };
}

/** Web hosts after this many run only nginx + the Node app, to keep a 50-host fleet small. */
export const FULL_WEB_HOSTS = 3;
export const MIN_HOSTS = 2;
export const MAX_HOSTS = 200;

const WEB_OCTET_BASE = 10; // web-1 = .11
const APP_OCTET_BASE = 210; // app-1 = .211

export function planTopology(cfg: LabConfig, total: number): HostSpec[] {
  if (!Number.isInteger(total) || total < MIN_HOSTS || total > MAX_HOSTS) {
    throw new Error(
      `--hosts must be an integer from ${MIN_HOSTS} to ${MAX_HOSTS} (at least one web and one app host), got ${total}.`,
    );
  }
  // One app host per ten hosts keeps cross-host traffic realistic without many idle app hosts.
  const appCount = Math.min(40, Math.max(1, Math.floor(total / 10)));
  const webCount = total - appCount;
  const apps: HostSpec[] = [];
  for (let i = 1; i <= appCount; i++) {
    const lastOctet = APP_OCTET_BASE + i;
    apps.push({
      name: `app-${i}`,
      kind: 'app',
      address: `${cfg.subnetPrefix}.${lastOctet}`,
      lastOctet,
      services: ['sshd', 'app'],
    });
  }
  const webs: HostSpec[] = [];
  for (let i = 1; i <= webCount; i++) {
    const lastOctet = WEB_OCTET_BASE + i;
    const app = apps[(i - 1) % appCount];
    if (!app) throw new Error('topology: no app host planned');
    const services: ServiceName[] =
      i <= FULL_WEB_HOSTS
        ? ['sshd', 'nginx', 'app', 'php-fpm', 'gunicorn', 'uwsgi', 'puma', 'apache']
        : ['sshd', 'nginx', 'app'];
    webs.push({
      name: `web-${i}`,
      kind: 'web',
      address: `${cfg.subnetPrefix}.${lastOctet}`,
      lastOctet,
      services,
      appHost: { name: app.name, address: app.address },
    });
  }
  return [...webs, ...apps];
}

/** The port the Node app listens on: loopback 8081 behind nginx on web hosts, 0.0.0.0:8080 on app hosts. */
export function appListen(kind: HostKind): { host: string; port: number } {
  return kind === 'web' ? { host: '127.0.0.1', port: 8081 } : { host: '0.0.0.0', port: 8080 };
}
