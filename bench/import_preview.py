"""Time a 10,000-row import against its budget: staff paste the rows and see the preview
within IMPORT_BUDGET_SECONDS.

    python -m bench.import_preview              # SQLite: bench/import.sqlite3, made anew
    python -m bench.import_preview --database postgres://postgres@127.0.0.1:5432/wellui_bench_import

Two steps are timed, each as p50 and p95 over a few runs:
(a) reading, checking and storing the rows (``import_create`` over ``read_rows``: the
    numbers parsed, every link looked up in the directory, the duplicates found), and
(b) the preview page that follows: one whole request for the import's page (its summary and
    first 100 rows, each checked again for display), DEBUG off, as deployed.

The database is made anew for the run (a PostgreSQL database whose name does not mention
"bench" is refused) and filled with a small directory drawn from the benchmark's own
distribution (``bench.directory``: people named from a few hundred surnames, so namesakes
are common) and some cached phones. The paste is drawn from that directory: links by email,
full name, domain, company name, workspace name and external id, some names shared by
several records (ambiguous), some unknown, some numbers invalid, repeated or already cached.
"""

import argparse
import os
import random
import sys
import time
import uuid
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, ensure_database, is_postgres, setup_django
from bench.directory import Directory, Sizes, iso_stamp, make_directory
from bench.machine import cpu_model
from bench.numbers import number_makers, region_of
from bench.report import Timing, load_average, ms

IMPORT_BUDGET_SECONDS = 5.0
DEFAULT_DATABASE = f"sqlite:///{ROOT / 'bench' / 'import.sqlite3'}"
HEADER = "number\tcountry\tlabel\tprimary\tverified\tpeople\tcompanies\tworkspaces"
LABELS = ["work"] * 5 + ["mobile"] * 3 + ["home", "other"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="made anew for the run")
    parser.add_argument("--rows", type=int, default=10_000, help="rows pasted (10,000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each step (5)")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=20_000)
    parser.add_argument("--workspaces", type=int, default=200)
    parser.add_argument("--phones", type=int, default=100_000, help="phones already cached")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


def prepare_database(url: str) -> None:
    """The benchmark database, empty and migrated, and Django started on it (DEBUG off)."""
    os.environ["BENCH_DATABASE_URL"] = url
    if is_postgres(url):
        ensure_database(anew=True)
    else:
        path = Path(url.removeprefix("sqlite:///"))
        for stale in path.parent.glob(f"{path.name}*"):
            stale.unlink()
    setup_django(production=True)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def fill(rng: random.Random, sizes: Sizes) -> tuple[Directory, list[str]]:
    """The directory and ``sizes.phones`` cached phones written to the database; returns the
    directory and the cached phones' numbers (E.164)."""
    from django.utils import timezone

    from phones.models import Company, Person, Phone, Workspace

    directory = make_directory(rng, sizes, iso_stamp)
    Workspace.objects.bulk_create([Workspace(**row) for row in directory.workspaces])
    Company.objects.bulk_create([Company(**row) for row in directory.companies], batch_size=2000)
    Person.objects.bulk_create([Person(**row) for row in directory.people], batch_size=2000)
    makers, now = number_makers(rng), timezone.now()
    phones: list[Phone] = []
    numbers: set[str] = set()
    while len(phones) < sizes.phones:
        code, national, _ = rng.choice(makers)()
        if f"+{code}{national}" in numbers:
            continue
        numbers.add(f"+{code}{national}")
        phones.append(
            Phone(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                country_code=code,
                national_number=national,
                e164_number=f"+{code}{national}",
                fetched_at=now,
            )
        )
    Phone.objects.bulk_create(phones, batch_size=2000)
    return directory, sorted(numbers)


