"""In a real browser: the Content Security Policy blocks nothing the portal needs, and an htmx
write whose CSRF token went stale shows the reload message in the alert region."""

import re

import pytest
from playwright.sync_api import Page, expect

from phones.views.errors import STALE_PAGE_MESSAGE
from tests.factories import make_person, make_phone

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(90),
]


def watch_policy(page: Page) -> list[str]:
    """Everything the browser reports as blocked by the policy."""
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return blocked


def test_filters_number_preview_and_pickers_run_under_the_policy(
    page: Page, live_server, logged_in_page
):
    make_phone(7, label="home")
    make_phone(8, label="work")
    make_person("person-ann", "Ann Example", "ann@example.com")
    blocked = watch_policy(page)
    logged_in_page("editor")

    rows = page.locator("#phone-results tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_label("Label", exact=True).select_option("home")
    expect(rows).to_have_count(1)  # htmx swapped the filtered results in
    expect(page).to_have_url(re.compile(r"label=home"))

    page.goto(f"{live_server.url}/phones/new/")
    page.get_by_label("Number", exact=True).fill("4155550123")
    expect(page.locator("[data-preview=e164]")).to_have_text("+14155550123")
    people = page.get_by_role("combobox", name="People", exact=True)
    people.fill("Ann")
    expect(page.get_by_role("option", name="Ann Example")).to_be_visible()
    people.press("ArrowDown")
    people.press("Enter")
    chips = page.get_by_role("list", name="Selected people").get_by_role("listitem")
    expect(chips).to_have_count(1)
    expect(chips).to_contain_text("Ann Example")
    assert blocked == []


def test_stale_csrf_token_on_an_htmx_write_shows_the_reload_message(
    page: Page, live_server, logged_in_page
):
    blocked = watch_policy(page)
    logged_in_page("editor")
    page.context.add_cookies([{"name": "csrftoken", "value": "s" * 32, "url": live_server.url}])

    page.get_by_role("button", name="Sync now").click()

    alert = page.locator("#global-alert")
    expect(alert).to_contain_text(STALE_PAGE_MESSAGE)
    expect(alert).to_be_visible()
    expect(page.get_by_role("button", name="Sync now")).to_be_visible()  # region left whole
    alert.get_by_role("link", name="Reload the page").click()
    expect(page).to_have_url(f"{live_server.url}/phones/")
    expect(page.locator("#global-alert")).to_be_empty()
    assert blocked == []
