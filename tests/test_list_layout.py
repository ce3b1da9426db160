"""The list's compact bar (chips for active filters, sortable headers, an honest count), the
one-line sync status with its progress bar, and the top bar's queue count."""

import html as htmllib
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from phones.models import OutboxEntry, Phone, SyncRun, Workspace
from phones.services.listing import listing_refresh
from phones.services.sync import sync_run
from tests.factories import PASSWORD, make_phone, make_workspace

pytestmark = pytest.mark.django_db

LIST_URL = reverse("phones:list")
HTMX_BROWSER = {"HX-Request": "true", "HX-Target": "phone-browser"}


def numbers_on(html: str) -> list[str]:
    return re.findall(r'data-e164="([^"]+)"', html)


def header(html: str, text: str) -> str:
    """The <th> of the column whose link text starts with ``text``."""
    match = re.search(
        r"<th scope=\"col\"[^>]*>\s*<a [^>]*>" + re.escape(text) + r".*?</th>", html, re.S
    )
    assert match, f"no sortable {text} header"
    return match.group(0)


def href(fragment: str) -> str:
    return htmllib.unescape(re.search(r'href="([^"]+)"', fragment).group(1))


def chips(html: str) -> dict[str, str]:
    """The active-filter chips: their text -> the link that removes them."""
    found = re.findall(r'<a class="chip" href="([^"]+)"[^>]*>([^<]+)<span', html)
    return {text.strip(): htmllib.unescape(link) for link, text in found}


@pytest.fixture
def phones():
    sales = make_workspace("workspace_sales", "Sales Team Workspace")
    made = [make_phone(n, label="home" if n % 2 else "work") for n in range(1, 7)]
    for phone in made[:4]:
        phone.workspaces.add(sales)
    listing_refresh(phone_ids=[p.id for p in made])
    return made


def test_sort_headers_link_to_their_sort_and_say_which_way_the_list_runs(
    phones, viewer_client: Client
):
    html = viewer_client.get(LIST_URL + "?label=home&cursor=abc").content.decode()

    created = header(html, "Created")
    assert 'aria-sort="descending"' in created
    assert "▼" in created
    assert href(created) == LIST_URL + "?label=home&sort=created"
    number = header(html, "Number")
    assert "aria-sort" not in number
    assert href(number) == LIST_URL + "?label=home&sort=number"
    assert href(header(html, "Updated")) == LIST_URL + "?label=home&sort=-updated"
    assert 'hx-target="#phone-browser"' in number and 'hx-push-url="true"' in number

    by_number = viewer_client.get(href(number)).content.decode()
    assert numbers_on(by_number) == sorted(p.e164_number for p in phones if p.label == "home")
    number = header(by_number, "Number")
    assert 'aria-sort="ascending"' in number and "▲" in number
    assert href(number) == LIST_URL + "?label=home&sort=-number"
    assert 'aria-sort="descending"' not in header(by_number, "Created")
    assert '<input type="hidden" name="sort" value="number">' in by_number


def test_active_filters_show_as_chips_and_removing_one_drops_only_that_filter(
    phones, viewer_client: Client
):
    query = "?q=&label=home&workspaces=workspace_sales&primary=no&sort=number&size=50"
    html = viewer_client.get(LIST_URL + query).content.decode()

    found = chips(html)
    assert list(found) == [
        "Workspace: Sales Team Workspace",
        "Label: Home",
        "Primary: No",
    ]
    assert found["Label: Home"] == (
        LIST_URL + "?workspaces=workspace_sales&primary=no&sort=number&size=50"
    )
    clear_all = re.search(r'<a href="([^"]+)"[^>]*data-clear-all>Clear all</a>', html)
    assert htmllib.unescape(clear_all.group(1)) == LIST_URL + "?sort=number&size=50"
    assert '<details class="more-filters" open>' in html

    without_label = viewer_client.get(found["Label: Home"]).content.decode()
    assert list(chips(without_label)) == ["Workspace: Sales Team Workspace", "Primary: No"]
    assert numbers_on(without_label) == [p.e164_number for p in phones[:4]]
    without_workspace = viewer_client.get(found["Workspace: Sales Team Workspace"])
    assert list(chips(without_workspace.content.decode())) == ["Label: Home", "Primary: No"]


def test_a_chip_removes_one_of_several_picked_workspaces(phones, viewer_client: Client):
    make_workspace("ws_support", "Support Desk")
    html = viewer_client.get(LIST_URL + "?workspaces=workspace_sales&workspaces=ws_support")
    found = chips(html.content.decode())
    assert found["Workspace: Support Desk"] == LIST_URL + "?workspaces=workspace_sales"
    assert found["Workspace: Sales Team Workspace"] == LIST_URL + "?workspaces=ws_support"


