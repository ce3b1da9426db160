"""The keyboard is the fast way through the portal: a phone with one person, one company and two
workspaces in at most 12 keys beyond the typed text, and shortcuts on every page."""

import re

import pytest
from playwright.sync_api import Page, expect

from sandbox.seed import SEED_MARKETING
from tests.browser.helpers import Picker, upstream_posts

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(90),
]

KEY_BUDGET = 12


class CountedKeyboard:
    """Types text freely and counts every other key press (a chord such as Ctrl+Enter is one)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.keys: list[str] = []

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def press(self, key: str) -> None:
        self.keys.append(key)
        self.page.keyboard.press(key)


def test_a_linked_phone_in_at_most_twelve_keys(
    page: Page, live_server, logged_in_page, synced_directory
):
    logged_in_page("editor", "/phones/new/")
    number = page.get_by_label("Number", exact=True)
    # The form opens with the keyboard in the Number field.
    expect(number).to_be_focused()
    keys = CountedKeyboard(page)
    people = Picker(page, "People", "people")
    companies = Picker(page, "Companies", "companies")
    workspaces = Picker(page, "Workspaces", "workspaces")

    keys.type("+44 20 7946 0958")
    keys.press("Tab")
    expect(people.input).to_be_focused()
    keys.type("John Doe")
    keys.press("Enter")
    keys.press("Tab")
    expect(companies.input).to_be_focused()
    keys.type("Acme")
    keys.press("Enter")
    keys.press("Tab")
    expect(workspaces.input).to_be_focused()
    keys.type("Sales Team")
    keys.press("Enter")
    # A person sees the chip before typing the next name.
    expect(workspaces.chip_labels).to_have_text(["Sales Team Workspace"])
    keys.type("Marketing")
    keys.press("Enter")
    expect(workspaces.chip_labels).to_have_text(
        ["Sales Team Workspace", "Marketing Team Workspace"]
    )
    expect(people.chip_labels).to_have_text(["John Doe"])
    expect(companies.chip_labels).to_have_text(["Acme Corporation"])
    keys.press("Control+Enter")

    expect(page).to_have_url(re.compile(rf"{re.escape(live_server.url)}/phones/[0-9a-f-]{{36}}/$"))
    assert len(keys.keys) <= KEY_BUDGET, keys.keys
    assert upstream_posts(synced_directory) == 1
    stored = synced_directory.state.get_phone(page.url.rstrip("/").rsplit("/", 1)[1])
    assert stored is not None
    assert (stored.e164_number, stored.persons, stored.companies) == (
        "+442079460958",
        ("people1",),
        ("company_tenant",),
    )
    assert set(stored.workspaces) == {"workspace_sales", SEED_MARKETING.id}


def test_shortcuts_search_new_phone_and_the_list_of_them(
    page: Page, live_server, logged_in_page, synced_directory
):
    logged_in_page("editor")
    search = page.get_by_role("searchbox", name="Search")
    expect(search).not_to_be_focused()
    page.keyboard.press("/")
    expect(search).to_be_focused()
    # In a text field a shortcut key is just text.
    page.keyboard.type("n/?")
    expect(search).to_have_value("n/?")
    expect(page).to_have_url(re.compile(r"/phones/(\?.*)?$"))

    page.locator("body").click(position={"x": 5, "y": 300})
    expect(search).not_to_be_focused()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Search the phones list")
    expect(dialog).to_contain_text("New phone")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # The top bar opens the same list for those who do not know the key.
    page.get_by_role("button", name="Shortcuts").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    page.keyboard.press("n")
    expect(page).to_have_url(f"{live_server.url}/phones/new/")
    expect(page.get_by_label("Number", exact=True)).to_be_focused()

    # Ctrl+Enter submits from a select too; the refused form keeps the keyboard on the number.
    page.get_by_label("Label").focus()
    page.keyboard.press("Control+Enter")
    expect(page.locator("#number-errors")).to_be_visible()
    expect(page.get_by_label("Number", exact=True)).to_be_focused()
    assert upstream_posts(synced_directory) == 0
