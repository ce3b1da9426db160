"""The health report: whether the database and WellApp answer."""

from django.db import connection
from django.db.utils import Error as DatabaseError

from phones.upstream.shared import upstream_client


def health_check() -> dict[str, str]:
    """Whether the database answers and WellApp is reachable with the configured token."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError:
        database = "error"
    upstream = "ok" if upstream_client().ping() else "unreachable"
    status = "ok" if database == "ok" and upstream == "ok" else "degraded"
    if database != "ok":
        status = "down"
    return {"status": status, "database": database, "upstream": upstream}
