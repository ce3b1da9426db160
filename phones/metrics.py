"""The portal's Prometheus metrics that processes count as they work: WellApp exchanges,
their latency and retries, and the HTTP requests the portal answers.

Gauges of stored state (outbox, sync, WellApp's last-seen status) are read from the database
at scrape time (:mod:`phones.metrics_state`). With ``PROMETHEUS_MULTIPROC_DIR`` set, every
process writes its counts into that directory and a scrape adds them up across gunicorn's
workers; gunicorn's ``child_exit`` hook must then call :func:`child_exit`.
"""

import os
import re
from pathlib import Path
from typing import Protocol

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

WELLAPP_CALLS = Counter(
    "wellui_wellapp_calls",
    "HTTP exchanges with WellApp (each attempt), by operation and outcome.",
    ["operation", "outcome"],
)
WELLAPP_CALL_SECONDS = Histogram(
    "wellui_wellapp_call_duration_seconds",
    "Time from sending a request to WellApp to its answer or failure, by operation.",
    ["operation"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0),
)
WELLAPP_RETRIES = Counter(
    "wellui_wellapp_retries",
    "WellApp calls tried again after a transient failure, by operation.",
    ["operation"],
)
HTTP_REQUESTS = Counter(
    "wellui_http_requests",
    "Requests the portal answered (health probes and scrapes aside), by method and status.",
    ["method", "status"],
)

_RESOURCE = re.compile(r"/(phones|people|companies|workspaces)(/[^/]+)?/?$")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_TIMEOUT_CODES = frozenset({"CONNECT_TIMEOUT", "READ_TIMEOUT"})


def operation_name(method: str, endpoint: str) -> str:
    """The WellApp operation a request performs ("create_phone", "list_people"...), from its
    method and URL path; "other" for anything else (labels stay few, ids never become one)."""
    found = _RESOURCE.search(endpoint)
    if found is None:
        return "other"
    resource, item = found.groups()
    if resource == "phones" and item is None and method == "POST":
        return "create_phone"
    if resource == "phones" and item is not None and method == "GET":
        return "get_phone"
    if item is None and method == "GET":
        return f"list_{resource}"
    return "other"


def answer_outcome(status: int) -> str:
    """The outcome label of an HTTP answer from WellApp."""
    if 200 <= status < 300:
        return "ok"
    if status == 429:
        return "rate_limited"
    if 400 <= status < 500:
        return "client_error"
    if status >= 500:
        return "server_error"
    return "unexpected"


def failure_outcome(code: str | None) -> str:
    """The outcome label of an exchange that got no answer (by the client's error code)."""
    if code in _TIMEOUT_CODES:
        return "timeout"
    if code == "CONNECTION_ERROR":
        return "connection_error"
    return "error"


def wellapp_call_observed(*, operation: str, outcome: str, seconds: float) -> None:
    """Count one exchange with WellApp and its duration."""
    WELLAPP_CALLS.labels(operation=operation, outcome=outcome).inc()
    WELLAPP_CALL_SECONDS.labels(operation=operation).observe(max(seconds, 0.0))


def wellapp_retry_counted(*, operation: str) -> None:
    """Count one WellApp call about to be tried again."""
    WELLAPP_RETRIES.labels(operation=operation).inc()


def http_request_counted(*, method: str, status: int) -> None:
    """Count one answered request (unknown methods share the label "other")."""
    label = method if method in _METHODS else "other"
    HTTP_REQUESTS.labels(method=label, status=str(status)).inc()


def multiprocess_dir() -> Path | None:
    """The directory processes share their counts through, when multiprocess mode is on."""
    value = os.environ.get(MULTIPROC_DIR_VARIABLE, "")
    return Path(value) if value else None


def scrape_registry() -> CollectorRegistry:
    """What a scrape exports: every process's counts (multiprocess mode), else this
    process's own registry."""
    if multiprocess_dir() is None:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry


class _Worker(Protocol):
    pid: int


def child_exit(server: object, worker: _Worker) -> None:
    """gunicorn's ``child_exit`` hook: a finished worker's live figures stop counting."""
    if multiprocess_dir() is not None:
        mark_process_dead(worker.pid)


def multiprocess_dir_clear() -> None:
    """Remove the counts a previous run left (call once as gunicorn starts, before any
    worker: ``on_starting``)."""
    directory = multiprocess_dir()
    if directory is None:
        return
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink(missing_ok=True)
