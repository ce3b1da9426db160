"""The process definitions (Procfile, systemd units, Containerfile) name commands that exist,
with options those commands accept, and agree with each other and with the settings."""

import configparser
import json
import os
import re
import shlex
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
VENV_BIN = "/srv/wellui/.venv/bin/"
ENVIRONMENT_FILE = "/etc/wellui/wellui.env"
WEB = ["gunicorn", "-c", "gunicorn.conf.py", "wellui.wsgi"]


def procfile() -> dict[str, list[list[str]]]:
    """Each process of the Procfile: its commands (split on ``&&``), as argument lists."""
    processes = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, command = line.partition(":")
        processes[name.strip()] = [shlex.split(part) for part in command.split("&&")]
    return processes


class _Repeatable(dict):
    """configparser's section dict that keeps every value of a repeated key (ExecStart=)."""

    def __setitem__(self, key, value):
        if isinstance(value, list) and key in self:
            self[key].extend(value)
        else:
            super().__setitem__(key, value)


def unit(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, dict_type=_Repeatable, interpolation=None)
    parser.optionxform = str
    parser.read_string((UNITS / name).read_text())
    return parser


def exec_starts(parsed: configparser.RawConfigParser) -> list[list[str]]:
    """The unit's ExecStart= commands, with the virtualenv's bin/ dropped from the program."""
    commands = []
    for line in parsed["Service"]["ExecStart"].splitlines():
        args = shlex.split(line)
        assert args[0].startswith(VENV_BIN), args
        commands.append([args[0].removeprefix(VENV_BIN), *args[1:]])
    return commands


def assert_runnable(command: list[str]) -> None:
    """A ``python manage.py NAME ...`` command names a command of this project and passes
    options it accepts; the web command is gunicorn with this project's configuration."""
    if command == WEB:
        return
    assert command[:2] == ["python", "manage.py"], command
    name, options = command[2], command[3:]
    commands = get_commands()
    assert name in commands, f"manage.py has no command {name!r}"
    parser = load_command_class(commands[name], name).create_parser("manage.py", name)
    parser.parse_args(options)  # exits (failing the test) on an option it does not know


def test_procfile_has_the_four_processes_and_each_command_exists():
    processes = procfile()
    assert processes == {
        "release": [
            ["python", "manage.py", "migrate", "--noinput"],
            ["python", "manage.py", "collectstatic", "--noinput"],
        ],
        "web": [WEB],
        "worker": [["python", "manage.py", "db_worker", "--queue-name", "*", "--no-reload"]],
        "scheduler": [["python", "manage.py", "run_scheduler"]],
    }
    for commands in processes.values():
        for command in commands:
            assert_runnable(command)


def test_systemd_units_run_the_procfile_commands_hardened_from_one_environment_file():
    processes = procfile()
    expected = {
        "wellui-web.service": processes["web"],
        "wellui-worker@.service": processes["worker"],
        "wellui-scheduler.service": processes["scheduler"],
        "wellui-release.service": processes["release"],
    }
    assert sorted(path.name for path in UNITS.glob("*.service")) == sorted(expected)
    for name, commands in expected.items():
        parsed = unit(name)
        service = parsed["Service"]
        assert exec_starts(parsed) == commands, name
        assert service["EnvironmentFile"] == ENVIRONMENT_FILE, name
        assert service["WorkingDirectory"] == "/srv/wellui", name
        assert service["User"] == "wellui", name
        assert service["NoNewPrivileges"] == "yes", name
        assert service["ProtectSystem"] == "strict", name
        assert service["PrivateTmp"] == "yes", name
        if name == "wellui-release.service":
            assert service["Type"] == "oneshot"
        else:
            assert service["Restart"] in {"always", "on-failure"}, name
            assert "wellui-release.service" in parsed["Unit"]["After"].split(), name
            assert parsed["Install"]["WantedBy"] == "multi-user.target", name


def test_release_unit_may_write_only_where_collectstatic_writes():
    static_root = Path(settings.STATIC_ROOT).relative_to(settings.BASE_DIR)
    service = unit("wellui-release.service")["Service"]
    assert service["ReadWritePaths"].split() == [f"/srv/wellui/{static_root}"]
    for name in ("wellui-web.service", "wellui-worker@.service", "wellui-scheduler.service"):
        assert "ReadWritePaths" not in unit(name)["Service"], name


def test_web_unit_stops_gunicorn_within_its_graceful_timeout():
    service = unit("wellui-web.service")["Service"]
    assert service["Type"] == "notify"  # gunicorn tells systemd when it is ready
    assert service["KillMode"] == "mixed"
    graceful = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "") or 30)
    assert int(service["TimeoutStopSec"]) > graceful


def test_container_image_runs_the_web_command():
    text = (DEPLOY / "Containerfile").read_text()
    (cmd,) = re.findall(r"^CMD (\[.*\])$", text, flags=re.MULTILINE)
    assert json.loads(cmd) == WEB
    assert re.search(r"^FROM python:3\.13-slim$", text, flags=re.MULTILINE)
    assert re.search(r"^USER wellui$", text, flags=re.MULTILINE)


def test_every_variable_of_the_example_environment_is_documented():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, flags=re.MULTILINE))
    example = (DEPLOY / "wellui.env.example").read_text()
    names = re.findall(r"^([A-Z_]+)=", example, flags=re.MULTILINE)
    assert names
    assert set(names) - documented == set()