def test_a_bookmark_with_the_singular_filter_names_filters_and_links_with_the_plural_ones(
    phones, viewer_client: Client
):
    make_workspace("ws_support", "Support Desk")
    html = viewer_client.get(
        LIST_URL + "?workspace=workspace_sales&label=home&workspaces=ws_support&sort=number"
    ).content.decode()

    assert numbers_on(html) == sorted(p.e164_number for p in phones[:4] if p.label == "home")
    found = chips(html)
    assert list(found) == [
        "Workspace: Sales Team Workspace",
        "Workspace: Support Desk",
        "Label: Home",
    ]
    assert found["Label: Home"] == (
        LIST_URL + "?workspaces=workspace_sales&workspaces=ws_support&sort=number"
    )
    assert found["Workspace: Sales Team Workspace"] == (
        LIST_URL + "?workspaces=ws_support&label=home&sort=number"
    )
    assert '<input type="hidden" name="workspaces" value="workspace_sales">' in html
    assert 'name="workspace"' not in html
    export = re.search(r'<a class="export" href="([^"]+)"', html).group(1)
    assert htmllib.unescape(export) == (
        reverse("phones:export")
        + "?workspaces=workspace_sales&workspaces=ws_support&label=home&sort=number"
    )


def test_more_filters_stay_folded_while_only_the_bar_filters_are_used(
    phones, viewer_client: Client
):
    html = viewer_client.get(LIST_URL + "?label=home&size=50").content.decode()
    assert '<details class="more-filters">' in html
    assert "Clear all" in html
    assert '<a class="chip"' in html
    unfiltered = viewer_client.get(LIST_URL).content.decode()
    assert "Clear all" not in unfiltered and 'class="chip"' not in unfiltered


def test_a_chip_or_header_click_by_htmx_gets_the_filters_and_the_results(
    phones, viewer_client: Client
):
    response = viewer_client.get(LIST_URL + "?label=home", headers=HTMX_BROWSER)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="phone-browser">')
    assert '<option value="home" selected>Home</option>' in html
    assert len(numbers_on(html)) == 3
    assert "<h1>" not in html

    results = viewer_client.get(LIST_URL + "?label=home", headers={"HX-Request": "true"})
    assert results.content.decode().lstrip().startswith('<section id="phone-results"')


def test_count_is_exact_when_the_first_page_holds_every_match_and_a_floor_otherwise(
    viewer_client: Client,
):
    for n in range(1, 31):
        make_phone(n, label="home" if n <= 27 else "work")

    def count(query: str) -> str:
        html = viewer_client.get(LIST_URL + query).content.decode()
        return " ".join(re.search(r"data-count>(.*?)</p>", html, re.S).group(1).split())

    assert count("") == "30 phones in the local copy"
    assert count("?label=work") == "3 matching phones"
    assert count("?label=home") == "More than 25 matching phones"
    html = viewer_client.get(LIST_URL + "?label=home").content.decode()
    next_link = htmllib.unescape(re.search(r'<a href="([^"]+)"[^>]*rel="next"', html).group(1))
    assert count(next_link) == "2 matching phones on this page"


def test_rows_name_their_columns_for_narrow_screens(phones, viewer_client: Client):
    html = viewer_client.get(LIST_URL).content.decode()
    row = re.search(r"<tr><td.*?</tr>", html, re.S).group(0)
    labels = re.findall(r'<td[^>]*data-label="([^"]+)"', row)
    assert labels == [
        "Number",
        "Label",
        "Flags",
        "People",
        "Companies",
        "Workspaces",
        "Created",
        "Updated",
    ]


def queue(n: int, state: str) -> None:
    entry_id = uuid.uuid4()
    OutboxEntry.objects.create(
        id=entry_id,
        document={"data": {"id": str(entry_id), "attributes": {"e164_number": f"+1415555{n:04d}"}}},
        state=state,
    )


def test_top_bar_shows_how_many_creates_wait_in_the_queue(viewer_client: Client):
    queue(1, OutboxEntry.State.QUEUED)
    queue(2, OutboxEntry.State.RETRYING)
    queue(3, OutboxEntry.State.CONFIRMED)
    queue(4, OutboxEntry.State.DISCARDED)

    for url in (LIST_URL, reverse("phones:outbox")):
        html = viewer_client.get(url).content.decode()
        nav = re.search(r'<nav aria-label="Main">.*?</nav>', html, re.S).group(0)
        link = re.search(r"<a [^>]*data-queue-link[^>]*>.*?</a>", nav, re.S).group(0)
        assert href(link) == reverse("phones:outbox")
        assert re.search(r"data-queue-count>2</span>", link)
        assert re.sub(r"<[^>]+>", "", link).strip() == "Queue 2 waiting"
    queue_page = viewer_client.get(reverse("phones:outbox")).content.decode()
    assert re.search(r'href="/phones/queue/" data-queue-link aria-current="page"', queue_page)
    list_page = viewer_client.get(LIST_URL).content.decode()
    assert re.search(r'<a href="/phones/" aria-current="page">Phones</a>', list_page)
    assert "data-queue-link aria-current" not in list_page


