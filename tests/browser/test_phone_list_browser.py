"""A support agent finds the number a customer reads out, narrows by workspace with the
picker, opens a phone and comes Back to the same filtered list."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(90),
]


def numbers(page: Page) -> list[str]:
    return page.locator("#phone-results a[data-e164]").evaluate_all(
        "links => links.map(a => a.dataset.e164)"
    )


def test_search_as_read_out_filter_by_workspace_open_and_come_back(
    page: Page, live_server, logged_in_page, sales_and_support_phones
):
    logged_in_page("viewer")
    expect(page.locator("#phone-results a[data-e164]")).to_have_count(11)

    search = page.get_by_role("searchbox", name="Search")
    search.focus()
    page.keyboard.type("(415) 555-2671")
    expect(page).to_have_url(re.compile(r"q=(\(|%28)415(\)|%29)"))
    expect(page.locator("#phone-results a[data-e164]")).to_have_count(1)
    assert numbers(page) == ["+14155552671"]
    expect(page.locator("#phone-results")).to_contain_text("John Doe")

    search.fill("")
    search.dispatch_event("input")
    expect(page.locator("#phone-results a[data-e164]")).to_have_count(11)

    picker = page.get_by_role("combobox", name="Workspaces", exact=True)
    picker.focus()
    page.keyboard.type("Sales")
    listbox = page.get_by_role("listbox", name="Workspaces", exact=True)
    expect(listbox.get_by_role("option")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"workspaces=workspace_sales"))
    expect(page.locator("#phone-results a[data-e164]")).to_have_count(6)
    filtered = numbers(page)
    assert "+14155552671" in filtered

    page.locator("#phone-results a[data-e164='+14155552671']").click()
    expect(page.get_by_role("heading", name=re.compile(r"^\+1 415-555-2671"))).to_be_visible()

    page.go_back()
    expect(page).to_have_url(re.compile(r"workspaces=workspace_sales"))
    expect(page.locator("#phone-results a[data-e164]")).to_have_count(6)
    assert numbers(page) == filtered
    chips = page.get_by_role("list", name="Selected workspaces").get_by_role("listitem")
    expect(chips.locator(".chip-label")).to_have_text(["Sales Team Workspace"])
