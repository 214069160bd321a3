import { type Exclusion, fewNames } from './exclusion.js';

/** Seed cause 3 and nginx itself: the config loads, and nginx runs and listens. */
export const NGINX_EXCLUSIONS: readonly Exclusion[] = [
  {
    cause: 'nginx-config-invalid',
    probes: ['nginx-config'],
    check: (ev) =>
      ev.nginx.configTestOk === true
        ? `nginx -t: configuration test successful${ev.nginx.version ? ` (${ev.nginx.version})` : ''}`
        : undefined,
  },
  {
    cause: 'nginx-down',
    probes: ['processes', 'sockets'],
    check: (ev) => {
      const n = ev.nginx;
      if (n.running !== true || n.listening.length === 0) return undefined;
      const workers = n.workerPids.length === 1 ? '1 worker' : `${n.workerPids.length} workers`;
      return `nginx: running (${workers}), listening on ${fewNames(n.listening)}`;
    },
  },
];
