"""gunicorn settings for the notes demo in production (see docs/deploy.md).

    set -a; . deploy/production.env; . /etc/corolla-notes/secrets.env; set +a
    gunicorn -c deploy/gunicorn.conf.py

Every value below can be overridden on the command line (``--bind``,
``--workers``, ...). The Corolla settings themselves come from the
``COROLLA_*`` environment (production.env plus the secrets), never from here.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent

# examples/notes: corolla.toml, templates/, static/ and migrations/ are found from there,
# and it goes first on sys.path so `import app` works.
chdir = str(HERE.parent)
# deploy/wsgi.py: the app behind werkzeug's ProxyFix (the client's address and scheme from nginx).
pythonpath = str(HERE)
wsgi_app = "wsgi:application"

# Behind nginx on the same host: listen on loopback only, so nothing but nginx can send
# the X-Forwarded-* headers that ProxyFix trusts.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers, one request at a time each, the usual (2 x cores) + 1 of them. nginx buffers
# slow clients, so a worker is busy only while the app works. Sessions live in Redis and data
# in PostgreSQL: any worker (on any machine) can answer any request.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = 30
graceful_timeout = 30
# Recycle each worker after about a thousand requests (jittered, so they do not all restart at once).
max_requests = 1000
max_requests_jitter = 100

# No preloading: each worker imports and builds its own App after the fork, so database
# pools and Redis connections are never shared between processes.
preload_app = False

# nginx on this host is the one proxy whose X-Forwarded-Proto gunicorn believes (wsgi.url_scheme).
forwarded_allow_ips = "127.0.0.1"

# Logs to stdout/stderr for the service manager (journald). The access log names the client
# as nginx saw it and the worker's pid.
accesslog = "-"
errorlog = "-"
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms worker %(p)s "%(a)s"'

# The app's own log lines (corolla, corolla.sessions, corolla_orm, ...) with the time, the pid,
# the level and the logger's name, in the format of gunicorn's error log. Without this nothing
# configures Python's logging in a worker: app lines came out bare, without time or level, and
# below WARNING not at all. "loggers" is empty on purpose: gunicorn's own loggers keep the
# handlers it set up (errorlog, accesslog or --access-logfile) and do not propagate here.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": os.environ.get("COROLLA_LOG_LEVEL", "INFO"), "handlers": ["app"]},
    "loggers": {},
    "handlers": {"app": {"class": "logging.StreamHandler", "formatter": "app", "stream": "ext://sys.stderr"}},
    "formatters": {
        "app": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
        },
    },
}