def paste(rng: random.Random, directory: Directory, cached: list[str], rows: int) -> str:
    """``rows`` rows as a spreadsheet copies them (tab-separated, with a header)."""
    makers = number_makers(rng)
    people, companies = directory.people, directory.companies
    workspaces = directory.workspaces
    written: list[str] = []
    lines = [HEADER]

    for n in range(rows):
        country, roll = "", rng.random()
        if roll < 0.02:
            number = str(rng.randrange(100, 99999))  # too short for any country
        elif roll < 0.03 and written:
            number = rng.choice(written)  # a row repeated further down
        elif roll < 0.04:
            number = rng.choice(cached)  # already in the portal
        else:
            code, national, template = rng.choice(makers)()
            if rng.random() < 0.75:
                number = template.format(*national)
            else:  # as dialled at home, the country in its own column
                number, country = national, region_of(code, national)
            written.append(number)
        label = "wrk" if rng.random() < 0.01 else rng.choice(LABELS)
        person_links = [
            _person_link(rng, people, n) for _ in range(rng.choice([0, 0, 0, 1, 1, 1, 1, 1, 2]))
        ]
        company = _company_link(rng, companies, n) if rng.random() < 0.4 else ""
        workspace_links = [
            _workspace_link(rng, workspaces) for _ in range(rng.choice([1, 1, 1, 2]))
        ]
        lines.append(
            "\t".join(
                [
                    number,
                    country,
                    label,
                    "yes" if rng.random() < 0.2 else "",
                    "yes" if rng.random() < 0.3 else "no",
                    ";".join(person_links),
                    company,
                    ";".join(workspace_links),
                ]
            )
        )
    return "\n".join(lines) + "\n"


def _person_link(rng: random.Random, people: list[dict], n: int) -> str:
    roll, person = rng.random(), rng.choice(people)
    if roll < 0.7:
        return str(person["email"])
    if roll < 0.92:
        return str(person["full_name"])  # a name namesakes share is ambiguous
    return f"someone.{n}@nowhere.example"


def _company_link(rng: random.Random, companies: list[dict], n: int) -> str:
    roll, company = rng.random(), rng.choice(companies)
    if roll < 0.8:
        return str(company["domain"])
    if roll < 0.95:
        return str(company["name"])
    return f"unknown-{n}.example"


def _workspace_link(rng: random.Random, workspaces: list[dict]) -> str:
    workspace = rng.choice(workspaces)
    return str(workspace["name"] if rng.random() < 0.7 else workspace["external_workspace_id"])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    prepare_database(args.database)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from phones.import_rows import read_rows
    from phones.selectors.imports import import_summary
    from phones.services.imports import import_create

    rng = random.Random(args.seed)
    sizes = Sizes(
        phones=args.phones,
        people=args.people,
        companies=args.companies,
        workspaces=args.workspaces,
    )
    directory, cached = fill(rng, sizes)
    text = paste(rng, directory, cached, args.rows)
    user = get_user_model().objects.create_superuser("bench-import", password=None)
    client = Client()
    client.force_login(user)
    vendor = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[connection.vendor]
    print(
        f"{vendor}: {args.rows:,} rows pasted ({len(text.encode()) / 1e6:.1f} MB), directory of "
        f"{args.people:,} people, {args.companies:,} companies, {args.workspaces} workspaces, "
        f"{args.phones:,} cached phones; {cpu_model()}, load {load_average()}"
    )

    create, preview = Timing(), Timing()
    for run in range(args.runs + 1):  # the first run warms up
        started = time.perf_counter()
        phone_import = import_create(
            actor=user, rows=read_rows(text), file_name="", sha256="0" * 64, default_region="US"
        )
        elapsed = (time.perf_counter() - started) * 1000
        url = f"/phones/import/{phone_import.id}/"
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            response = client.get(url, secure=True)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                sys.exit(f"GET {url} answered {response.status_code}")
        if run == 0:
            summary = import_summary(phone_import=phone_import)
            ambiguous = response.content.decode().count('badge warn">Choose')
            print(
                f"Checked: {summary.ready:,} ready, {summary.attention:,} need attention, "
                f"{summary.duplicates:,} duplicates ({ambiguous} ambiguous links on the first "
                "page)"
            )
            continue
        create.samples.append(elapsed)
        preview.samples.extend(timings)

    budget_ms = IMPORT_BUDGET_SECONDS * 1000
    both = [c + p for c, p in zip(create.samples, preview.samples[::2], strict=True)]
    total = Timing(samples=both)
    print(f"\nBudget: {IMPORT_BUDGET_SECONDS:g} s from paste to preview (IMPORT_BUDGET_SECONDS)")
    for name, timing in (
        ("(a) read + check + store (import_create)", create),
        ("(b) preview page (summary + first 100 rows)", preview),
        ("(a) + (b)", total),
    ):
        print(
            f"{name:<45} p50 {ms(timing.p50):>9}  p95 {ms(timing.p95):>9}  "
            f"p95 / budget {timing.p95 / budget_ms:5.2f}  ({len(timing.samples)} runs)"
        )
    return 0 if total.p95 <= budget_ms else 1


if __name__ == "__main__":
    sys.exit(main())
