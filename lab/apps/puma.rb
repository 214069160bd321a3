# puma's config in the lab (Debian's puma 5.6): lab-service starts `puma -C` on this file with the
# knobs of /usr/local/etc/lab/host.env. Cluster mode, 2 workers of 1 thread, on a unix socket with a
# listen backlog of LAB_PUMA_BACKLOG (nginx's workers run as www-data: the socket is world-writable).
# The log is puma's default format: no time on its lines, only on the startup banner.
workers 2
threads 1, 1
worker_timeout Integer(ENV.fetch('LAB_PUMA_WORKER_TIMEOUT', '6'))
bind "unix:///run/puma/puma.sock?umask=0000&backlog=#{Integer(ENV.fetch('LAB_PUMA_BACKLOG', '1024'))}"
pidfile '/run/puma/puma.pid'
rackup File.join(__dir__, 'config.ru')
stdout_redirect '/var/log/puma/puma.log', '/var/log/puma/puma.log', true
environment 'production'
