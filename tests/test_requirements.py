"""The locked dependency sets in requirements/: every package pinned with its hashes, the
runtime lock holding what runtime.in asks for, locust only in the bench set, and every
installer (Makefile, Containerfile) reading the locks in hash-checking mode."""

import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"
SETS = ("runtime", "dev", "bench")
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def entries(name: str) -> list[str]:
    """The lock's requirement lines, each with its continuation lines joined and comments cut."""
    lines: list[str] = []
    current = ""
    for raw in (REQUIREMENTS / f"{name}.txt").read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        current += " " + line.removesuffix("\\").strip()
        if not line.endswith("\\"):
            lines.append(current.strip())
            current = ""
    assert current == ""
    return lines


def pins(name: str) -> dict[str, str]:
    """Package name (canonical) -> the exact version the lock pins."""
    pinned = {}
    for entry in entries(name):
        requirement, _, _ = entry.partition(" --hash")
        package, version = requirement.split("==")
        pinned[canonicalize_name(package)] = version
    return pinned


def inputs(name: str) -> dict[str, str]:
    """Package name (canonical) -> the version the .in file pins (its -r/-c lines left out)."""
    asked = {}
    for raw in (REQUIREMENTS / f"{name}.in").read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        requirement = Requirement(line)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", line
        asked[canonicalize_name(requirement.name)] = specifier.version
    return asked


def test_every_locked_package_is_pinned_exactly_with_its_hashes():
    for name in SETS:
        locked = entries(name)
        assert locked, name
        for entry in locked:
            requirement, *hashes = entry.split(" --hash")
            assert re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+!-]+", requirement), (name, entry)
            assert hashes, f"{name}.txt: {requirement} has no --hash"
            assert HASH.findall(entry) == ["--hash" + h.strip() for h in hashes], (name, entry)


def test_runtime_lock_pins_every_package_runtime_in_names_at_its_version():
    locked = pins("runtime")
    asked = inputs("runtime")
    assert "django" in asked
    assert {package: locked.get(package) for package in asked} == asked
    # psycopg[binary,pool]: the extras' packages are locked too.
    assert {"psycopg-binary", "psycopg-pool"} <= locked.keys()


def test_dev_and_bench_locks_hold_the_runtime_lock_at_the_same_versions():
    runtime = pins("runtime")
    for name in ("dev", "bench"):
        locked = pins(name)
        assert {package: locked.get(package) for package in runtime} == runtime, name


def test_bench_and_dev_locks_agree_on_every_package_they_share():
    dev, bench = pins("dev"), pins("bench")
    shared = dev.keys() & bench.keys()
    assert {package: dev[package] for package in shared} == {
        package: bench[package] for package in shared
    }


def test_locust_is_in_the_bench_lock_only():
    assert pins("bench")["locust"] == inputs("bench")["locust"]
    assert "locust" not in pins("dev")
    assert "locust" not in pins("runtime")
    for dependency in ("gevent", "geventhttpclient", "flask", "pyzmq"):
        assert dependency not in pins("dev"), dependency


def test_playwright_is_pinned_in_the_dev_lock_as_dev_in_asks():
    asked = inputs("dev")
    assert asked["playwright"] == pins("dev")["playwright"]
    assert pins("dev")["pytest-playwright"] == asked["pytest-playwright"]


def test_every_set_is_installed_from_its_lock_in_hash_checking_mode():
    makefile = (ROOT / "Makefile").read_text()
    assert "PIP_INSTALL_LOCKED := $(PY) -m pip install --quiet --require-hashes -r" in makefile
    for name in SETS:
        stamp = re.search(
            rf"^\$\(VENV\)/\.installed-{name}: (.*) \| \$\(PY\)\n\t(.*)$", makefile, re.MULTILINE
        )
        assert stamp, name
        assert f"requirements/{name}.txt" in stamp.group(1).split()
        assert stamp.group(2) == f"$(PIP_INSTALL_LOCKED) requirements/{name}.txt"
    containerfile = (ROOT / "deploy" / "Containerfile").read_text()
    assert "COPY requirements/runtime.txt /tmp/runtime.txt" in containerfile
    assert "pip install --require-hashes -r /tmp/runtime.txt" in containerfile


def test_the_old_unlocked_requirement_files_are_gone():
    assert not (ROOT / "requirements.txt").exists()
    assert not (ROOT / "requirements-dev.txt").exists()
