"""A support agent creates a phone with the keyboard alone: country, number with its live
preview, and the directory pickers (an ARIA combobox with a listbox and chips each)."""

import re
from pprint import pformat

import pytest
from playwright.sync_api import Page, expect

from sandbox.seed import SEED_MARKETING
from tests.browser.helpers import Picker, serious_violations, upstream_posts

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(90),
]


def test_agent_creates_a_phone_with_the_keyboard_alone(
    page: Page, live_server, logged_in_page, synced_directory
):
    phones_before = synced_directory.stats()["phones"]
    logged_in_page("editor", "/phones/new/")
    expect(page.get_by_role("heading", name="New phone")).to_be_visible()

    country = page.get_by_label("Country")
    country.focus()
    page.keyboard.type("United Kingdom")
    expect(country).to_have_value("GB")

    page.keyboard.press("Tab")
    number = page.get_by_label("Number", exact=True)
    expect(number).to_be_focused()
    page.keyboard.type("020 7946 0958")
    preview = page.locator("#number-preview")
    expect(preview.locator('[data-preview="international"]')).to_have_text("+44 20 7946 0958")
    expect(preview.locator('[data-preview="e164"]')).to_have_text("+442079460958")
    expect(preview).to_contain_text("Valid number for GB")

    people = Picker(page, "People", "people")
    people.focus()
    expect(people.input).to_have_attribute("role", "combobox")
    expect(people.input).to_have_attribute("aria-autocomplete", "list")
    expect(people.input).to_have_attribute("aria-controls", "people-listbox")
    people.search("John", first="Johnson")
    expect(people.options.filter(has_text="John Doe")).to_have_count(1)
    # The best match arrives active; Down and Up move the highlight, and the input points at it.
    expect(people.options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    second = people.options.nth(1)
    expect(second).to_have_attribute("aria-selected", "true")
    expect(people.input).to_have_attribute("aria-activedescendant", second.get_attribute("id"))
    expect(people.listbox.locator('[aria-selected="true"]')).to_have_count(1)
    page.keyboard.press("ArrowUp")
    expect(people.input).to_have_attribute(
        "aria-activedescendant", people.options.first.get_attribute("id")
    )
    # Escape closes the listbox and keeps what was typed.
    page.keyboard.press("Escape")
    expect(people.input).to_have_attribute("aria-expanded", "false")
    expect(people.listbox).to_be_hidden()
    expect(people.input).not_to_have_attribute("aria-activedescendant", re.compile(".*"))
    expect(people.input).to_have_value("John")
    expect(people.input).to_be_focused()
    people.search(" Doe", value="John Doe")
    expect(people.options).to_have_count(1)
    expect(people.status).to_have_text("1 result")
    people.pick_first("John Doe")
    expect(people.chips).to_have_count(1)
    expect(people.chips.first).to_contain_text("John Doe")

    page.keyboard.press("Tab")
    companies = Picker(page, "Companies", "companies")
    expect(companies.input).to_be_focused()
    companies.search("Acme", first="Acme Corporation")
    expect(companies.options).to_have_count(1)
    companies.pick_first("Acme Corporation")

    page.keyboard.press("Tab")
    workspaces = Picker(page, "Workspaces", "workspaces")
    expect(workspaces.input).to_be_focused()
    workspaces.search("Sales", first="Sales Team Workspace")
    workspaces.pick_first("Sales Team Workspace")
    workspaces.search("Marketing", first="Marketing Team Workspace")
    workspaces.pick_first("Marketing Team Workspace")
    # What is already picked is not offered again.
    workspaces.search("Team", first="Engineering Team Workspace")
    expect(workspaces.options).to_have_count(6)
    expect(workspaces.status).to_have_text("6 results")
    expect(workspaces.options.filter(has_text="Sales Team Workspace")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(workspaces.input).to_have_attribute("aria-expanded", "false")
    # Down opens the closed listbox again on its first option.
    page.keyboard.press("ArrowDown")
    expect(workspaces.input).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Enter")
    expect(workspaces.status).to_have_text("Added Engineering Team Workspace")
    expect(workspaces.chips).to_have_count(3)
    # Backspace on the empty input takes the last chip off again.
    expect(workspaces.input).to_have_value("")
    page.keyboard.press("Backspace")
    expect(workspaces.chips).to_have_count(2)
    expect(workspaces.status).to_have_text("Removed Engineering Team Workspace")
    expect(workspaces.chips.nth(0)).to_contain_text("Sales Team Workspace")
    expect(workspaces.chips.nth(1)).to_contain_text("Marketing Team Workspace")
    expect(workspaces.input).to_be_focused()

    # Label and flags follow the pickers; Tab reaches them, then the button.
    page.keyboard.press("Tab")
    expect(page.get_by_label("Label")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Create phone")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"{re.escape(live_server.url)}/phones/[0-9a-f-]{{36}}/$"))
    expect(page.get_by_role("heading", name=re.compile(r"^\+44 20 7946 0958"))).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="created in WellApp")).to_have_text(
        "Phone +442079460958 created in WellApp."
    )
    details = page.locator("dl.attributes")
    expect(details).to_contain_text("John Doe")
    expect(details).to_contain_text("Acme Corporation")
    expect(details).to_contain_text("Sales Team Workspace")
    expect(details).to_contain_text("Marketing Team Workspace")
    expect(details).not_to_contain_text("Engineering Team Workspace")

    phone_id = page.url.rstrip("/").rsplit("/", 1)[1]
    assert synced_directory.stats()["phones"] == phones_before + 1
    assert upstream_posts(synced_directory) == 1
    stored = synced_directory.state.get_phone(phone_id)
    assert stored is not None
    assert (stored.e164_number, stored.persons, stored.companies) == (
        "+442079460958",
        ("people1",),
        ("company_tenant",),
    )
    assert set(stored.workspaces) == {"workspace_sales", SEED_MARKETING.id}


def test_an_invalid_number_keeps_every_pick_and_sends_nothing_upstream(
    page: Page, live_server, logged_in_page, synced_directory
):
    logged_in_page("editor", "/phones/new/")
    number = page.get_by_label("Number", exact=True)
    number.focus()
    page.keyboard.type("415")
    expect(page.locator("#number-preview")).to_have_text("This number is too short.")

    people = Picker(page, "People", "people")
    people.focus()
    people.search("John Doe", first="John Doe")
    people.pick_first("John Doe")
    companies = Picker(page, "Companies", "companies")
    companies.focus()
    companies.search("Acme", first="Acme Corporation")
    companies.pick_first("Acme Corporation")
    workspaces = Picker(page, "Workspaces", "workspaces")
    workspaces.focus()
    workspaces.search("Sales", first="Sales Team Workspace")
    workspaces.pick_first("Sales Team Workspace")
    workspaces.search("Marketing", first="Marketing Team Workspace")
    workspaces.pick_first("Marketing Team Workspace")

    # Ctrl+Enter submits from the picker the keyboard is in.
    page.keyboard.press("Control+Enter")

    expect(page.locator("#number-errors")).to_have_text("This number is too short.")
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(number).to_have_attribute("aria-describedby", "number-preview number-errors")
    expect(number).to_have_value("415")
    expect(page.get_by_label("Country")).to_have_value("US")
    expect(people.chip_labels).to_have_text(["John Doe"])
    expect(companies.chip_labels).to_have_text(["Acme Corporation"])
    expect(workspaces.chip_labels).to_have_text(
        ["Sales Team Workspace", "Marketing Team Workspace"]
    )
    expect(page.locator('#people-chips input[type="hidden"]')).to_have_value("people1")
    expect(page.locator('#companies-chips input[type="hidden"]')).to_have_value("company_tenant")
    expect(page).to_have_url(f"{live_server.url}/phones/new/")
    # The agent is taken to the field to fix, which names its problem.
    expect(number).to_be_focused()
    assert upstream_posts(synced_directory) == 0

    # The re-rendered pickers still work.
    workspaces.focus()
    workspaces.search("Support", first="Support Team Workspace")
    workspaces.pick_first("Support Team Workspace")
    expect(workspaces.chips).to_have_count(3)


def test_picker_says_when_nothing_matches_and_when_to_refine(
    page: Page, live_server, logged_in_page, synced_directory
):
    logged_in_page("editor", "/phones/new/")
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)
    people = Picker(page, "People", "people")
    people.focus()
    people.search("zzqx")
    expect(people.note).to_have_text("No matches for “zzqx”")
    expect(people.note).to_be_visible()
    expect(people.status).to_have_text("No matches")
    # An empty listbox is not shown as an expanded one.
    expect(people.input).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#people-listbox [role=option]")).to_have_count(0)
    page.keyboard.press("ArrowDown")
    expect(people.input).not_to_have_attribute("aria-activedescendant", re.compile(".*"))
    # Enter with nothing highlighted neither picks nor submits the form.
    page.keyboard.press("Enter")
    expect(people.chips).to_have_count(0)

    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    people.search("a", first="Aisha")
    assert posts == []
    expect(people.note).to_have_text("More than 20 match: refine your search")
    expect(people.options).to_have_count(20)
    expect(people.status).to_have_text("20 results; refine your search to see more")

    companies = Picker(page, "Companies", "companies")
    companies.focus()
    companies.search("a", first="Acme Corporation")
    expect(companies.note).to_have_text("More than 20 match: refine your search")
    expect(companies.status).to_have_text("20 results; refine your search to see more")
    expect(people.input).to_have_attribute("aria-expanded", "false")


def test_form_has_no_serious_accessibility_violations(
    page: Page, live_server, logged_in_page, synced_directory
):
    logged_in_page("editor", "/phones/new/")
    expect(page.get_by_role("button", name="Create phone")).to_be_visible()
    fresh = serious_violations(page)
    assert not fresh, pformat(fresh)

    people = Picker(page, "People", "people")
    people.focus()
    people.search("John Doe", first="John Doe")
    people.pick_first("John Doe")
    workspaces = Picker(page, "Workspaces", "workspaces")
    workspaces.focus()
    workspaces.search("Sales", first="Sales Team Workspace")
    workspaces.pick_first("Sales Team Workspace")
    workspaces.search("Team", first="Engineering Team Workspace")
    expect(workspaces.options.first).to_have_attribute("aria-selected", "true")
    expect(workspaces.listbox).to_be_visible()
    open_listbox = serious_violations(page)
    assert not open_listbox, pformat(open_listbox)

    page.keyboard.press("Control+A")
    workspaces.search("zzqx")
    expect(workspaces.note).to_have_text("No matches for “zzqx”")
    no_matches = serious_violations(page)
    assert not no_matches, pformat(no_matches)
