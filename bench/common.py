"""What the benchmark scripts share: which database they use and how Django starts."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'bench' / 'bench.sqlite3'}"
BENCH_USERNAME = "bench"
INFO_TABLE = "bench_info"


def database_url() -> str:
    """The benchmark database: ``BENCH_DATABASE_URL``, else a SQLite file in ``bench/``.

    ``DATABASE_URL`` is deliberately not read, so the benchmark never touches the database
    the portal itself is configured with."""
    return os.environ.get("BENCH_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL


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
