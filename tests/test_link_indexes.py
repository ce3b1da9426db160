"""The link tables keep only the indexes a query uses, and the migration that trimmed them runs
both ways on both databases."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

LINKS = {
    "phones_phoneperson": "person_id",
    "phones_phonecompany": "company_id",
    "phones_phoneworkspace": "workspace_id",
}


def _migrate(target: str) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = [("phones", target)] if target else executor.loader.graph.leaf_nodes()
    executor.migrate(targets)


def link_indexes(table: str) -> dict[tuple[str, ...], int]:
    """How many indexes (primary key included) each column list of ``table`` leads."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    counted: dict[tuple[str, ...], int] = {}
    for details in found.values():
        if details["index"] or details["primary_key"] or details["unique"]:
            columns = tuple(details["columns"])
            counted[columns] = counted.get(columns, 0) + 1
    return counted


def test_each_link_table_has_its_key_the_unique_pair_and_the_record_index():
    for table, record in LINKS.items():
        assert link_indexes(table) == {
            ("id",): 1,
            ("phone_id", record): 1,
            (record,): 1,  # on PostgreSQL, no text-pattern twin beside it
        }, table


@pytest.fixture
def back_to_the_leaf():
    yield
    _migrate("")


def test_the_migration_puts_the_old_indexes_back_and_takes_them_off_again(back_to_the_leaf):
    _migrate("0017_listing_walk_index")
    twin = 2 if connection.vendor == "postgresql" else 1  # the _like index on PostgreSQL
    for table, record in LINKS.items():
        assert link_indexes(table) == {
            ("id",): 1,
            ("phone_id", record): 1,
            ("phone_id",): 1,
            (record,): twin,
        }, table

    _migrate("0018_link_indexes")

    for table, record in LINKS.items():
        assert link_indexes(table) == {("id",): 1, ("phone_id", record): 1, (record,): 1}
