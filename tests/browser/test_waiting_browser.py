"""While WellApp is slow the agent sees the portal waiting: the button is unavailable, the
form is busy and a status line counts the seconds; when the answer comes the form is back.
And the number preview offers the country a number is valid in."""

import json
import re
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from playwright.sync_api import Page, Route, expect

from phones.forms import PhoneCreateForm
from phones.models import OutboxEntry, Phone
from phones.services.outbox import phone_queue
from phones.services.sync import sync_run
from phones.upstream.shared import upstream_client
from tests.factories import create_form_data, make_person

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(90),
]


def waiting(seconds: int) -> re.Pattern:
    return re.compile(rf"^Waiting for WellApp… {seconds} s \(up to 15 s\)$")


@pytest.fixture
def slow_creates(seed_directory, settings):
    """WellApp takes 2.5 s to answer each create; the portal waits up to 15 s for it."""
    settings.WELL_API_TIMEOUT = 10.0
    settings.WELL_CREATE_BUDGET = 15.0
    upstream_client.cache_clear()
    seed_directory.add_fault("latency", seconds=2.5, method="POST", path="/v1/phones")
    return seed_directory


def pick(page: Page, label: str, typed: str, option: str) -> None:
    picker = page.get_by_role("combobox", name=label, exact=True)
    picker.focus()
    page.keyboard.type(typed)
    listbox = page.get_by_role("listbox", name=label, exact=True)
    expect(listbox.get_by_role("option").first).to_contain_text(option)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    chips = page.get_by_role("list", name=f"Selected {label.lower()}")
    expect(chips.get_by_role("listitem").filter(has_text=option)).to_have_count(1)


def test_create_shows_it_is_waiting_for_wellapp_and_counts_the_seconds(
    page: Page, live_server, logged_in_page, slow_creates
):
    make_person("ghost", "Gus Ghost", "gus@example.com")
    logged_in_page("editor", "/phones/new/")
    page.get_by_label("Number", exact=True).fill("415 555 0134")
    pick(page, "People", "Gus", "Gus Ghost")

    form = page.locator("#phone-form")
    button = page.get_by_role("button", name="Create phone")
    status = form.get_by_role("status").filter(has_text="Waiting for WellApp")
    expect(status).to_have_count(0)
    button.click()

    expect(form).to_have_attribute("aria-busy", "true")
    expect(button).to_be_disabled()
    expect(button).to_have_attribute("aria-disabled", "true")
    expect(status).to_have_text(waiting(0))
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text(waiting(1))
    expect(status).to_have_text(waiting(2))

    # WellApp does not know Gus Ghost: the form comes back with the error, ready again.
    people_errors = page.locator("#people-errors")
    expect(people_errors).to_contain_text("WellApp rejected the phone")
    expect(form).not_to_have_attribute("aria-busy", re.compile(".*"))
    expect(button).to_be_enabled()
    expect(button).not_to_have_attribute("aria-disabled", re.compile(".*"))
    expect(status).to_have_count(0)
    expect(page.get_by_text(re.compile("Waiting for WellApp"))).to_have_count(0)

    # Without Gus the second try is created, after the same wait.
    people = page.get_by_role("combobox", name="People", exact=True)
    people.focus()
    page.keyboard.press("Backspace")
    expect(page.get_by_role("list", name="Selected people").get_by_role("listitem")).to_have_count(
        0
    )
    button.click()
    expect(form).to_have_attribute("aria-busy", "true")
    expect(button).to_be_disabled()
    expect(status).to_have_text(waiting(1))
    expect(page).to_have_url(re.compile(rf"{re.escape(live_server.url)}/phones/[0-9a-f-]{{36}}/$"))
    expect(page.get_by_role("status").filter(has_text="created in WellApp")).to_have_text(
        "Phone +14155550134 created in WellApp."
    )
    expect(page.get_by_text(re.compile("Waiting for WellApp"))).to_have_count(0)
    assert slow_creates.stats()["counts"]["POST /v1/phones"] == 2


def test_preview_offers_the_country_a_number_is_valid_in(page: Page, live_server, logged_in_page):
    logged_in_page("editor", "/phones/new/")
    country = page.get_by_label("Country")
    country.select_option("FR")
    number = page.get_by_label("Number", exact=True)
    number.focus()
    page.keyboard.type("(415) 555-2671")
    preview = page.locator("#number-preview")
    expect(preview).to_contain_text(
        "Not valid for France; it is a valid number in the United States: +1 415-555-2671."
    )
    switch = preview.get_by_role("button", name="Switch Country to the United States")
    switch.click()

    expect(country).to_have_value("US")
    expect(preview.locator('[data-preview="e164"]')).to_have_text("+14155552671")
    expect(preview).to_contain_text("Valid number for US")
    expect(switch).to_have_count(0)
    expect(number).to_be_focused()
    expect(number).to_have_value("(415) 555-2671")


