/**
 * The SSH settings without a default (user, key, known_hosts) set for every host, either in the
 * `ssh:` defaults or on the host. Missing everywhere is one problem, at the defaults.
 */
import { effectiveSsh } from '../effective-ssh.js';
import type { CheckInput, Problem } from '../problem.js';

const REQUIRED = ['user', 'privateKeyPath', 'knownHostsPath'] as const;

export function missingSshSettings({ file, filePath }: CheckInput): Problem[] {
  const hostNames = Object.keys(file.hosts);
  const problems: Problem[] = [];
  for (const key of REQUIRED) {
    const missing = hostNames.filter((name) => {
      const host = file.hosts[name];
      return host !== undefined && effectiveSsh(file, host, key) === undefined;
    });
    if (missing.length === hostNames.length) {
      problems.push({
        path: ['ssh', key],
        message: 'missing: not set in the ssh defaults nor on any host',
        fix: `set ssh.${key} in ${filePath}`,
      });
      continue;
    }
    for (const name of missing) {
      problems.push({
        path: ['hosts', name, 'ssh', key],
        message: 'missing: not set in the ssh defaults nor on this host',
        fix: `set ssh.${key} (for every host) or hosts.${name}.ssh.${key} in ${filePath}`,
      });
    }
  }
  return problems;
}
