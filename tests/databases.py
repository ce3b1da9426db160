"""A database the test and other connections (threads, child processes) see alike."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management import call_command
from django.db import connection


@contextmanager
def shared_database_url(directory: Path) -> Iterator[str]:
    """The URL of a database this test, its threads and its child processes share (use in a
    transactional test): on PostgreSQL the test database itself; on SQLite a migrated file in
    ``directory`` that the test's connection is switched to meanwhile (the in-memory test
    database is private to this process, and its shared cache locks tables, not waits)."""
    params = connection.settings_dict
    if connection.vendor == "postgresql":
        password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
        host = f"{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
        yield f"postgres://{params['USER']}{password}@{host}/{params['NAME']}"
        return
    saved_name, saved_connection = params["NAME"], connection.connection
    path = directory / "shared.sqlite3"
    connection.connection = None
    params["NAME"] = str(path)
    try:
        call_command("migrate", verbosity=0)
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        params["NAME"] = saved_name
        connection.connection = saved_connection