def queued_phone(editor) -> OutboxEntry:
    data = create_form_data(
        national_number="(415) 555-0177",
        is_primary=None,
        is_verified=None,
        people=None,
        companies=None,
        workspaces=None,
    )
    form = PhoneCreateForm(QueryDict(urlencode(data, doseq=True)))
    assert form.is_valid(), form.errors
    return phone_queue(actor=editor, draft=form.draft(), form_data=data)


# Reports, on the console, what a form shows each time its status line changes, and once
# the status says 1 s submits the form again (as a second Enter would). While a navigation
# is pending Playwright's locators wait for it to end, so the page reports instead.
WATCH_FORM = """action => {
  const form = document.querySelector(`form[action="${action}"]`);
  const button = form.querySelector("button[type=submit]");
  let again = false;
  new MutationObserver(() => {
    const status = form.querySelector("[role=status]");
    if (!status || !status.textContent) return;
    console.log("form:" + JSON.stringify({
      busy: form.getAttribute("aria-busy"),
      disabled: button.disabled,
      ariaDisabled: button.getAttribute("aria-disabled"),
      live: status.getAttribute("aria-live"),
      status: status.textContent,
    }));
    if (!again && status.textContent.endsWith(" 1 s")) {
      again = true;
      form.requestSubmit();
    }
  }).observe(form, {subtree: true, childList: true, characterData: true});
}"""


def test_plain_form_stays_busy_until_the_next_page_and_ignores_a_second_submit(
    page: Page, live_server, editor, logged_in_page
):
    entry = queued_phone(editor)
    action = f"/phones/queue/{entry.pk}/retry/"
    logged_in_page("editor", "/phones/queue/")
    held: list[Route] = []
    page.route(f"**{action}", lambda route: held.append(route))
    reports: list[dict] = []
    page.on(
        "console",
        lambda m: reports.append(json.loads(m.text[5:])) if m.text.startswith("form:") else None,
    )
    page.evaluate(WATCH_FORM, action)

    # The answer is held back: the click starts a navigation that does not end meanwhile.
    with page.expect_console_message(lambda m: m.text.endswith(' 2 s"}')):
        page.get_by_role("button", name="Retry now +14155550177").click(no_wait_after=True)
    assert [r["status"] for r in reports] == [
        "Waiting for WellApp… 0 s",
        "Waiting for WellApp… 1 s",
        "Waiting for WellApp… 2 s",
    ]
    assert {(r["busy"], r["ariaDisabled"], r["live"]) for r in reports} == {
        ("true", "true", "polite")
    }
    assert reports[-1]["disabled"] is True
    # The second submit, made at 1 s, sent nothing.
    assert len(held) == 1

    held[0].continue_()
    expect(page.get_by_role("status").filter(has_text="will be sent again")).to_have_text(
        "+14155550177 will be sent again in a moment."
    )
    expect(page.get_by_role("button", name="Retry now +14155550177")).to_be_enabled()
    expect(page.get_by_text(re.compile("Waiting for WellApp"))).to_have_count(0)
    assert len(held) == 1


def test_refresh_waits_for_wellapp_then_shows_the_outcome(
    page: Page, live_server, logged_in_page, wellapp, settings
):
    settings.WELL_API_TIMEOUT = 10.0
    upstream_client.cache_clear()
    sync_run()
    phone = Phone.objects.order_by("e164_number").first()
    logged_in_page("editor", f"/phones/{phone.id}/")
    wellapp.touch_phone(str(phone.id), label="home")
    wellapp.add_fault("latency", seconds=2.5, method="GET", path=f"/v1/phones/{phone.id}")
    form = page.locator("form.refresh")
    button = form.get_by_role("button", name="Refresh from WellApp")
    status = form.get_by_role("status")

    button.click()
    expect(form).to_have_attribute("aria-busy", "true")
    expect(button).to_be_disabled()
    expect(status).to_have_text("Waiting for WellApp… 1 s")
    expect(page.get_by_role("status").filter(has_text="Refreshed from WellApp")).to_have_text(
        "Refreshed from WellApp: the copy here is now updated."
    )
    expect(page.get_by_role("button", name="Refresh from WellApp")).to_be_enabled()
    expect(page.get_by_text(re.compile("Waiting for WellApp"))).to_have_count(0)
