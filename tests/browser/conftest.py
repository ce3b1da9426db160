"""Browser tests drive Debian's Chromium (never a downloaded browser) through Playwright.

Fixtures: ``logged_in_page`` logs the browser page in as the user of a role;
``synced_directory`` is ``wellapp`` with its whole directory and phones synced into the cache;
``sales_and_support_phones`` is eleven cached phones in two workspaces, without WellApp.
"""

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from phones.models import Phone
from phones.services.listing import listing_refresh
from phones.services.sync import sync_run
from sandbox.seed import SEED_PERSON, SEED_SALES
from sandbox.server import Sandbox
from tests.browser.helpers import log_in
from tests.factories import make_person, make_phone, make_workspace, role_user

# Playwright's sync API runs an event loop in the test thread; the tests still use the ORM
# there to arrange data, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not CHROMIUM.exists():
        pytest.fail(
            "The browser tests need Debian's chromium at /usr/bin/chromium "
            "(apt-get install chromium); `make test` installs it when it can."
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def synced_directory(wellapp: Sandbox, db) -> Sandbox:
    """``wellapp`` with its directory (the pickers' source) and phones synced into the cache."""
    sync_run()
    return wellapp


@pytest.fixture
def sales_and_support_phones(db) -> list[Phone]:
    """Eleven cached phones: the first is +1 415-555-2671, linked to John Doe; six, the first
    among them, are in Sales Team Workspace (workspace_sales) and five in Support Desk
    (ws_support)."""
    sales = make_workspace(SEED_SALES.id, SEED_SALES.name, SEED_SALES.external_workspace_id)
    support = make_workspace("ws_support", "Support Desk", "sup_9")
    john = make_person(
        SEED_PERSON.id, f"{SEED_PERSON.first_name} {SEED_PERSON.last_name}", SEED_PERSON.email
    )
    target = make_phone(1, e164_number="+14155552671", national_number="4155552671")
    target.people.add(john)
    target.workspaces.add(sales)
    phones = [target]
    for n in range(2, 12):
        phone = make_phone(n)
        phone.workspaces.add(sales if n % 2 else support)
        phones.append(phone)
    listing_refresh(phone_ids=[p.id for p in phones])
    return phones


@pytest.fixture
def logged_in_page(page: Page, live_server, db) -> Callable[..., Page]:
    """``logged_in_page(role, path="/phones/")``: the test's page, logged in through the login
    form as the user of ``role`` ("viewer", "editor", or "nobody" without a support role;
    made on first use) and open on ``path``. Called again, it logs in as another."""

    def log_in_as(role: str, path: str = "/phones/") -> Page:
        log_in(page, live_server.url, role_user(role).username, path)
        return page

    return log_in_as
