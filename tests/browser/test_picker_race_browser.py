"""A picker never links a record from the answer to an earlier text: the network answer for
what is now in the box is held back (Playwright routing) while the agent presses Down and Enter
as fast as they type, in the new-phone form and in the list's filters."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.helpers import Picker
from tests.waits import wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(90),
]

# What a picker says when Enter is pressed while the answer for its text is on its way.
HELD_ENTER = "Searching…"
REQUEST_CLASS = re.compile(r"\bhtmx-request\b")  # on the input while its answer is awaited


class HeldAnswers:
    """Holds back the picker answers for one text until released."""

    def __init__(self, page: Page, kind: str, text: str) -> None:
        self.page = page
        self.kind = kind
        self.text = text
        self.routes: list[Route] = []
        page.route(self._matches, lambda route: self.routes.append(route))

    def _matches(self, url: str) -> bool:
        parts = urlsplit(url)
        query = parse_qs(parts.query, keep_blank_values=True).get("q")
        return parts.path == f"/phones/pickers/{self.kind}/" and query == [self.text]

    def wait_held(self) -> None:
        """Waits until the request for the text is held here. Each look asks the page a
        question, which lets Playwright hand over a request it has intercepted."""
        wait_until(
            lambda: self.page.evaluate("true") and self.routes,
            timeout=10,
            what=f"a picker request for {self.text!r}",
        )

    def release(self) -> None:
        for route in self.routes:
            route.continue_()
        self.page.unroute(self._matches)


def no_option_active(picker: Picker) -> None:
    expect(picker.listbox.locator('[aria-selected="true"]')).to_have_count(0)
    expect(picker.input).not_to_have_attribute("aria-activedescendant", re.compile(".*"))


def test_down_enter_before_the_answer_never_picks_from_the_earlier_one(
    page: Page, live_server, logged_in_page, synced_directory
):
    logged_in_page("editor", "/phones/new/")
    workspaces = Picker(page, "Workspaces", "workspaces")
    workspaces.focus()
    workspaces.search("sales", first="Sales Team Workspace")
    expect(workspaces.options.first).to_have_attribute("aria-selected", "true")

    held = HeldAnswers(page, "workspaces", "sales marketing")
    page.keyboard.type(" marketing")
    # The "sales" options are stale at once: nothing active, Down cannot make one active.
    no_option_active(workspaces)
    held.wait_held()
    page.keyboard.press("ArrowDown")
    no_option_active(workspaces)
    page.keyboard.press("Enter")
    expect(workspaces.status).to_have_text(HELD_ENTER)  # Enter waits for the answer
    expect(workspaces.chips).to_have_count(0)
    expect(workspaces.input).to_have_value("sales marketing")

    # The answer for the text in the box has no match: Enter picked nothing, ever.
    held.release()
    expect(workspaces.note).to_have_text("No matches for “sales marketing”")
    expect(workspaces.chips).to_have_count(0)

    # The same race with a text that has a match: the held Enter picks from its own answer.
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    workspaces.search("sales", first="Sales Team Workspace")
    held = HeldAnswers(page, "workspaces", "marketing")
    page.keyboard.press("Control+A")
    page.keyboard.type("marketing")
    held.wait_held()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(workspaces.status).to_have_text(HELD_ENTER)  # Enter waits for the answer
    expect(workspaces.chips).to_have_count(0)
    held.release()
    expect(workspaces.chip_labels).to_have_text(["Marketing Team Workspace"])
    expect(workspaces.status).to_have_text("Added Marketing Team Workspace")


def test_a_fast_name_never_links_the_first_person_of_the_unfiltered_list(
    page: Page, live_server, logged_in_page, synced_directory
):
    logged_in_page("editor", "/phones/new/")
    people = Picker(page, "People", "people")
    held = HeldAnswers(page, "people", "john doe")
    people.focus()
    # Focus shows the unfiltered list; none of it is active.
    expect(people.options.first).to_be_visible()
    no_option_active(people)
    page.keyboard.type("john doe")
    held.wait_held()
    page.keyboard.press("Enter")
    # The agent moves on before the answer: the pick completes without taking focus back.
    page.keyboard.press("Tab")
    companies = Picker(page, "Companies", "companies")
    expect(companies.input).to_be_focused()
    expect(people.chips).to_have_count(0)
    held.release()
    expect(people.chip_labels).to_have_text(["John Doe"])
    expect(companies.input).to_be_focused()


def test_an_answer_to_another_text_is_dropped(
    page: Page, live_server, logged_in_page, synced_directory
):
    """An answer that arrives for a text no longer in the box (out of order) is never shown."""
    logged_in_page("editor", "/phones/new/")
    companies = Picker(page, "Companies", "companies")
    companies.focus()
    companies.search("Acme", first="Acme Corporation")

    def answer_with_the_earlier_text(route: Route) -> None:
        earlier = route.request.url.replace("q=Globex", "q=Acme")
        route.fulfill(response=route.fetch(url=earlier))

    page.route(re.compile(r"/phones/pickers/companies/.*q=Globex"), answer_with_the_earlier_text)
    with page.expect_response(re.compile(r"q=Globex")):
        page.keyboard.press("Control+A")
        page.keyboard.type("Globex")
    expect(companies.input).not_to_have_class(REQUEST_CLASS)  # the answer was handled
    no_option_active(companies)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    # The dropped answer leaves the text unanswered: Enter waits for an answer to it.
    expect(companies.status).to_have_text(HELD_ENTER)
    no_option_active(companies)
    expect(companies.chips).to_have_count(0)
    expect(companies.input).to_have_value("Globex")


def test_list_filter_picker_never_filters_by_the_earlier_answer(
    page: Page,
    live_server,
    logged_in_page,
    sales_and_support_phones,
):
    logged_in_page("viewer")
    workspaces = Picker(page, "Workspaces", "workspaces")
    workspaces.focus()
    workspaces.search("Sales", first="Sales Team Workspace")
    held = HeldAnswers(page, "workspaces", "Support")
    page.keyboard.press("Control+A")
    page.keyboard.type("Support")
    held.wait_held()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(workspaces.status).to_have_text(HELD_ENTER)  # Enter waits for the answer
    expect(workspaces.chips).to_have_count(0)
    expect(page).not_to_have_url(re.compile(r"workspaces="))
    held.release()
    expect(workspaces.chip_labels).to_have_text(["Support Desk"])
    expect(page).to_have_url(re.compile(r"workspaces=ws_support"))
    expect(page.locator("#phone-results a[data-e164]")).to_have_count(5)
