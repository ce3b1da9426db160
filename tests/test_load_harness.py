"""The load test's figures and its sections of bench/results.md (bench/load/report.py,
bench/load/sections.py, one per configuration), what it reads from the cache for the simulated
staff (bench/load/sample.py, through Django's connection on SQLite and PostgreSQL alike), and
the cookie switch it runs the portal with."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from bench import report as bench_report
from bench.load import report, sections
from bench.load.facts import RunFacts
from bench.load.sample import cache_sample, database_version, picker_prefixes
from phones.models import PhonePerson
from tests.factories import BASE_TIME, make_company, make_person, make_phone, make_workspace

ROOT = Path(__file__).resolve().parent.parent


def test_nearest_rank_percentile():
    times = [float(n) for n in range(1, 101)]
    assert report.percentile(times, 0.50) == 50.0
    assert report.percentile(times, 0.95) == 95.0
    assert report.percentile(times, 0.99) == 99.0
    assert report.percentile([7.0], 0.99) == 7.0
    assert report.percentile([], 0.95) == 0.0


SQLITE = "## Load test: 100k phones, SQLite\n\nfigures"
POSTGRES = "## Load test: 1M phones, PostgreSQL\n\nfigures"
BOTH = (
    "# Benchmark\n\n<!-- load:start -->\n"
    "<!-- load:100k-phones-sqlite:start -->\n## Load test: 100k phones, SQLite\n\nold\n"
    "<!-- load:100k-phones-sqlite:end -->\n\n"
    "<!-- load:1m-phones-postgresql:start -->\n## Load test: 1M phones, PostgreSQL\n\nold\n"
    "<!-- load:1m-phones-postgresql:end -->\n<!-- load:end -->\n\n## Machine\n"
)


def test_configurations_are_named_by_their_phones_and_database():
    assert sections.approximate(100_000) == "100k"
    assert sections.approximate(1_000_000) == "1M"
    assert sections.approximate(1_000_412) == "1M"  # after runs that created phones
    assert sections.approximate(999_999) == "1M"
    assert sections.approximate(5_000) == "5k"
    assert sections.approximate(1_250_000) == "1.25M"
    assert sections.approximate(640) == "640"
    assert sections.configuration_key("1M phones, PostgreSQL") == "1m-phones-postgresql"
    assert sections.configuration_key("1.25M phones, SQLite") == "1-25m-phones-sqlite"


def test_section_is_appended_after_what_the_file_already_holds():
    document = "# Benchmark\n\nThe benchmark table.\n"
    assert sections.merge_section(document, "100k-phones-sqlite", SQLITE) == (
        "# Benchmark\n\nThe benchmark table.\n\n<!-- load:start -->\n"
        "<!-- load:100k-phones-sqlite:start -->\n## Load test: 100k phones, SQLite\n\nfigures\n"
        "<!-- load:100k-phones-sqlite:end -->\n<!-- load:end -->\n"
    )


def test_a_run_replaces_its_own_configuration_and_keeps_the_other():
    merged = sections.merge_section(BOTH, "1m-phones-postgresql", POSTGRES)
    assert merged == BOTH.replace("PostgreSQL\n\nold", "PostgreSQL\n\nfigures")
    assert "## Load test: 100k phones, SQLite\n\nold" in merged
    merged = sections.merge_section(merged, "100k-phones-sqlite", SQLITE)
    assert merged == BOTH.replace("\n\nold", "\n\nfigures")


def test_a_new_configuration_goes_after_the_others():
    document = sections.merge_section("", "100k-phones-sqlite", SQLITE)
    document = sections.merge_section(document, "1m-phones-postgresql", POSTGRES)
    document = sections.merge_section(document, "100k-phones-sqlite", SQLITE + " again")
    assert document == (
        "<!-- load:start -->\n"
        "<!-- load:100k-phones-sqlite:start -->\n## Load test: 100k phones, SQLite\n\n"
        "figures again\n<!-- load:100k-phones-sqlite:end -->\n\n"
        "<!-- load:1m-phones-postgresql:start -->\n## Load test: 1M phones, PostgreSQL\n\n"
        "figures\n<!-- load:1m-phones-postgresql:end -->\n<!-- load:end -->\n"
    )


def test_the_benchmark_keeps_both_load_sections_when_it_writes_its_own(tmp_path):
    path = tmp_path / "results.md"
    sections.record(path, "100k-phones-sqlite", SQLITE)
    sections.record(path, "1m-phones-postgresql", POSTGRES)
    load_part = path.read_text()
    merged = bench_report.merge_results(path.read_text(), "sqlite", "## SQLite\n\nbench")
    assert merged.endswith("\n\n" + load_part)
    assert sections.merge_section(merged, "1m-phones-postgresql", POSTGRES) == merged


def test_load_sections_alone_in_a_new_file(tmp_path):
    path = tmp_path / "results.md"
    sections.record(path, "1m-phones-postgresql", "## Load test")
    sections.record(path, "1m-phones-postgresql", "## Load test\n\nagain")
    assert path.read_text() == (
        "<!-- load:start -->\n<!-- load:1m-phones-postgresql:start -->\n## Load test\n\n"
        "again\n<!-- load:1m-phones-postgresql:end -->\n<!-- load:end -->\n"
    )


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


def test_targets_need_zero_errors_and_list_and_search_p95_within_100_ms():
    fast = [["list: first page", 111.0, 100.0, False], ["picker: people", 111.0, 900.0, False]]
    assert [met for _, met, _ in report.verdicts(report.outcome(_result(fast)))] == [True, True]

    slow = [["search: digits", 111.0, 101.0, False]]
    verdicts = report.verdicts(report.outcome(_result(slow, user_errors={"KeyError": 2})))
    assert verdicts == [
        ("zero errors", False, "2 error(s)"),
        ("list/search p95 ≤ 100 ms", False, "worst: search: digits at 101 ms"),
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


@pytest.mark.django_db
def test_the_cache_sample_reads_what_staff_search_for_through_the_portals_connection():
    ada = make_person("person_ada", "Ada Lovelace", "ada@example.com")
    make_person("person_alan", "Alan Turing")  # on no phone: not a surname to search for
    company = make_company("company_acme", "Acme Corporation")
    workspace = make_workspace("workspace_sales", "Sales Team Workspace")
    listed = make_phone(1)
    deleted = make_phone(2, deleted_at=BASE_TIME)
    PhonePerson.objects.create(phone=listed, person=ada)
    PhonePerson.objects.create(phone=deleted, person=ada)

    data, counts = cache_sample()

    assert sorted(data.pop("people")) == ["person_ada", "person_alan"]  # in a random order
    assert data == {
        "numbers": ["+14155550001"],
        "surnames": ["Lovelace"],
        "companies": [company.id],
        "workspaces": [workspace.id],
        "picker_terms": {"people": ["lov"], "companies": ["acm"], "workspaces": ["sal"]},
    }
    assert counts == {"phone": 2, "person": 2, "company": 1, "workspace": 1}


@pytest.mark.django_db
def test_the_cache_sample_names_the_database_it_was_read_from():
    vendor, version = database_version()
    if connection.vendor == "postgresql":
        assert vendor == "PostgreSQL"
        assert version.split(".")[0] == str(connection.pg_version // 10000)
    else:
        assert (vendor, version) == ("SQLite", sqlite3.sqlite_version)


def test_picker_terms_are_the_first_three_to_five_letters_of_a_first_word():
    names = ["Martinez", "Sales Team Workspace", "Li", " ", "Gómez-Ruiz", "Fernandez", "Nakamura"]
    assert picker_prefixes(names) == ["fern", "góm", "mar", "nakam", "sale"]


def _facts(**changes):
    facts = {
        "command": "make load",
        "users": 20,
        "wait": (0.5, 2.0),
        "gunicorn_args": ["--workers", "2"],
        "locust_args": ["--headless"],
        "sandbox_args": [],
        "counts": {"phone": 1_000_200, "person": 100_000, "company": 20_000, "workspace": 200},
        "sync_seconds": None,
        "load_average": "0.50 0.40 0.30",
        "cpu": {
            "gunicorn": 30.0,
            "postgres": 10.0,
            "locust": 2.0,
            "sandbox": 0.0,
            "machine": 44.0,
            "wall": 60.0,
        },
        "mix": {"list_first_page": 4},
        "locust_version": "2.47.0",
        "vendor": "PostgreSQL",
        "database_version": "15.8",
        "database": "postgres://postgres@127.0.0.1:5432/wellui_bench",
        "portal_settings": ["DATABASE_POOL=1"],
    }
    return RunFacts(**{**facts, **changes})


def test_a_run_on_the_benchmark_database_says_it_was_not_synced_and_counts_postgres_cpu():
    result = report.outcome(_result([["list: first page", 111.0, 40.0, False]]))
    section = report.render_markdown(result, _facts(), "2026-11-30 12:00 UTC").splitlines()
    assert section[0] == "## Load test: 1M phones, PostgreSQL"
    portal = next(line for line in section if line.startswith("- Portal:"))
    assert portal == (
        "- Portal: `gunicorn wellui.wsgi --workers 2`, DEBUG off, the PostgreSQL 15.8 database "
        "`postgres://postgres@127.0.0.1:5432/wellui_bench` with `DATABASE_POOL=1`, set up as "
        "`wellui/settings.py` does it, database sessions (re-saved at most once a minute per "
        "session)."
    )
    data = next(line for line in section if line.startswith("- Data:"))
    assert data.startswith(
        "- Data: sync: none, the benchmark database's 1,000,200 phones, 100,000 people, "
        "20,000 companies and 200 workspaces (`python -m bench.generate`);"
    )
    assert "postgres 10 s (8%)" in section[-1]
    assert "everything else on the machine 2 s (2%)" in section[-1]


def test_a_synced_run_names_its_sqlite_file_and_the_sync():
    facts = _facts(
        sandbox_args=["--phones=100000"],
        counts={"phone": 100_000, "person": 20_000, "company": 5_000, "workspace": 100},
        sync_seconds=139.5,
        vendor="SQLite",
        database_version="3.40.1",
        database="bench/load.sqlite3",
        portal_settings=[],
        cpu={"gunicorn": 30.0, "locust": 2.0, "sandbox": 0.0, "machine": 33.0, "wall": 60.0},
    )
    assert facts.title == "100k phones, SQLite"
    result = report.outcome(_result([["list: first page", 111.0, 40.0, False]]))
    section = report.render_markdown(result, facts, "2026-11-30 12:00 UTC").splitlines()
    portal = next(line for line in section if line.startswith("- Portal:"))
    assert "DEBUG off, the SQLite 3.40.1 database `bench/load.sqlite3`, set up as" in portal
    assert (
        "- Data: sandbox `--phones=100000`; the cache after `sync_wellapp` holds 100,000 phones, "
        "20,000 people, 5,000 companies and 100 workspaces; the sync took 139.5 s."
    ) in section


def test_a_run_on_two_nodes_has_its_own_section_with_totals_per_node():
    samples = [
        ["list: first page", 111.0, 40.0, False, "127.0.0.1:8101"],
        ["search: name", 112.0, 60.0, True, "127.0.0.1:8102"],
        ["list: first page", 113.0, 80.0, False, "127.0.0.1:8102"],
        ["login: submit", 101.0, 900.0, False, "127.0.0.1:8101"],  # before the window
    ]
    facts = _facts(nodes=2, processes="two web nodes started by `bin/cluster`")
    assert facts.title == "1M phones, PostgreSQL, two nodes"
    assert sections.configuration_key(facts.title) == "1m-phones-postgresql-two-nodes"
    result = report.outcome(_result(samples))
    assert [(s.name, s.times, s.failures) for s in result.nodes] == [
        ("node 127.0.0.1:8101", [40.0], 0),
        ("node 127.0.0.1:8102", [60.0, 80.0], 1),
    ]
    section = report.render_markdown(result, facts, "2026-11-30 12:00 UTC").splitlines()
    assert "| node 127.0.0.1:8102 | 2 | 1 | 0.2 | 60.0 | 80.0 | 80.0 | 80.0 |" in section
    portal = next(line for line in section if line.startswith("- Portal:"))
    assert portal.startswith("- Portal: two web nodes started by `bin/cluster`, DEBUG off, ")
    staff = next(line for line in section if line.startswith("- Staff:"))
    assert "20 users, each working on one of the 2 nodes," in staff
    # One node's samples (or none naming a node) make no table per node.
    assert report.outcome(_result([s[:4] for s in samples])).nodes == []
