/**
 * restoreHost: back to the state `up` left the host in, whatever was done to it: default configs,
 * no firewall, no scenario mounts or burners, original ssh host key, every service restarted.
 */
import { copyFile, mkdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { hostRoot } from '../config.js';
import type { Lab } from '../fleet.js';
import { defaultHostEnv, HEALTHY_MODE, renderEtcHosts, renderHostEnv } from '../host-fs.js';
import { defaultPhpPool, renderPhpPool } from '../php-fpm-config.js';
import { writeNginxConf } from './host-actions.js';

/** Name of the scenario last applied to a host, kept inside the host (/run/lab/scenario). */
export const SCENARIO_MARKER = '/run/lab/scenario';

// Inside the host: wake a stopped app, kill burners, drop scenario mounts, firewall and sysctls.
const RESET_COMMANDS = `
p=$(cat /run/lab-app/app.pid 2>/dev/null) && kill -CONT "$p" 2>/dev/null
for f in /run/lab/burner.*.pid; do [ -e "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; rm -f "$f"; done
for m in /var/lib/nginx/body /var/lib/nginx/proxy /var/lib/nginx/tmp/fastcgi; do mountpoint -q $m && umount $m; done
nft flush ruleset
sysctl -qw net.ipv4.ip_local_port_range="32768 60999"
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
true
`;

export async function resetHost(lab: Lab, host: string): Promise<void> {
  const spec = lab.host(host);
  await lab.exec(host, RESET_COMMANDS);
  await lab.writeFile(host, '/run/lab-app/mode.json', HEALTHY_MODE);
  await lab.writeFile(host, '/usr/local/etc/lab/host.env', renderHostEnv(spec, defaultHostEnv(spec)));
  await lab.writeFile(host, '/etc/hosts', renderEtcHosts(lab.hosts));
  if (spec.services.includes('nginx')) {
    await rm(lab.path(host, '/etc/nginx/conf.d'), { recursive: true, force: true });
    await mkdir(lab.path(host, '/etc/nginx/conf.d'));
    await writeNginxConf(lab, host);
  }
  if (spec.services.includes('php-fpm')) {
    await lab.writeFile(host, '/etc/php/8.2/fpm/pool.d/www.conf', renderPhpPool(defaultPhpPool()));
  }
  const original = path.join(hostRoot(lab.cfg, host), 'ssh-original');
  for (const f of ['ssh_host_ed25519_key', 'ssh_host_ed25519_key.pub']) {
    await copyFile(path.join(original, f), lab.path(host, `/etc/ssh/${f}`));
  }
  await lab.service(host, 'restart', 'all');
  // The app left its memory cgroup when it was restarted; an empty cgroup can be removed.
  await rmdir(path.join(lab.cfg.cgroupDir, host)).catch(() => {});
  await rm(lab.path(host, SCENARIO_MARKER), { force: true });
}
