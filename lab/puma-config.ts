/**
 * puma in the lab: Debian's puma 5 serving the lab's Rack app (lab/apps/config.ru) in cluster mode
 * (lab/apps/puma.rb: 2 workers of 1 thread) on a unix socket behind nginx's `location /rb/`
 * (lab-service starts it with the knobs of host.env: `worker_timeout`, the socket's backlog).
 */
export const PUMA_SOCKET = '/run/puma/puma.sock';
export const PUMA_LOG = '/var/log/puma/puma.log';
