/**
 * Whether this machine can run a lab, and if not, what to do about it. Tests use the same check to
 * skip (loudly) where the lab cannot run.
 */
import { accessSync, constants } from 'node:fs';

const REQUIRED = [
  ['/usr/sbin/ip', 'iproute2'],
  ['/usr/bin/unshare', 'util-linux'],
  ['/usr/bin/nsenter', 'util-linux'],
  ['/usr/bin/tini', 'tini'],
  ['/usr/sbin/sshd', 'openssh-server'],
  ['/usr/bin/ssh-keygen', 'openssh-client'],
  ['/usr/sbin/nginx', 'nginx'],
  ['/usr/sbin/php-fpm8.2', 'php8.2-fpm'],
  ['/usr/bin/gunicorn', 'gunicorn'],
  ['/usr/bin/uwsgi-core', 'uwsgi-core'],
  ['/usr/bin/uwsgi_python3', 'uwsgi-plugin-python3'],
  ['/usr/bin/puma', 'puma'],
  ['/usr/sbin/apache2', 'apache2'],
  ['/usr/sbin/nft', 'nftables'],
  ['/usr/bin/curl', 'curl'],
] as const;

/** undefined when the lab can run here; otherwise the reason, with the fix. */
export function labUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return `the lab needs Linux namespaces; this is ${process.platform}`;
  if (process.getuid?.() !== 0) return 'the lab needs root (network namespaces, bind mounts): run as root';
  const missing = REQUIRED.filter(([bin]) => {
    try {
      accessSync(bin, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map(([, pkg]) => pkg))].join(' ');
    return `missing ${missing.map(([bin]) => bin).join(', ')}: apt-get install -y ${pkgs}`;
  }
  return undefined;
}

export function assertLabCanRun(): void {
  const reason = labUnavailableReason();
  if (reason) throw new Error(`lab: cannot start: ${reason}`);
}
