import type { ProbeSpec } from '../types.js';
import { tagged } from './common.js';

/** `nginx -T` prints the test result on stderr and the config on stdout; one run gives both `-t` and `-T`. */
export const nginxConfigProbe: ProbeSpec = {
  id: 'nginx-config',
  title: 'nginx -T / nginx -t',
  script:
    'if ! command -v nginx >/dev/null 2>&1; then echo "__NOBIN"; exit 0; fi; ' +
    'echo "__VERSION $(nginx -v 2>&1)"; nginx -T 2>&1; echo "__EXIT $?"',
  privileged: true,
  timeoutMs: 6000,
  maxBytes: 4_000_000,
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
  const version = tagged(stdout, 'VERSION')[0]?.replace(/^nginx version:\s*/, '');
  const exit = tagged(stdout, 'EXIT')[0];
  const text = stdout
    .split('\n')
    .filter((l) => !l.startsWith('__VERSION ') && !l.startsWith('__EXIT '))
    .join('\n');
  return { installed: true, version, exitCode: exit === undefined ? undefined : Number(exit), text };
}
