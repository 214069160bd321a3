#!/bin/sh
# The lab's CGI script behind Apache (lab/apps/apache2.conf, nginx location /ap/):
#   ?sleep=N   answers after N seconds (past Apache's Timeout, Apache gives up on it)
#   ?die=segv  the Apache child running this request dies of SIGSEGV (mod_cgi: it is our parent), as
#              a crashing module would
case "$QUERY_STRING" in
  die=segv) kill -SEGV "$PPID"; sleep 5 ;;
  sleep=[0-9]*) sleep "${QUERY_STRING#sleep=}" ;;
esac
printf 'Content-Type: text/plain\r\n\r\napache ok from %s\n' "$(hostname)"
