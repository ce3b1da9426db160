"""Health: WellApp's last-seen status (written by a periodic probe and by deliveries) and the
readiness report, which reads it and never calls WellApp itself."""

import os
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.utils import Error as DatabaseError
from django.utils import timezone

from phones.models import UpstreamStatus
from phones.selectors.health import outbox_waiting, upstream_status_latest
from phones.upstream.errors import UpstreamError
from phones.upstream.shared import upstream_client

# How long one probe may wait for WellApp (connection and answer).
PROBE_BUDGET_SECONDS = 5.0
# A status older than this says nothing any more (the probe runs every minute).
STATUS_STALE_AFTER = timedelta(minutes=5)
# A delivery confirms WellApp answers; writing that down more often than this adds nothing.
DELIVERY_NOTE_EVERY = timedelta(seconds=15)


def upstream_status_record(
    *,
    ok: bool,
    source: str,
    latency_ms: int | None = None,
    error_kind: str = "",
    error: str = "",
    http_status: int | None = None,
    trace_id: str = "",
) -> None:
    """Store how WellApp answered just now as its last-seen status."""
    now = timezone.now()
    values: dict[str, Any] = {
        "ok": ok,
        "checked_at": now,
        "source": source,
        "latency_ms": latency_ms,
        "error_kind": "" if ok else error_kind,
        "error": "" if ok else error,
        "http_status": http_status,
        "trace_id": trace_id,
    }
    if ok:
        values["last_ok_at"] = now
    UpstreamStatus.objects.update_or_create(name=UpstreamStatus.WELLAPP, defaults=values)


def upstream_probe() -> None:
    """Ping WellApp once with a short timeout and store the outcome as its last-seen status."""
    started = time.monotonic()
    try:
        answer = upstream_client().check(budget=PROBE_BUDGET_SECONDS)
    except UpstreamError as exc:
        upstream_status_record(
            ok=False,
            source=UpstreamStatus.Source.PROBE,
            latency_ms=_elapsed_ms(started),
            error_kind=type(exc).__name__,
            error=exc.summary,
            http_status=exc.status,
            trace_id=exc.trace_id or "",
        )
        return
    upstream_status_record(
        ok=True,
        source=UpstreamStatus.Source.PROBE,
        latency_ms=_elapsed_ms(started),
        http_status=answer.status,
        trace_id=answer.trace_id or "",
    )


def upstream_delivery_noted(
    *, ok: bool, error_kind: str = "", error: str = ""
) -> UpstreamStatus | None:
    """Note what a delivery to WellApp saw: a failure always, a success when the stored
    status is not a recent success already (so a busy queue does not write on every send).
    Returns WellApp's last-seen status as it was before this note (one read of it)."""
    before = upstream_status_latest()
    recent_ok = (
        before is not None
        and before.ok
        and before.checked_at >= timezone.now() - DELIVERY_NOTE_EVERY
    )
    if not (ok and recent_ok):
        upstream_status_record(
            ok=ok, source=UpstreamStatus.Source.DELIVERY, error_kind=error_kind, error=error
        )
    return before


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _database_check() -> dict[str, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return {"status": "error", "error": type(exc).__name__}
    return {"status": "ok"}


def _cache_check() -> dict[str, str]:
    """A set and get of a fresh value on the default cache. Only the error's class is shown:
    a cache's message may carry its URL and password."""
    key = f"wellui:readyz:{os.getpid()}"
    value = uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=30)
        answered = cache.get(key)
    except Exception as exc:  # any backend, any failure: the portal works without its cache
        return {"status": "error", "error": type(exc).__name__}
    if answered != value:
        return {"status": "error", "error": "the cache did not give back the value written"}
    return {"status": "ok"}


def upstream_status_word(*, seen: UpstreamStatus | None, now: datetime) -> str:
    """ "ok" or "unreachable" as WellApp was last seen; "unknown" when it has not been tried
    or not for STATUS_STALE_AFTER."""
    if seen is None or seen.checked_at < now - STATUS_STALE_AFTER:
        return "unknown"
    return "ok" if seen.ok else "unreachable"


def _wellapp_report(now: datetime) -> dict[str, Any]:
    seen = upstream_status_latest()
    if seen is None:
        return {"status": "unknown", "checked_at": None, "last_ok_at": None, "error": None}
    report: dict[str, Any] = {
        "status": upstream_status_word(seen=seen, now=now),
        "checked_at": _iso(seen.checked_at),
        "last_ok_at": _iso(seen.last_ok_at),
        "source": seen.source,
        "latency_ms": seen.latency_ms,
        "error": None,
    }
    if not seen.ok:
        report["error"] = {
            "kind": seen.error_kind,
            "message": seen.error,
            "http_status": seen.http_status,
            "trace_id": seen.trace_id or None,
        }
    return report


def readiness_report() -> dict[str, Any]:
    """Whether this process can serve: the database (required), the cache (optional),
    WellApp as last seen and the outbox's depth. Reads only; calls nothing upstream."""
    now = timezone.now()
    database = _database_check()
    cache_report = _cache_check()
    if database["status"] != "ok":
        return {
            "status": "down",
            "database": database,
            "cache": cache_report,
            "wellapp": {"status": "unknown", "checked_at": None, "last_ok_at": None},
            "outbox": None,
        }
    wellapp = _wellapp_report(now)
    waiting = outbox_waiting()
    oldest = waiting.oldest_created_at
    all_ok = cache_report["status"] == "ok" and wellapp["status"] == "ok"
    return {
        "status": "ok" if all_ok else "degraded",
        "database": database,
        "cache": cache_report,
        "wellapp": wellapp,
        "outbox": {
            "waiting": waiting.count,
            "oldest_waiting_seconds": (
                None if oldest is None else round((now - oldest).total_seconds(), 1)
            ),
        },
    }
