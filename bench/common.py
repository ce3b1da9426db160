"""What the benchmark scripts share: which database they use and how Django starts."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'bench' / 'bench.sqlite3'}"
BENCH_USERNAME = "bench"
INFO_TABLE = "bench_info"


def bench_user():
    """The user the benchmark's requests run as: a support agent as staff sign in, a member
    of Support viewers (with is_staff, so the admin baseline admits them), not a superuser,
    whose permission checks would skip the queries an agent's request makes. Made so on
    every run, whatever an earlier generation left."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, _ = get_user_model().objects.update_or_create(
        username=BENCH_USERNAME,
        defaults={"is_staff": True, "is_superuser": False, "email": "bench@example.com"},
    )
    user.groups.set([Group.objects.get(name="Support viewers")])
    return user


def database_url() -> str:
    """The benchmark database: ``BENCH_DATABASE_URL``, else a SQLite file in ``bench/``.

    ``DATABASE_URL`` is deliberately not read, so the benchmark never touches the database
    the portal itself is configured with."""
    return os.environ.get("BENCH_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL


def is_postgres(url: str) -> bool:
    return url.split(":", 1)[0] in ("postgres", "postgresql", "pgsql")


def ensure_database(*, anew: bool = False) -> None:
    """Create the PostgreSQL benchmark database when the server does not have it yet, or
    drop and create it ``anew`` (the SQLite file is created by connecting to it)."""
    url = database_url()
    if not is_postgres(url):
        return
    import dj_database_url
    import psycopg
    from psycopg import sql

    settings = dj_database_url.parse(url)
    name = settings["NAME"]
    if anew and "bench" not in name:
        sys.exit(f"Refusing to replace {name!r}: its name does not mention 'bench'.")
    with psycopg.connect(
        dbname="postgres",
        autocommit=True,
        host=settings.get("HOST") or None,
        port=settings.get("PORT") or None,
        user=settings.get("USER") or None,
        password=settings.get("PASSWORD") or None,
    ) as db:
        exists = db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not anew:
            return
        if exists:
            try:
                db.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
            except psycopg.errors.ObjectInUse as error:
                sys.exit(f"Cannot make {name!r} anew while others use it: {error}")
        else:
            print(f"Creating the PostgreSQL database {name!r}")
        db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(*, production: bool = False) -> None:
    """Point Django at the benchmark database and start it. ``production`` runs with
    DEBUG off, as the portal is deployed."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url()
    os.environ["DJANGO_SETTINGS_MODULE"] = "wellui.settings"
    if production:
        os.environ["DJANGO_DEBUG"] = "0"
        os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + "x" * 48)
        os.environ.setdefault("WELL_API_TOKEN", "bench-token-never-used")
        os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
        os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    import django

    django.setup()
