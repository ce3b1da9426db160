"""The load test's figures and its section of bench/results.md (bench/load/report.py), and
the cookie switch it runs the portal with."""

import os
import subprocess
import sys
from pathlib import Path

from bench.load import report

ROOT = Path(__file__).resolve().parent.parent


def test_nearest_rank_percentile():
    times = [float(n) for n in range(1, 101)]
    assert report.percentile(times, 0.50) == 50.0
    assert report.percentile(times, 0.95) == 95.0
    assert report.percentile(times, 0.99) == 99.0
    assert report.percentile([7.0], 0.99) == 7.0
    assert report.percentile([], 0.95) == 0.0


def test_section_is_appended_after_what_the_file_already_holds():
    document = "# Benchmark\n\nThe benchmark table.\n"
    assert report.replace_section(document, "## Load test\n\nfirst") == (
        "# Benchmark\n\nThe benchmark table.\n\n"
        "<!-- load:start -->\n## Load test\n\nfirst\n<!-- load:end -->\n"
    )


def test_section_replaces_only_the_text_between_its_markers():
    document = (
        "# Benchmark\n\n<!-- load:start -->\n## Load test\n\nold\n<!-- load:end -->\n\n## Machine\n"
    )
    assert report.replace_section(document, "## Load test\n\nnew\n") == (
        "# Benchmark\n\n<!-- load:start -->\n## Load test\n\nnew\n<!-- load:end -->\n\n## Machine\n"
    )


def test_section_alone_in_a_new_file(tmp_path):
    path = tmp_path / "results.md"
    report.record(path, "## Load test")
    report.record(path, "## Load test\n\nagain")
    assert path.read_text() == "<!-- load:start -->\n## Load test\n\nagain\n<!-- load:end -->\n"


def _result(samples, **extra):
    return {
        "start": 100.0,
        "window_start": 110.0,
        "window_end": 120.0,
        "stopped": 125.0,
        "samples": samples,
        "failures": {},
        "user_errors": {},
        **extra,
    }


def test_outcome_measures_the_window_and_keeps_logins_apart():
    samples = [
        ["login: submit", 101.0, 900.0, False],
        ["list: first page", 111.0, 100.0, False],
        ["list: first page", 112.0, 200.0, False],
        ["search: name", 119.5, 50.0, False],
        ["search: name", 121.0, 60.0, True],  # started after the window: only its error counts
    ]
    result = report.outcome(_result(samples, failures={"search: name: 500": 1}))
    assert [(s.name, s.times) for s in result.rows] == [
        ("list: first page", [100.0, 200.0]),
        ("search: name", [50.0]),
    ]
    assert [(s.name, s.times) for s in result.ramp_up] == [("login: submit", [900.0])]
    assert result.seconds == 10.0
    assert result.ramp_up_seconds == 10.0
    assert len(result.total.times) == 3
    assert result.errors == 1
    assert result.problems == ["1x search: name: 500"]


def test_targets_need_zero_errors_and_list_and_search_p95_within_150_ms():
    fast = [["list: first page", 111.0, 100.0, False], ["picker: people", 111.0, 900.0, False]]
    assert [met for _, met, _ in report.verdicts(report.outcome(_result(fast)))] == [True, True]

    slow = [["search: digits", 111.0, 151.0, False]]
    verdicts = report.verdicts(report.outcome(_result(slow, user_errors={"KeyError": 2})))
    assert verdicts == [
        ("zero errors", False, "2 error(s)"),
        ("list/search p95 ≤ 150 ms", False, "worst: search: digits at 151 ms"),
    ]


def _cookie_settings(extra: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "WELL_"))}
    env = {
        **clean,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "k" * 48,
        "WELL_API_TOKEN": "token",
        **extra,
    }
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_production_cookies_are_secure_unless_a_local_load_test_turns_that_off():
    assert _cookie_settings({}) == "True True"
    assert _cookie_settings({"DJANGO_SECURE_COOKIES": "0"}) == "False False"
