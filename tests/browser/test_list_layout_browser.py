"""The list on the first screen at 1280x800, no sideways scroll at 390x844, and the sort
headers and filter chips driven the way staff use them."""

import re

import pytest
from playwright.sync_api import Page, expect

from phones.models import OutboxEntry
from phones.services.listing import listing_refresh
from tests.browser.helpers import settled
from tests.factories import make_company, make_person, make_phone, make_workspace

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(90),
]

LONG_EMAIL = "maximiliane.von-hohenzollern-sigmaringen.customer-success@" + "x" * 40 + ".example"


@pytest.fixture
def long_name_phones():
    """Forty phones, some with long names, in two workspaces; one create waits in the queue."""
    sales = make_workspace("workspace_sales", "Sales Team Workspace", "fygr_123")
    support = make_workspace("ws_support_" + "9" * 60, "Support Desk of the Northern Regions")
    person = make_person(
        "people_" + "7" * 70, "Maximiliane von Hohenzollern-Sigmaringen", LONG_EMAIL
    )
    company = make_company("company_long", "Hohenzollern Customer Success Holdings International")
    phones = []
    for n in range(1, 41):
        phone = make_phone(n, label="mobile" if n % 3 else "home", is_primary=n % 4 == 1)
        phone.workspaces.add(sales if n % 2 else support)
        if n % 5 == 0:
            phone.people.add(person)
            phone.companies.add(company)
        phones.append(phone)
    listing_refresh(phone_ids=[p.id for p in phones])
    OutboxEntry.objects.create(
        id=phones[0].id.__class__(int=999, version=4),
        document={"data": {"attributes": {"e164_number": "+14155559999"}}},
        state=OutboxEntry.State.RETRYING,
        last_error="WellApp answered 503 " + "x" * 80,
        last_trace_id="trace-" + "f" * 64,
    )
    return phones


def no_sideways_scroll(page: Page) -> tuple[int, int]:
    return page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")


def test_first_rows_are_on_the_first_screen_at_1280(
    page: Page, live_server, logged_in_page, long_name_phones
):
    page.set_viewport_size({"width": 1280, "height": 800})
    logged_in_page("editor")
    page.goto(f"{live_server.url}/phones/?workspaces=workspace_sales&primary=yes")

    rows = page.locator("#phone-results tbody tr")
    expect(rows.first).to_be_visible()
    assert page.evaluate("window.scrollY") == 0
    assert rows.first.bounding_box()["y"] + rows.first.bounding_box()["height"] < 800


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_nothing_scrolls_sideways_at_390(
    page: Page, live_server, logged_in_page, long_name_phones, scheme
):
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": 390, "height": 844})
    logged_in_page("editor")
    person_phone = next(p for p in long_name_phones if p.people.exists())
    for path in (
        "/phones/",
        "/phones/?workspaces=workspace_sales&label=mobile&primary=yes",
        f"/phones/{person_phone.id}/",
        "/phones/queue/",
        "/phones/new/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("main h1")).to_be_visible()
        scroll_width, inner_width = no_sideways_scroll(page)
        assert scroll_width <= inner_width, f"{path} scrolls sideways: {scroll_width}"
    page.goto(f"{live_server.url}/phones/")
    first = page.locator("#phone-results tbody tr").first
    number_cell = first.locator("td").first
    label = number_cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Number"'


def test_sort_headers_sort_by_htmx_push_the_url_and_say_the_direction(
    page: Page, live_server, logged_in_page, long_name_phones
):
    logged_in_page("viewer")
    page.goto(f"{live_server.url}/phones/?label=mobile")
    created = page.get_by_role("columnheader", name=re.compile("^Created"))
    expect(created).to_have_attribute("aria-sort", "descending")

    page.get_by_role("link", name=re.compile("^Number")).click()
    expect(page).to_have_url(re.compile(r"\?label=mobile&sort=number$"))
    number = page.get_by_role("columnheader", name=re.compile("^Number"))
    expect(number).to_have_attribute("aria-sort", "ascending")
    expect(created).not_to_have_attribute("aria-sort", re.compile(".*"))
    shown = page.locator("#phone-results a[data-e164]").evaluate_all(
        "links => links.map(a => a.dataset.e164)"
    )
    assert shown == sorted(shown) and len(shown) == 25
    expect(page.get_by_role("link", name=re.compile("^Number"))).to_be_focused()

    page.get_by_role("link", name=re.compile("^Number")).click()
    expect(page).to_have_url(re.compile(r"sort=-number$"))
    expect(number).to_have_attribute("aria-sort", "descending")
    settled(page)

    # A filter changed afterwards keeps the sort.
    page.get_by_label("Label", exact=True).select_option("home")
    expect(page).to_have_url(re.compile(r"label=home.*sort=-number|sort=-number.*label=home"))
    expect(number).to_have_attribute("aria-sort", "descending")


def test_removing_a_chip_drops_that_filter_from_the_list_and_the_form(
    page: Page, live_server, logged_in_page, long_name_phones
):
    logged_in_page("viewer")
    page.goto(f"{live_server.url}/phones/?workspaces=workspace_sales&label=mobile&primary=no")
    more = page.locator("details.more-filters")
    expect(more).to_have_attribute("open", "")
    chips = page.get_by_role("list", name="Active filters").get_by_role("link")
    expect(chips).to_have_text(
        [
            re.compile("Workspace: Sales Team Workspace"),
            re.compile("Label: Mobile"),
            re.compile("Primary: No"),
        ]
    )

    page.get_by_role("link", name="Remove filter Label: Mobile").click()
    expect(chips).to_have_count(2)
    expect(page).to_have_url(re.compile(r"\?workspaces=workspace_sales&primary=no$"))
    expect(page.get_by_label("Label", exact=True)).to_have_value("")
    expect(page.get_by_label("Primary", exact=True)).to_have_value("no")

    page.get_by_role("link", name="Remove filter Primary: No").click()
    expect(chips).to_have_count(1)
    expect(more).not_to_have_attribute("open", "")
    expect(page.get_by_label("Primary", exact=True)).to_have_value("")

    page.get_by_role("link", name="Clear all").click()
    expect(page).to_have_url(f"{live_server.url}/phones/")
    expect(page.get_by_role("list", name="Active filters")).to_have_count(0)
    expect(page.locator("#phone-results")).to_contain_text("40 phones in the local copy")
    expect(
        page.get_by_role("list", name="Selected workspaces").get_by_role("listitem")
    ).to_have_count(0)


def test_top_bar_queue_link_counts_waiting_creates_and_marks_the_current_page(
    page: Page, live_server, logged_in_page, long_name_phones
):
    page.set_viewport_size({"width": 390, "height": 844})
    logged_in_page("viewer")
    page.goto(f"{live_server.url}/phones/")
    nav = page.get_by_role("navigation", name="Main")
    queue = nav.get_by_role("link", name="Queue 1 waiting")
    expect(queue).to_be_visible()
    expect(nav.get_by_role("link", name="Phones")).to_have_attribute("aria-current", "page")
    queue.click()
    expect(page).to_have_url(f"{live_server.url}/phones/queue/")
    expect(nav.get_by_role("link", name="Queue 1 waiting")).to_have_attribute(
        "aria-current", "page"
    )
    assert page.get_by_role("banner").bounding_box()["width"] <= 390
