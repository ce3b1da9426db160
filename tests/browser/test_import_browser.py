"""An editor imports twenty phones pasted from a spreadsheet: one names a person three people
share, fixed with the keyboard picker; the confirm queues them and the page follows the
creates until WellApp has every one."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from phones.models import OutboxEntry, Phone
from tests.waits import wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(120),
]

HEADER = "number\tcountry\tlabel\tprimary\tverified\tpeople\tcompanies\tworkspaces"
# Three people in the sandbox's directory are called Wei Berg; this is the second of them
# (by name, then id), the one Down reaches from the best match.
WEI_BERG_27 = "person_000027"
AMBIGUOUS_LINE = 6


def free_numbers(count: int) -> list[str]:
    """US numbers no cached phone has, written as staff type them."""
    numbers: list[str] = []
    n = 100
    while len(numbers) < count:
        if not Phone.objects.filter(e164_number=f"+1415555{n:04d}").exists():
            numbers.append(f"(415) 555-{n:04d}")
        n += 1
    return numbers


def pasted_rows(numbers: list[str]) -> str:
    """Twenty rows as a spreadsheet copies them: links by email, domain and workspace name;
    line 6 names Wei Berg."""
    rows = [HEADER]
    for n, number in enumerate(numbers):
        line = n + 2
        people = (
            "Wei Berg" if line == AMBIGUOUS_LINE else ("john.doe@example.com" if n % 3 == 0 else "")
        )
        companies = "acme.com" if n % 4 == 0 else ""
        workspace = ("Sales Team Workspace", "Support Team Workspace")[n % 2]
        rows.append(
            f"{number}\t\t{('work', 'mobile')[n % 2]}\t\t\t{people}\t{companies}\t{workspace}"
        )
    return "\n".join(rows) + "\n"


def test_paste_fix_an_ambiguous_name_with_the_picker_confirm_and_watch_every_create_arrive(
    page: Page,
    live_server,
    logged_in_page,
    synced_directory,
    settings,
    worker: Callable[[], None],
):
    # All twenty creates are due at once (the production pace spreads them over seconds).
    settings.WELL_IMPORT_SENDS_PER_SECOND = 1000
    numbers = free_numbers(20)
    logged_in_page("editor", "/phones/import/")

    page.get_by_label("Paste the rows").fill(pasted_rows(numbers))
    page.get_by_role("button", name="Check the rows").click()
    expect(page).to_have_url(
        re.compile(rf"^{re.escape(live_server.url)}/phones/import/[0-9a-f-]{{36}}/$")
    )
    summary = page.locator("#import-summary")
    expect(summary).to_contain_text("19 will be created")
    expect(summary).to_contain_text("1 needs attention")
    row = page.locator(f"#line-{AMBIGUOUS_LINE}")
    expect(row).to_contain_text("3 people match “Wei Berg”; choose one.")

    # Fix: the keyboard lands in the picker for the name, which offers the three of them.
    row.get_by_role("link", name=f"Fix line {AMBIGUOUS_LINE}").click()
    picker = page.get_by_role("combobox", name="Person for “Wei Berg”")
    expect(picker).to_be_focused()
    expect(picker).to_have_value("Wei Berg")
    listbox = page.get_by_role("listbox", name="Person for “Wei Berg”")
    options = listbox.get_by_role("option")
    expect(options).to_have_count(3)
    # Typed text gets its best match highlighted; Down moves to the next, Enter picks it.
    page.keyboard.press("Control+A")
    page.keyboard.type("wei berg")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(options).to_have_count(3)
    expect(options.nth(1)).to_contain_text("wei.berg.27@example.net")
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    chips = page.get_by_role("list", name="Selected person for “wei berg”").get_by_role("listitem")
    expect(chips).to_have_count(1)
    expect(chips).to_contain_text("Wei Berg")
    page.get_by_role("button", name="Save and check").click()

    # The row is checked again and swapped in place; the summary follows.
    expect(row.get_by_text("Ready", exact=True)).to_be_visible()
    expect(row).to_contain_text("Wei Berg")
    expect(summary).to_contain_text("20 will be created")
    expect(row.get_by_role("link", name=f"Edit line {AMBIGUOUS_LINE}")).to_be_focused()

    page.get_by_role("button", name="Create 20 phones").click()
    progress = page.locator("#import-progress")
    expect(progress).to_contain_text("0 of 20 finished")
    expect(page.locator("#import-rows")).to_contain_text("Queued")
    assert Phone.objects.filter(e164_number__in=[f"+1415555{n[-4:]}" for n in numbers]).count() == 0

    def delivered() -> bool:
        worker()
        return not OutboxEntry.objects.filter(state__in=OutboxEntry.OPEN_STATES).exists()

    wait_until(delivered, timeout=60, what="the worker to deliver every queued create")

    # The page, polling every 2 s, reaches done and stops asking.
    expect(progress).to_contain_text("20 of 20 finished", timeout=15_000)
    expect(progress.get_by_role("heading", name="Done")).to_be_visible()
    expect(progress.locator("progress")).to_have_attribute("value", "20")
    expect(progress).not_to_have_attribute("hx-trigger", re.compile(".*"))
    outcomes = page.locator("#import-rows .check")
    expect(outcomes.filter(has_text="Created")).to_have_count(20)
    expect(page.locator("#import-rows button[data-copy]")).to_have_count(20)

    created = Phone.objects.get(e164_number=f"+1415555{numbers[AMBIGUOUS_LINE - 2][-4:]}")
    assert list(created.people.values_list("id", flat=True)) == [WEI_BERG_27]
    assert (
        Phone.objects.filter(e164_number__in=[f"+1415555{n[-4:]}" for n in numbers]).count() == 20
    )
