"""Listing rows made before the table read its links' names from them get those names."""

import json
import uuid
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from phones.selectors.list_query import ListQuery, PhoneFilters
from phones.selectors.listing import phone_page

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("phones", "0015_picker_indexes")]
AFTER = [("phones", "0016_listing_names")]
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _migrate(targets: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before_names():
    apps = _migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_migration_fills_every_listing_rows_names(before_names):
    apps = before_names
    model = apps.get_model
    people = [
        model("phones", "Person").objects.create(id="p2", full_name="Zoe Zed"),
        model("phones", "Person").objects.create(id="p1", first_name="Al", last_name="Bo"),
    ]
    company = model("phones", "Company").objects.create(id="c1", name="")
    workspace = model("phones", "Workspace").objects.create(
        id="w1", name="", external_workspace_id="ext_1"
    )
    phone, bare = (
        model("phones", "Phone").objects.create(
            id=uuid.UUID(int=n, version=4),
            country_code=1,
            national_number=f"415555000{n}",
            e164_number=f"+1415555000{n}",
            upstream_created_at=WHEN,
            fetched_at=WHEN,
        )
        for n in (7, 8)
    )
    for person in people:
        model("phones", "PhonePerson").objects.create(phone=phone, person=person)
    model("phones", "PhoneCompany").objects.create(phone=phone, company=company)
    model("phones", "PhoneWorkspace").objects.create(phone=phone, workspace=workspace)
    for made in (phone, bare):
        model("phones", "PhoneListing").objects.create(
            phone=made,
            text=f"{made.e164_number} · zoe zed",
            created_at=WHEN,
            updated_at=WHEN,
            e164_number=made.e164_number,
        )

    _migrate(AFTER)

    with connection.cursor() as cursor:
        cursor.execute("SELECT e164_number, names FROM phones_phonesearch ORDER BY e164_number")
        names = {e164: json.loads(value) for e164, value in cursor.fetchall()}
    # People by full name (an empty one first), each as the table names it.
    assert names == {
        "+14155550007": [["Al Bo", "Zoe Zed"], ["c1"], ["ext_1"]],
        "+14155550008": [[], [], []],
    }
    # The search index still follows the table: a rare term is still found through it.
    query = ListQuery(filters=PhoneFilters(q="zoe zed"))
    assert len(phone_page(query=query).phones) == 2
