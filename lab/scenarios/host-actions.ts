/**
 * The moves scenarios are made of: change a host's nginx config and reload it, switch the Node app's
 * mode, reconfigure the php-fpm pool, firewall a path with nft. Each does what an operator (or an
 * incident) would do on a real machine, inside the host.
 */
import { rm } from 'node:fs/promises';
import { waitFor } from '../exec.js';
import type { Lab } from '../fleet.js';
import type { HostEnvSettings } from '../host-fs.js';
import { defaultHostEnv, renderHostEnv } from '../host-fs.js';
import { outerPid } from '../host-init.js';
import { httpRequest } from '../http-client.js';
import type { NginxSettings } from '../nginx-config.js';
import { defaultNginxSettings, renderNginxConf } from '../nginx-config.js';
import type { PhpPoolSettings } from '../php-fpm-config.js';
import { defaultPhpPool, renderPhpPool } from '../php-fpm-config.js';

/** Writes nginx.conf from the host's defaults plus `changes`; returns the config's generation. */
export async function writeNginxConf(
  lab: Lab,
  host: string,
  changes: Partial<NginxSettings> = {},
): Promise<number> {
  const generation = Date.now();
  const settings = { ...defaultNginxSettings(lab.host(host)), ...changes, generation };
  await lab.writeFile(host, '/etc/nginx/nginx.conf', renderNginxConf(settings));
  return generation;
}

/**
 * `nginx -s reload`, then wait until the new worker answers (GET /lab-config shows the generation)
 * and the old one has exited: until then the old worker may still accept a connection and answer
 * it with the old config.
 */
export async function reloadNginx(lab: Lab, host: string, generation: number): Promise<void> {
  await lab.exec(host, 'nginx -t -q && nginx -s reload');
  const address = lab.host(host).address;
  await waitFor(`nginx on ${host} to run only config generation ${generation}`, async () => {
    const res = await httpRequest({ address, path: '/lab-config', timeoutMs: 5000 });
    if (!res.body.includes(`generation ${generation}`)) return false;
    const { stdout } = await lab.exec(host, 'ps -o args= --ppid "$(cat /run/nginx.pid)"');
    return stdout.trim().split('\n').length === 1;
  });
}

export async function reconfigureNginx(
  lab: Lab,
  host: string,
  changes: Partial<NginxSettings>,
): Promise<void> {
  await reloadNginx(lab, host, await writeNginxConf(lab, host, changes));
}

/** Switches the Node app's behaviour; it reads the mode file on every request (no restart). */
export async function setAppMode(lab: Lab, host: string, mode: Record<string, unknown>): Promise<void> {
  await lab.writeFile(host, '/run/lab-app/mode.json', `${JSON.stringify(mode)}\n`);
}

export async function writePhpPool(lab: Lab, host: string, changes: Partial<PhpPoolSettings>): Promise<void> {
  await lab.writeFile(
    host,
    '/etc/php/8.2/fpm/pool.d/www.conf',
    renderPhpPool({ ...defaultPhpPool(), ...changes }),
  );
}

export async function writeHostEnv(lab: Lab, host: string, changes: Partial<HostEnvSettings>): Promise<void> {
  const spec = lab.host(host);
  await lab.writeFile(
    host,
    '/usr/local/etc/lab/host.env',
    renderHostEnv(spec, { ...defaultHostEnv(spec), ...changes }),
  );
}

/** Loads an nft ruleset inside the host's network namespace (it dies with the namespace). */
export async function nftApply(lab: Lab, host: string, ruleset: string): Promise<void> {
  await lab.exec(host, 'nft -f -', { input: ruleset });
}

/** Pid of the host's Node app as seen from the machine (for the memory cgroup). */
export async function appPidOutside(lab: Lab, host: string): Promise<number> {
  const inner = Number((await lab.readFile(host, '/run/lab-app/app.pid')).trim());
  const pid = await outerPid(lab.host(host).netns, inner);
  if (pid === undefined) throw new Error(`lab: the app of ${host} (pid ${inner} inside) is not running`);
  return pid;
}

export async function removeConfD(lab: Lab, host: string, file: string): Promise<void> {
  await rm(lab.path(host, `/etc/nginx/conf.d/${file}`), { force: true });
}
