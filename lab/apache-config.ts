/**
 * Apache httpd in the lab: Debian's apache2 2.4 as an app server (lab/apps/apache2.conf: mpm_prefork,
 * mod_cgi, the CGI script lab/apps/cgi/lab.cgi) on 127.0.0.1:8030 behind nginx's `location /ap/`
 * (lab-service starts it with the knobs of host.env: `Timeout`, `MaxRequestWorkers`).
 */
export const APACHE_ADDRESS = '127.0.0.1:8030';
export const APACHE_LOG = '/var/log/apache2/error.log';
