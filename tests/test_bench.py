"""The benchmark's own logic: the rows it generates (bench/data.py), the search terms it
reads from the data (bench/terms.py), the results file it shares between databases
(bench/report.py) and PostgreSQL's COPY text (bench/postgres_load.py)."""

import random

import pytest
from django.utils import timezone

from bench.data import LISTING_COLUMNS, PhoneLinks, check_listing, chunk_rng, make_phone_chunk
from bench.directory import Directory, Sizes, make_directory, sqlite_stamp
from bench.postgres_load import check_copy_safe, copy_text
from bench.report import merge_results
from bench.terms import pick_terms
from phones.models import PhonePerson, PhoneWorkspace
from tests.factories import make_company, make_person, make_phone, make_workspace


def test_every_generated_listing_row_is_the_apps_own():
    sizes = Sizes(phones=2000, people=200, companies=40, workspaces=10)
    links = PhoneLinks.of(make_directory(random.Random(7), sizes, sqlite_stamp))
    records = {r[0]: r for kind in (links.people, links.companies, links.workspaces) for r in kind}
    batch = make_phone_chunk(chunk_rng(7, 0), 0, sizes.phones, sizes.phones, links, sqlite_stamp)
    linked: dict[str, list[list]] = {phone[0]: [[], [], []] for phone in batch.phones}
    for n, kind in enumerate((batch.people, batch.companies, batch.workspaces)):
        for phone_id, record_id in kind:
            linked[phone_id][n].append(records[record_id])
    phones = {phone[0]: phone for phone in batch.phones}

    for row in batch.listing:  # raises where the app would make the row differently
        check_listing(row, phones[row[1]], linked[row[1]])

    listed = {row[1] for row in batch.listing}
    deleted = {phone[0] for phone in batch.phones if phone[-1] is not None}
    assert deleted and listed == set(phones) - deleted
    assert [row[0] for row in batch.listing] == [
        n + 1 for n, phone in enumerate(batch.phones) if phone[0] in listed
    ]
    assert len(batch.listing[0]) == len(LISTING_COLUMNS)
    # One link row per link of every listed phone, with its listing id and creation time.
    listing_of = {row[1]: row for row in batch.listing}
    created = LISTING_COLUMNS.index("created_at")
    expected_links = {
        (listing_of[phone_id][0], phone_id, kind, record[0], listing_of[phone_id][created])
        for phone_id, groups in linked.items()
        if phone_id in listing_of
        for kind, records in zip("pcw", groups, strict=True)
        for record in records
    }
    assert len(batch.listing_links) == len(expected_links)
    assert set(batch.listing_links) == expected_links


@pytest.fixture
def tiny_cache(db):
    """Five listed phones and one deleted: Smith is on three phones, Jones and Smithers on
    one each; the deleted phone's person and workspace links must not count."""
    ann_smith = make_person("p1", "Ann Smith", "ann.smith@mail.test")
    bob_smith = make_person("p2", "Bob Smith", "bob@corp.test")
    ann_jones = make_person("p3", "Ann Jones", "ann.jones@mail.test")
    cid_smithers = make_person("p4", "Cid Smithers", "cid@corp.test")
    dee_brown = make_person("p5", "Dee Brown", "dee@gone.test")
    make_company("c1", "Smithers Partners", "partners.test")  # holds "smithers"
    alpha = make_workspace("a-ws", "Alpha")
    beta = make_workspace("b-ws", "Beta")
    links = {
        1: (ann_smith, alpha),
        2: (bob_smith, alpha),
        3: (ann_smith, beta),
        4: (ann_jones, beta),
        5: (cid_smithers, beta),
    }
    for n, (person, workspace) in links.items():
        phone = make_phone(n)
        PhonePerson.objects.create(phone=phone, person=person)
        PhoneWorkspace.objects.create(phone=phone, workspace=workspace)
    deleted = make_phone(6, deleted_at=timezone.now())
    PhonePerson.objects.create(phone=deleted, person=dee_brown)
    PhoneWorkspace.objects.create(phone=deleted, workspace=alpha)


