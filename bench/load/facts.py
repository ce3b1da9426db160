"""How a load test run was set up (database, data, processes, CPU time), for its report."""

import os
from dataclasses import dataclass

from bench.load.sections import approximate

# Above this share of the CPU used by other processes, the report says the machine was shared.
SHARED_MACHINE_SHARE = 0.10
# The processes of a run whose CPU time is measured ("postgres": every process of the server;
# "workers": a cluster's task workers and scheduler).
PARTS = ("gunicorn", "postgres", "locust", "sandbox", "workers")


@dataclass
class RunFacts:
    """How the run was set up, for the report."""

    command: str
    users: int
    wait: tuple[float, float]
    gunicorn_args: list[str]
    locust_args: list[str]
    sandbox_args: list[str]
    counts: dict[str, int]
    sync_seconds: float | None  # None: the benchmark database, not synced
    load_average: str
    cpu: dict[str, float]
    mix: dict[str, int]
    locust_version: str
    vendor: str  # "SQLite" or "PostgreSQL"
    database_version: str
    database: str  # the file or the URL (without a password)
    portal_settings: list[str]  # what the portal's environment sets beyond production's
    nodes: int = 1  # web nodes the users are spread over
    processes: str = ""  # how the portal ran, when not one gunicorn with gunicorn_args

    @property
    def title(self) -> str:
        """The configuration, e.g. "1M phones, PostgreSQL" or "1M phones, PostgreSQL, two
        nodes": one section of results.md each."""
        nodes = {1: "", 2: ", two nodes"}.get(self.nodes, f", {self.nodes} nodes")
        return f"{approximate(self.counts['phone'])} phones, {self.vendor}{nodes}"


def _cores() -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return cores or 1


def others_share(facts: RunFacts) -> float:
    """The share of the machine's CPU that processes outside the test used while it ran."""
    cpu = facts.cpu
    ours = sum(cpu.get(name, 0.0) for name in PARTS)
    others = cpu["machine"] - ours
    return max(others, 0.0) / (cpu["wall"] * _cores())


def cpu_line(facts: RunFacts) -> str:
    """CPU time each part used while locust ran, against what the machine had."""
    cpu = facts.cpu
    available = cpu["wall"] * _cores()
    parts = ", ".join(
        f"{name} {cpu[name]:.0f} s ({cpu[name] / available:.0%})" for name in PARTS if name in cpu
    )
    return (
        f"CPU time while locust ran ({cpu['wall']:.0f} s x {_cores()} cores = "
        f"{available:.0f} CPU-s): {parts}; everything else on the machine "
        f"{others_share(facts) * available:.0f} s ({others_share(facts):.0%})"
    )


def shared_machine_note(facts: RunFacts) -> list[str]:
    """A warning when other work took a noticeable share of the CPU during the run."""
    if others_share(facts) < SHARED_MACHINE_SHARE:
        return []
    return [
        f"The machine was shared: other processes used {others_share(facts):.0%} of its CPU "
        "while locust ran, so these times are longer than the portal's on a machine of its own."
    ]


def database_facts(facts: RunFacts) -> tuple[str, str]:
    """How the portal's database is described under Configuration, and where its records
    came from (Data)."""
    counts = facts.counts
    held = (
        f"{counts['phone']:,} phones, {counts['person']:,} people, "
        f"{counts['company']:,} companies and {counts['workspace']:,} workspaces"
    )
    settings = f" with `{' '.join(facts.portal_settings)}`" if facts.portal_settings else ""
    portal = (
        f"the {facts.vendor} {facts.database_version} database `{facts.database}`{settings}, "
        "set up as `wellui/settings.py` does it"
    )
    if facts.sync_seconds is None:
        data = (
            f"sync: none, the benchmark database's {held} (`python -m bench.generate`); the "
            f"sandbox (`{' '.join(facts.sandbox_args) or 'its demo data'}`) only answers the "
            "creates, whose phones the run adds to that database; they link no people, "
            "companies or workspaces, as WellApp (the sandbox) knows none of the benchmark's"
        )
    else:
        data = (
            f"sandbox `{' '.join(facts.sandbox_args)}`; the cache after `sync_wellapp` holds "
            f"{held}; the sync took {facts.sync_seconds:.1f} s"
        )
    return portal, data
