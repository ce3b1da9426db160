"""Figures of a load test run, and its section in ``bench/results.md``."""

import math
from dataclasses import dataclass, field

from bench import machine
from bench.load.facts import RunFacts, cpu_line, database_facts, shared_machine_note

TARGET_P95_MS = 100.0
TOTAL = "All requests"
# Request names the p95 target applies to: the list, its pages, searches and filters.
TARGET_PREFIXES = ("list:", "search:", "filter:")


def percentile(ordered: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class RequestStats:
    """Times (ms) and failures of one kind of request."""

    name: str
    times: list[float] = field(default_factory=list)
    failures: int = 0

    def p(self, share: float) -> float:
        return percentile(sorted(self.times), share)

    @property
    def targeted(self) -> bool:
        return self.name.startswith(TARGET_PREFIXES)


def summarise(samples: list[list]) -> tuple[list[RequestStats], RequestStats]:
    """Per-name statistics (sorted by name) and the total, from (name, start, ms, failed,
    and the web node when there is one)."""
    by_name: dict[str, RequestStats] = {}
    total = RequestStats(TOTAL)
    for name, _, ms, failed, *_ in samples:
        stats = by_name.setdefault(name, RequestStats(name))
        for target in (stats, total):
            target.times.append(ms)
            target.failures += bool(failed)
    return sorted(by_name.values(), key=lambda s: s.name), total


def per_node(samples: list[list]) -> list[RequestStats]:
    """Every request's times and failures per web node ("node 127.0.0.1:8101"), when the
    samples name more than one node (none otherwise)."""
    by_node: dict[str, RequestStats] = {}
    for _, _, ms, failed, *rest in samples:
        if rest and rest[0]:
            stats = by_node.setdefault(rest[0], RequestStats(f"node {rest[0]}"))
            stats.times.append(ms)
            stats.failures += bool(failed)
    return [by_node[node] for node in sorted(by_node)] if len(by_node) > 1 else []


@dataclass
class Outcome:
    """What a run measured: the requests started in the measured window, those of the
    ramp-up before it (logins), and every error of the run."""

    rows: list[RequestStats]
    total: RequestStats
    ramp_up: list[RequestStats]
    ramp_up_seconds: float
    seconds: float
    failed_requests: int
    user_errors: int
    problems: list[str]
    nodes: list[RequestStats] = field(default_factory=list)  # every request, per web node

    @property
    def errors(self) -> int:
        return self.failed_requests + self.user_errors


def outcome(result: dict) -> Outcome:
    """Sort the samples locust recorded into the measured window and the ramp-up."""
    samples = result["samples"]
    start = result.get("window_start", result["stopped"])
    end = min(result.get("window_end", start), result["stopped"])
    window = [s for s in samples if start <= s[1] < end]
    rows, total = summarise(window)
    ramp_up, _ = summarise([s for s in samples if s[1] < start])
    problems = {**result["failures"], **result["user_errors"]}
    return Outcome(
        rows=rows,
        total=total,
        ramp_up=ramp_up,
        ramp_up_seconds=start - result.get("start", start),
        seconds=max(end - start, 0.0),
        failed_requests=sum(1 for s in samples if s[3]),
        user_errors=sum(result["user_errors"].values()),
        problems=[f"{count}x {text}" for text, count in problems.items()],
        nodes=per_node(window),
    )


def ms(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def table(rows: list[RequestStats], seconds: float) -> list[list[str]]:
    """Header and rows: count, failures, req/s, p50/p95/p99 and max in ms."""
    lines = [["Request", "Count", "Failures", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms"]]
    for stats in rows:
        lines.append(
            [
                stats.name,
                f"{len(stats.times):,}",
                f"{stats.failures:,}",
                f"{len(stats.times) / seconds:,.1f}" if seconds else "-",
                ms(stats.p(0.50)),
                ms(stats.p(0.95)),
                ms(stats.p(0.99)),
                ms(max(stats.times, default=0.0)),
            ]
        )
    return lines


def plain_table(lines: list[list[str]]) -> str:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    out = []
    for n, line in enumerate(lines):
        cells = [line[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(line[1:], widths[1:], strict=True)
        ]
        out.append("  ".join(cells))
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def markdown_table(lines: list[list[str]]) -> str:
    out = ["| " + " | ".join(lines[0]) + " |", "| --- |" + " ---: |" * (len(lines[0]) - 1)]
    for line in lines[1:]:
        cells = [f"**{c}**" for c in line] if line[0] == TOTAL else line
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def verdicts(result: Outcome) -> list[tuple[str, bool, str]]:
    """(target, met, evidence) for zero errors and list/search p95 ≤ 100 ms."""
    errors = result.errors
    targeted = [s for s in result.rows if s.targeted]
    worst = max(targeted, key=lambda s: s.p(0.95), default=None)
    p95_met = worst is not None and worst.p(0.95) <= TARGET_P95_MS
    evidence = f"worst: {worst.name} at {ms(worst.p(0.95))} ms" if worst else "no list requests"
    return [
        ("zero errors", errors == 0, f"{errors} error(s)"),
        (f"list/search p95 ≤ {TARGET_P95_MS:.0f} ms", p95_met, evidence),
    ]


def render_text(result: Outcome, facts: RunFacts) -> str:
    """The report for the terminal."""
    lines = [
        f"{facts.title}: {facts.counts['phone']:,} phones in {facts.database}.",
        f"Measured window: {result.seconds:.1f} s, after a ramp-up of "
        f"{result.ramp_up_seconds:.1f} s in which {facts.users} users logged in.",
        "",
        plain_table(table([*result.rows, result.total], result.seconds)),
        "",
        *(
            ["Per web node:", plain_table(table(result.nodes, result.seconds)), ""]
            if result.nodes
            else []
        ),
        "Ramp-up (before the window):",
        plain_table(table(result.ramp_up, result.ramp_up_seconds)),
        "",
        f"Errors: {result.errors} ({result.failed_requests} failed requests, "
        f"{result.user_errors} errors in the simulated staff's code)",
        *(f"  {problem}" for problem in result.problems[:10]),
        *(
            f"Target {name}: {'met' if met else 'NOT met'} ({evidence})"
            for name, met, evidence in verdicts(result)
        ),
        cpu_line(facts),
        *shared_machine_note(facts),
    ]
    return "\n".join(lines)


def render_markdown(result: Outcome, facts: RunFacts, when: str) -> str:
    """This configuration's load-test section of results.md."""
    mix = ", ".join(f"{name} {weight}" for name, weight in facts.mix.items())
    portal, data = database_facts(facts)
    gunicorn = f"`gunicorn wellui.wsgi {' '.join(facts.gunicorn_args)}`"
    spread = f", each working on one of the {facts.nodes} nodes" if facts.nodes > 1 else ""
    lines = [
        f"## Load test: {facts.title}",
        "",
        f"Run {when} with `{facts.command}`.",
        "",
        markdown_table(table([*result.rows, result.total], result.seconds)),
        "",
        f"The measured window: {result.seconds:.1f} s, starting when the last of the "
        f"{facts.users} users had logged in (after {result.ramp_up_seconds:.1f} s). Times are "
        f"whole requests as locust saw them (connection, gunicorn, Django, {facts.vendor}) in "
        "milliseconds; percentiles are nearest-rank over every request started in the window. "
        "A request fails on an unexpected status, a page without its results region, a search "
        "for an existing number or surname that finds nothing, a picker without options, or a "
        "create that does not redirect to the new phone's page.",
        "",
        *(
            [
                "Per web node (every request of the window; each user works on one node):",
                "",
                markdown_table(table(result.nodes, result.seconds)),
                "",
            ]
            if result.nodes
            else []
        ),
        "Ramp-up, before the window (logins: the password hash is PBKDF2, by design slow):",
        "",
        markdown_table(table(result.ramp_up, result.ramp_up_seconds)),
        "",
        "### Targets",
        "",
        *(
            f"- {name}: {'**met**' if met else '**not met**'} ({evidence})"
            for name, met, evidence in verdicts(result)
        ),
        *(f"- Failure: {problem}" for problem in result.problems[:10]),
        *(f"- {note}" for note in shared_machine_note(facts)),
        "",
        "### Configuration",
        "",
        f"- Portal: {facts.processes or gunicorn}, DEBUG off, "
        f"{portal}, database sessions (re-saved at most once a minute per session).",
        f"- Staff: locust {facts.locust_version} `{' '.join(facts.locust_args)}` "
        f"(`FastHttpUser`; the run ends by itself when the window does), {facts.users} users"
        f"{spread}, "
        f"think time {facts.wait[0]:g} to {facts.wait[1]:g} s between tasks. Each logs in "
        f"through the login form, then picks tasks by weight: {mix}. Next pages, searches, "
        "the workspace filter and pickers are htmx requests for the fragment, as the page "
        "sends them; a create is the form, its POST (to the sandbox and back) and the new "
        "phone's page.",
        f"- Data: {data}.",
        "",
        "### Machine",
        "",
        *(f"- {fact}" for fact in machine.machine_facts()),
        f"- Load average when locust started: {facts.load_average} (1, 5, 15 min)",
        f"- {cpu_line(facts)}",
    ]
    return "\n".join(lines)