def test_terms_come_from_the_listed_phones_frequency_distribution(tiny_cache):
    terms = pick_terms()

    assert terms.common_surname == "Smith"
    assert terms.median_surname == "Jones"  # Smith 3, then Jones 1 and Smithers 1
    assert terms.first_name == "Ann"
    assert terms.full_name == "Ann Smith"
    assert terms.domain == "mail.test"
    assert terms.fragment == "sm"
    assert terms.picker == "jone"
    assert terms.three_digits == "415"
    assert terms.digits == "5550003"  # phone 3 is the middle one, newest first
    assert terms.phones == {
        "Smith": 3,
        "Jones": 1,
        "Ann": 3,
        "Ann Smith": 2,
        "mail.test": 3,
        "415": 5,
        "Beta": 3,
    }


def test_rare_surname_is_one_no_other_name_contains(tiny_cache):
    # Smithers is as rare as Jones but inside a company name, so a search for it would find
    # more than its own phone.
    assert pick_terms().rare_surname == "Jones"


def test_largest_workspace_counts_only_listed_phones(tiny_cache):
    # With the deleted phone, Alpha would tie Beta at three phones and win alphabetically.
    terms = pick_terms()

    assert (terms.workspace, terms.workspace_name) == ("b-ws", "Beta")


def test_terms_need_a_phone_linked_to_a_person(db):
    make_phone(1)

    with pytest.raises(ValueError, match="no listed phone is linked to a person"):
        pick_terms()


def test_results_file_replaces_one_database_and_keeps_the_others():
    document = (
        "# Benchmark: phones list vs Django admin\n\n"
        "<!-- bench:sqlite:start -->\n## SQLite\n\nold\n<!-- bench:sqlite:end -->\n\n"
        "<!-- bench:postgresql:start -->\n## PostgreSQL\n\nkept\n<!-- bench:postgresql:end -->\n\n"
        "<!-- load:start -->\n## Load test\n\nkept too\n<!-- load:end -->\n"
    )

    assert merge_results(document, "sqlite", "## SQLite\n\nnew\n") == (
        "# Benchmark: phones list vs Django admin\n\n"
        "<!-- bench:sqlite:start -->\n## SQLite\n\nnew\n<!-- bench:sqlite:end -->\n\n"
        "<!-- bench:postgresql:start -->\n## PostgreSQL\n\nkept\n<!-- bench:postgresql:end -->\n\n"
        "<!-- load:start -->\n## Load test\n\nkept too\n<!-- load:end -->\n"
    )


def test_results_file_puts_sqlite_before_postgresql_whatever_ran_first():
    first = merge_results("", "postgresql", "## PostgreSQL\n\npg")
    both = merge_results(first, "sqlite", "## SQLite\n\nlite")

    assert both == (
        "# Benchmark: phones list vs Django admin\n\n"
        "<!-- bench:sqlite:start -->\n## SQLite\n\nlite\n<!-- bench:sqlite:end -->\n\n"
        "<!-- bench:postgresql:start -->\n## PostgreSQL\n\npg\n<!-- bench:postgresql:end -->\n"
    )


def test_results_file_drops_text_outside_the_sections():
    # A results file from before the sections existed: only its load-test part survives.
    document = "# Old title\n\n| table |\n\n<!-- load:start -->\nload\n<!-- load:end -->\n"

    assert merge_results(document, "sqlite", "## SQLite") == (
        "# Benchmark: phones list vs Django admin\n\n"
        "<!-- bench:sqlite:start -->\n## SQLite\n<!-- bench:sqlite:end -->\n\n"
        "<!-- load:start -->\nload\n<!-- load:end -->\n"
    )


def test_copy_text_writes_nulls_and_booleans_postgresql_reads():
    rows = [("a", 1, True, None), ("b", 2, False, "2026-01-01 00:00:00+00:00")]

    assert copy_text(rows) == (b"a\t1\tTrue\t\\N\nb\t2\tFalse\t2026-01-01 00:00:00+00:00\n")


def test_copy_refuses_directory_values_that_would_need_escaping():
    directory = Directory(people=[{"id": "p1", "full_name": "Tab\tName"}])

    with pytest.raises(ValueError, match="needs COPY escaping"):
        check_copy_safe(directory)


@pytest.mark.django_db
def test_the_benchmark_signs_in_as_a_support_agent_who_reaches_both_lists():
    from django.test import Client

    from bench.common import bench_user

    bench_user().groups.clear()  # an earlier run's state is made right on every run
    user = bench_user()
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Support viewers"]
    client = Client()
    client.force_login(user)
    # The portal's list and the admin baseline it is timed against.
    assert client.get("/phones/").status_code == 200
    assert client.get("/admin/phones/phone/").status_code == 200
    assert client.get("/admin/phones/phone/?q=Martin").status_code == 200
