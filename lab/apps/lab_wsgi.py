"""lab_wsgi: the lab's WSGI app behind gunicorn on web hosts (127.0.0.1:8000, nginx location /py/).

The file name uses an underscore because gunicorn imports it as a Python module (lab_wsgi:app).
`?sleep=N` holds the sync worker for N seconds: longer than gunicorn's --timeout (3 s in the lab)
and the arbiter kills the worker with "[CRITICAL] WORKER TIMEOUT", which nginx sees as
"upstream prematurely closed connection". The same app runs under uWSGI (127.0.0.1:8010, nginx
location /uw/), where `?sleep=N` past --harakiri is a HARAKIRI and `?crash=segv` makes the worker
die of SIGSEGV mid-request, as a crashing C extension would.
"""
import os
import signal
import socket
import time
from urllib.parse import parse_qs


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path.endswith("/healthz"):
        body = b"ok\n"
    else:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if query.get("crash") == ["segv"]:
            os.kill(os.getpid(), signal.SIGSEGV)
        seconds = float(query.get("sleep", ["0"])[0] or 0)
        if seconds > 0:
            time.sleep(seconds)
        server = "uwsgi" if "uwsgi.version" in environ else "gunicorn"
        body = f"{server} ok from {socket.gethostname()} {path}\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
