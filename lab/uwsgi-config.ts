/**
 * uWSGI in the lab: the lab's WSGI app (lab/apps/lab_wsgi.py) served by Debian's uwsgi-core with the
 * python3 plugin, on a TCP uwsgi-protocol socket behind nginx's `location /uw/` (lab-service starts it
 * with the knobs of host.env: `--harakiri`, `--listen`).
 */
export const UWSGI_SOCKET = '127.0.0.1:8010';
export const UWSGI_LOG = '/var/log/uwsgi/app.log';
