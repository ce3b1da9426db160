"""What browser tests share: logging in through the login form, the directory pickers as
assistive technology finds them, counting the creates sent to WellApp, and axe-core's
findings."""

import re
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Response, expect

from sandbox.server import Sandbox
from tests.factories import PASSWORD


def log_in(page: Page, base_url: str, username: str, path: str = "/phones/") -> None:
    """Logs ``page`` out of any session, opens ``path``, is sent to the login form, logs in
    there with the keyboard alone as ``username`` and lands back on ``path``."""
    page.context.clear_cookies()
    page.goto(f"{base_url}{path}")
    expect(page).to_have_url(f"{base_url}/accounts/login/?next={quote(path, safe='/')}")
    page.get_by_label("Username").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}{path}")
    # The URL changes when the page starts to arrive; its scripts (htmx, the pickers) listen
    # only once it has loaded, and a key typed before then would go unanswered.
    page.wait_for_load_state("load")


def upstream_posts(wellapp: Sandbox) -> int:
    """How many creates WellApp (the sandbox) has been sent."""
    return wellapp.stats()["counts"].get("POST /v1/phones", 0)


class Picker:
    """The parts of one picker, found the way assistive technology finds them."""

    def __init__(self, page: Page, label: str, name: str) -> None:
        self.page = page
        self.input = page.get_by_role("combobox", name=label, exact=True)
        self.listbox = page.get_by_role("listbox", name=label, exact=True)
        self.options = self.listbox.get_by_role("option")
        self.chips = page.get_by_role("list", name=f"Selected {label.lower()}").get_by_role(
            "listitem"
        )
        self.chip_labels = self.chips.locator(".chip-label")
        self.status = page.locator(f"#{name}-status")
        self.note = page.locator(f"#{name}-note")

    def focus(self) -> None:
        self.input.focus()
        expect(self.input).to_be_focused()

    def search(self, text: str, *, value: str | None = None, first: str | None = None) -> None:
        """Type into the input and wait until the answer for the whole typed value (not an
        earlier, slower one) is in the listbox."""
        value = text if value is None else value

        def answers_this_query(response: Response) -> bool:
            url = urlsplit(response.url)
            return url.path.startswith("/phones/pickers/") and parse_qs(
                url.query, keep_blank_values=True
            ).get("q") == [value]

        with self.page.expect_response(answers_this_query):
            self.page.keyboard.type(text)
        expect(self.input).to_have_value(value)
        expect(self.input).not_to_have_class(re.compile(r"\bhtmx-request\b"))
        if first is not None:
            expect(self.options.first).to_contain_text(first)

    def pick_first(self, label: str) -> None:
        """The answer arrives with its first option active; Enter turns it into a chip."""
        first = self.options.first
        expect(first).to_have_attribute("aria-selected", "true")
        expect(self.input).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
        expect(first).to_contain_text(label)
        self.page.keyboard.press("Enter")
        expect(self.chips.filter(has_text=label)).to_have_count(1)
        expect(self.status).to_have_text(f"Added {label}")
        expect(self.input).to_have_value("")
        expect(self.input).to_have_attribute("aria-expanded", "false")
        expect(self.input).not_to_have_attribute("aria-activedescendant", re.compile(".*"))
        expect(self.listbox).to_be_hidden()
        expect(self.input).to_be_focused()


def serious_violations(page: Page, rules: tuple[str, ...] = ()) -> list[dict]:
    """axe-core's serious and critical findings on the page as it is now (only ``rules``
    when given)."""
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": list(rules)}
    results = Axe().run(page, options=options)
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["html"][:200] for n in v["nodes"]][:5],
        }
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def settled(page: Page) -> None:
    """Waits until htmx has finished every request and swap on the page. htmx wires up
    swapped-in content as it settles (a moment after the new HTML is visible); a change made
    before then would go unanswered."""
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)