def test_queue_link_has_no_count_when_nothing_waits(viewer_client: Client):
    queue(1, OutboxEntry.State.CONFIRMED)
    html = viewer_client.get(LIST_URL).content.decode()
    assert "data-queue-link" in html
    assert "data-queue-count" not in html


def test_queue_link_is_only_for_staff_who_may_view_phones(client: Client, django_user_model):
    user = django_user_model.objects.create_user("nora.norole", password=PASSWORD)
    client.force_login(user)
    html = client.get(reverse("login")).content.decode()
    assert "data-queue-link" not in html


def test_the_queue_count_costs_one_query_and_none_for_htmx_regions(
    phones, viewer_client: Client, django_assert_max_num_queries
):
    queue(1, OutboxEntry.State.QUEUED)
    full = viewer_client.get(LIST_URL).content.decode()
    assert full.count("data-queue-count>1<") == 1
    with django_assert_max_num_queries(20) as captured:
        viewer_client.get(LIST_URL + "?label=home", headers={"HX-Request": "true"})
    assert not any("phones_outboxentry" in q["sql"] for q in captured.captured_queries)
    # Nor the sync status: a search typed in the box reads neither.
    assert not any("phones_syncrun" in q["sql"] for q in captured.captured_queries)


def test_the_list_reads_the_last_sync_and_the_queue_count_in_one_query(
    phones, viewer_client: Client, django_assert_max_num_queries
):
    SyncRun.objects.create(
        finished_at=timezone.now(), status=SyncRun.Status.SUCCEEDED, records=12, created=12
    )
    queue(1, OutboxEntry.State.QUEUED)
    queue(2, OutboxEntry.State.RETRYING)
    queue(3, OutboxEntry.State.CONFIRMED)
    with django_assert_max_num_queries(20) as captured:
        html = viewer_client.get(LIST_URL).content.decode()
    assert "data-queue-count>2<" in html
    assert "12 records read: 12 new" in html
    status = [q["sql"] for q in captured.captured_queries if "phones_syncrun" in q["sql"]]
    outbox = [q["sql"] for q in captured.captured_queries if "phones_outboxentry" in q["sql"]]
    assert len(status) == 1 and outbox == status


def test_sync_progress_shows_a_progress_bar_against_the_total_wellapp_gave(
    viewer_client: Client,
):
    SyncRun.objects.create(phase="people", pages=3, records=700, phase_records=200, phase_total=500)

    html = viewer_client.get(reverse("phones:sync_status")).content.decode()

    assert "Syncing people: 3 pages, 700 records read" in html
    assert re.search(
        r'<progress aria-labelledby="sync-progress-label" value="200" max="500">', html
    )
    assert "200 of 500 people" in html
    assert 'id="sync-progress-label"' in html


def test_sync_progress_without_a_total_is_indeterminate_with_records_so_far(
    viewer_client: Client,
):
    SyncRun.objects.create(phase="phones", pages=1, records=40, phase_records=40)

    html = viewer_client.get(reverse("phones:sync_status")).content.decode()

    progress = re.search(r"<progress[^>]*>", html).group(0)
    assert "value=" not in progress and "max=" not in progress
    assert "40 records so far" in html


def test_sync_status_is_one_line_with_sync_now_and_full_sync_behind_a_disclosure(
    editor_client: Client,
):
    SyncRun.objects.create(status=SyncRun.Status.SUCCEEDED, records=5, created=5)
    html = editor_client.get(reverse("phones:sync_status")).content.decode()
    sync_now = html.index(">Sync now</button>")
    details = html.index('<details class="sync-more">')
    full = html.index(">Full sync</button>")
    assert sync_now < details < full
    assert 'class="primary"' not in html


def test_a_sync_records_each_phase_s_progress_against_wellapp_s_total(wellapp, db):
    seen: list[tuple[str, int, int | None]] = []
    run = SyncRun.objects.create()

    def watch(progress) -> None:
        run.refresh_from_db()
        seen.append((run.phase, run.phase_records, run.phase_total))

    sync_run(run=run, on_progress=watch)

    phones_seen = [s for s in seen if s[0] == "phones"]
    total = Phone.objects.count()
    assert phones_seen[-1] == ("phones", total, total)
    assert [s[1] for s in phones_seen] == sorted(s[1] for s in phones_seen)
    assert all(s[2] == total for s in phones_seen)
    assert seen[0][0] == "workspaces" and seen[0][2] == Workspace.objects.count()


def test_a_picked_workspace_is_read_once_for_the_filter_its_chip_and_its_picker(
    phones, viewer_client: Client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20) as captured:
        html = viewer_client.get(LIST_URL + "?workspaces=workspace_sales").content.decode()
    assert "Workspace: Sales Team Workspace" in html  # the active filter's chip
    assert re.search(r'name="workspaces" value="workspace_sales"', html)  # the picker's pick
    assert "4 matching phones" in html
    reads = [q for q in captured.captured_queries if 'FROM "phones_workspace"' in q["sql"]]
    assert len(reads) == 1
