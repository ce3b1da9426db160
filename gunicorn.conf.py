"""Gunicorn settings for the portal's web process: `gunicorn -c gunicorn.conf.py wellui.wsgi`.

Every value comes from the environment, with defaults for one small node behind a proxy.
"""

import os
from typing import Any


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, "") or default)


wsgi_app = "wellui.wsgi:application"

# Where to listen: GUNICORN_BIND (comma-separated addresses), else all interfaces on PORT (as
# platforms that hand out a port expect), else this machine only.
if os.environ.get("GUNICORN_BIND"):
    bind = [item.strip() for item in os.environ["GUNICORN_BIND"].split(",") if item.strip()]
elif os.environ.get("PORT"):
    bind = [f"0.0.0.0:{os.environ['PORT']}"]
else:
    bind = ["127.0.0.1:8000"]

# Threads, so a request waiting up to WELL_CREATE_BUDGET (15 s) on WellApp holds one thread,
# not a whole process. Each process keeps one WellApp session and, with DATABASE_POOL, one
# database pool, shared by its threads.
worker_class = "gthread"
workers = _env_int("WEB_CONCURRENCY", 2)
threads = _env_int("GUNICORN_THREADS", 8)

# A worker that stops reporting for this long is killed and replaced; well above the 15 s a
# create may wait for WellApp. A restart lets requests in progress finish for as long.
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Behind a proxy that keeps connections to the nodes open between requests.
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)
# The heartbeat file in memory, not on a disk that can stall (and writable under
# ProtectSystem=strict and in containers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# Addresses of the proxies trusted to say the request came over HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "") or "127.0.0.1,::1"

# The runtime control socket (gunicornc) only where asked for: its default path in the home
# directory would be shared by every node on a machine.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]

# One line per request on stdout: the request id the portal answers with, method, path
# (without the query string, which can hold searched names and numbers), status, duration.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "") or "info"
access_log_format = (
    'request_id=%({x-request-id}o)s method=%(m)s path="%(U)s" status=%(s)s '
    "duration_ms=%(M)s bytes=%(B)s remote=%(h)s"
)

proc_name = "wellui-web"


def on_starting(server: Any) -> None:
    """Start with no metrics left by a previous run (prometheus multiprocess mode only)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from phones.metrics import multiprocess_dir_clear

        multiprocess_dir_clear()


def child_exit(server: Any, worker: Any) -> None:
    """Let the metrics of an exited worker go (prometheus multiprocess mode only)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from phones.metrics import child_exit as metrics_child_exit

        metrics_child_exit(server, worker)
