"""Settings come from the environment; production mode refuses to run without real secrets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-value-0123456789",
    "DJANGO_ALLOWED_HOSTS": "wellui.example.com",
    "WELL_API_URL": "https://api.wellapp.ai/v1",
    "WELL_API_TOKEN": "prod-token-value",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "WELL_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY"),
        ("WELL_API_TOKEN", "WELL_API_TOKEN"),
    ],
)
def test_production_mode_refuses_to_start_without_a_secret_and_says_which(missing, named):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert f"Missing: {named}" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_development_defaults_point_at_the_local_sandbox():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.WELL_API_URL, s.DEBUG)",
        env={},
    )
    assert result.stdout.split() == ["http://127.0.0.1:8001/v1", "True"]
