import type { ProbeSpec } from '../types.js';
import { tagged } from './common.js';

/**
 * `nginx -T` prints the test result on stderr and the config on stdout; one run gives both `-t` and
 * `-T`, and with `-v` first (nginx goes on to the test after printing its version) the version too.
 */
export const nginxConfigProbe: ProbeSpec = {
  id: 'nginx-config',
  title: 'nginx -T / nginx -t',
  script:
    'if ! command -v nginx >/dev/null 2>&1; then echo "__NOBIN"; ' +
    'else $D502_SUDO nginx -v -T 2>&1; echo "__EXIT $?"; fi',
  privileged: true,
  maxBytes: 4_000_000,
  // Loading the config resolves literal upstream names: RESOLVE_TIMEOUT_S each (common.ts), a few of them.
  timeoutMs: 5_000,
};

export interface NginxDump {
  installed: boolean;
  version?: string;
  exitCode?: number;
  /** The `nginx -T` output without the probe's markers. */
  text: string;
}

export function parseNginxDump(stdout: string): NginxDump {
  if (stdout.includes('__NOBIN')) return { installed: false, text: '' };
  const lines = stdout.split('\n');
  // `nginx version: nginx/1.27.3`, printed by -v before the test and the dump.
  const at = lines.findIndex((l) => l.startsWith('nginx version: '));
  const version = at < 0 ? undefined : lines[at]?.slice('nginx version: '.length).trim();
  const exit = tagged(stdout, 'EXIT')[0];
  const text = lines.filter((l, i) => i !== at && !l.startsWith('__EXIT ')).join('\n');
  return { installed: true, version, exitCode: exit === undefined ? undefined : Number(exit), text };
}
