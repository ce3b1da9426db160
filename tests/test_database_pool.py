"""DATABASE_POOL: a pool of PostgreSQL connections per process, refused on SQLite."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SHOW_POOL = """
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SELECT 6 * 7")
    answer = cursor.fetchone()[0]
pool = connection.pool
print(type(pool).__name__, pool.min_size, pool.max_size, pool.timeout, answer,
      connection.settings_dict["CONN_MAX_AGE"], pool.get_stats()["requests_num"])
"""


def postgres_url() -> str:
    """The suite's PostgreSQL server (DATABASE_URL when it names one), its ``postgres``
    database, which always exists."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def shell(code: str, **env: str) -> subprocess.CompletedProcess:
    return manage("shell", "--no-imports", "-c", code, **env)


def test_database_pool_serves_queries_from_a_psycopg_pool_of_the_given_sizes():
    result = shell(SHOW_POOL, DATABASE_URL=postgres_url(), DATABASE_POOL="2:5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ConnectionPool", "2", "5", "10.0", "42", "0", "1"]


def test_database_pool_of_one_takes_the_default_sizes_and_timeout():
    result = shell(
        SHOW_POOL, DATABASE_URL=postgres_url(), DATABASE_POOL="1", DATABASE_POOL_TIMEOUT="3"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:5] == ["ConnectionPool", "2", "8", "3.0", "42"]


def test_no_database_pool_keeps_persistent_connections():
    code = "from django.db import connection as c; print(c.pool, c.settings_dict['CONN_MAX_AGE'])"
    result = shell(code, DATABASE_URL=postgres_url())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None", "60"]


def test_database_pool_on_sqlite_refuses_to_start_and_says_why():
    result = manage("check", DATABASE_POOL="1")
    assert result.returncode != 0
    assert (
        "DATABASE_POOL is set, but connection pooling needs PostgreSQL "
        "(DATABASE_URL=postgres://...). Unset DATABASE_POOL for SQLite."
    ) in result.stderr


def test_database_pool_with_sizes_out_of_order_refuses_to_start():
    result = manage("check", DATABASE_URL=postgres_url(), DATABASE_POOL="8:2")
    assert result.returncode != 0
    assert "DATABASE_POOL must be 1 (a pool of 2 to 8 connections) or MIN:MAX" in result.stderr
    assert "not '8:2'" in result.stderr


DEAD_CONNECTION = """
import time
import psycopg
from django.db import connection

def served_by():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    connection.close()  # the connection goes back to the pool
    return pid

first = served_by()
with psycopg.connect(URL, autocommit=True) as admin:
    admin.execute("SELECT pg_terminate_backend(%s)", [first])
    while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [first]).fetchone():
        time.sleep(0.05)
print(first != served_by())
"""


def test_database_pool_never_hands_out_a_connection_the_server_has_closed():
    # As after a PostgreSQL restart: the pool's idle connection is dead; the next request
    # gets a new one instead of an error page.
    url = postgres_url()
    code = DEAD_CONNECTION.replace("URL", repr(url))
    result = shell(code, DATABASE_URL=url, DATABASE_POOL="1:1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"]
