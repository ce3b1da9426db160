"""The ``/metrics`` page: the counts processes keep (:mod:`phones.metrics`) and gauges of
stored state, read from the database at scrape time: the outbox's depth by state and its
oldest waiting entry, the last sync's age and outcome, and WellApp's last-seen status."""

from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from phones.metrics import scrape_registry
from phones.selectors.health import (
    outbox_state_counts,
    outbox_waiting,
    sync_run_last_finished,
    upstream_status_latest,
)
from phones.services.health import upstream_status_word


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class StoredStateCollector(Collector):
    """Gauges read from the database each time they are collected."""

    def collect(self) -> Iterator[Metric]:
        """The outbox, sync and WellApp gauges as the database has them now."""
        now = timezone.now()
        by_state = GaugeMetricFamily(
            "wellui_outbox_entries", "Outbox entries by state.", labels=["state"]
        )
        for state, count in outbox_state_counts().items():
            by_state.add_metric([state], count)
        yield by_state
        oldest = outbox_waiting().oldest_created_at
        yield _gauge(
            "wellui_outbox_oldest_waiting_age_seconds",
            "Age of the oldest create still waiting for WellApp (0 when none waits).",
            0.0 if oldest is None else (now - oldest).total_seconds(),
        )
        last = sync_run_last_finished()
        if last is not None and last.finished_at is not None:
            yield _gauge(
                "wellui_sync_last_finished_age_seconds",
                "Seconds since the last sync run finished.",
                (now - last.finished_at).total_seconds(),
            )
            yield _gauge(
                "wellui_sync_last_succeeded",
                "1 when the last finished sync run succeeded, 0 when it failed.",
                1.0 if last.status == last.Status.SUCCEEDED else 0.0,
            )
        good = sync_run_last_finished(succeeded=True)
        if good is not None and good.finished_at is not None:
            yield _gauge(
                "wellui_sync_last_success_age_seconds",
                "Seconds since a sync run last finished successfully.",
                (now - good.finished_at).total_seconds(),
            )
        yield from self._wellapp(now)

    @staticmethod
    def _wellapp(now: datetime) -> Iterator[Metric]:
        seen = upstream_status_latest()
        status = upstream_status_word(seen=seen, now=now)
        states = GaugeMetricFamily(
            "wellui_wellapp_status",
            "WellApp as last seen by the probe or a delivery: 1 for the current status.",
            labels=["status"],
        )
        for name in ("ok", "unreachable", "unknown"):
            states.add_metric([name], 1.0 if name == status else 0.0)
        yield states
        if seen is not None:
            yield _gauge(
                "wellui_wellapp_last_check_age_seconds",
                "Seconds since WellApp was last tried.",
                (now - seen.checked_at).total_seconds(),
            )
            if seen.latency_ms is not None:
                yield _gauge(
                    "wellui_wellapp_last_probe_latency_seconds",
                    "How long WellApp took to answer the last probe.",
                    seen.latency_ms / 1000,
                )


_STATE_REGISTRY = CollectorRegistry(auto_describe=False)
_STATE_REGISTRY.register(StoredStateCollector())


def metrics_exposition() -> bytes:
    """Every metric in Prometheus' text format: the processes' counts, then stored state."""
    return generate_latest(scrape_registry()) + generate_latest(_STATE_REGISTRY)
