"""The portal as a load test runs it: its environment, its database, and the ``manage.py``
steps before gunicorn starts (the login, the sample of the cache the staff search for)."""

import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.common import is_postgres
from bench.load.processes import RunFailed, tail

ROOT = Path(__file__).resolve().parents[2]
SANDBOX_TOKEN = "sandbox-token"  # noqa: S105 (the sandbox's own token)
# The portal's own settings come only from here, whatever the calling shell has set.
INHERITED_SETTINGS = ("DJANGO_", "WELL_", "WELLUI_", "DATABASE_")
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY")
# On PostgreSQL the portal runs as deployed (deploy/wellui.env.example): a pool of
# connections per gunicorn worker, shared by its threads.
POSTGRES_SETTINGS = {"DATABASE_POOL": "1"}
CREATE_USER = """
import os
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
user, _ = get_user_model().objects.get_or_create(username=os.environ["WELLUI_LOAD_USERNAME"])
user.set_password(os.environ["WELLUI_LOAD_PASSWORD"])
user.save()
user.groups.add(Group.objects.get(name="Support editors"))
"""
SAMPLE_CACHE = "from bench.load.sample import cache_sample_write; cache_sample_write()"


@dataclass(frozen=True)
class Database:
    """The database the portal runs on: its URL and the settings that go with it."""

    url: str

    @property
    def postgres(self) -> bool:
        return is_postgres(self.url)

    @property
    def settings(self) -> dict[str, str]:
        """What the portal's environment sets for this database beyond ``DATABASE_URL``."""
        return POSTGRES_SETTINGS if self.postgres else {}

    @property
    def shown(self) -> str:
        """The URL without a password, or the SQLite file relative to the project."""
        parts = urlsplit(self.url)
        if not self.postgres:
            path = Path(parts.path)
            return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
        netloc = parts.netloc.rpartition("@")
        user = netloc[0].split(":", 1)[0]
        return urlunsplit(parts._replace(netloc=f"{user}@{netloc[2]}" if user else netloc[2]))


def portal_env(sandbox_port: int, database: Database) -> dict[str, str]:
    """Production settings on plain HTTP over loopback, against the sandbox and the load
    test's database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in PROXY_VARIABLES and not k.startswith(INHERITED_SETTINGS)
    }
    env.update(
        DATABASE_URL=database.url,
        **database.settings,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(48),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        WELL_API_URL=f"http://127.0.0.1:{sandbox_port}/v1",
        WELL_API_TOKEN=SANDBOX_TOKEN,
        NO_PROXY="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(args: list[str], env: dict[str, str], logs: Path, name: str) -> None:
    """``manage.py`` with ``args``; its output goes to ``<logs>/<name>.log``."""
    with (logs / f"{name}.log").open("wb") as log:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=3600,
            check=False,
        )
    if done.returncode != 0:
        raise RunFailed(f"manage.py {args[0]} failed:\n{tail(logs / f'{name}.log')}")


def create_login(env: dict[str, str], logs: Path, username: str, password: str) -> None:
    """An editor login for the simulated staff (its password set anew when it exists)."""
    user_env = {**env, "WELLUI_LOAD_USERNAME": username, "WELLUI_LOAD_PASSWORD": password}
    manage(["shell", "--no-imports", "-c", CREATE_USER], user_env, logs, "user")


def sample_cache(env: dict[str, str], logs: Path) -> dict[str, Any]:
    """What the staff search for, the cache's row counts and the database's name and version,
    read by the portal itself (``bench/load/sample.py``)."""
    target = logs / "sample.json"
    manage(
        ["shell", "--no-imports", "-c", SAMPLE_CACHE],
        {**env, "WELLUI_LOAD_SAMPLE": str(target)},
        logs,
        "sample",
    )
    sample: dict[str, Any] = json.loads(target.read_text())
    data, counts = sample["data"], sample["counts"]
    if not all(data[name] for name in ("numbers", "surnames", "people", "companies", "workspaces")):
        raise RunFailed(f"the cache lacks records to search for: {counts}")
    return sample
