"""The import screens as staff use them: paste rows or upload a CSV, read the preview, fix
or exclude rows, confirm, and follow the creates."""

import re
import time
import uuid
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from phones.middleware import SESSION_REFRESH_SECONDS, SESSION_REFRESHED_AT_KEY
from phones.models import OutboxEntry, PhoneImport, PhoneImportRow, Workspace
from phones.selectors import imports as selectors_imports
from phones.selectors.import_preview import preview_rows
from phones.services import imports as services_imports
from tests.factories import make_person, make_phone, make_workspace

pytestmark = pytest.mark.django_db

HEADER = "number\tcountry\tlabel\tprimary\tverified\tpeople\tcompanies\tworkspaces"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def namesake_records(db) -> None:
    """Two workspaces with the same name, one with a name of its own, and a person."""
    make_workspace("ws_sales_eu", "Sales", "sales_eu")
    make_workspace("ws_sales_us", "Sales", "sales_us")
    make_workspace("ws_support", "Support", "support_1")
    make_person("p_ada", "Ada Lovelace", "ada@example.com")


def paste(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def post_paste(client: Client, text: str, country: str = "US"):
    return client.post(reverse("phones:import_new"), {"text": text, "country": country})


def imported(client: Client, text: str) -> PhoneImport:
    response = post_paste(client, text)
    assert response.status_code == 302, response.content.decode()[:2000]
    return PhoneImport.objects.get()


def cells_of(phone_import: PhoneImport, line: int) -> dict[str, str]:
    return dict(phone_import.rows.get(line=line).cells)


def detail(phone_import: PhoneImport) -> str:
    return reverse("phones:import_detail", args=[phone_import.id])


def row_url(phone_import: PhoneImport, line: int) -> str:
    return reverse("phones:import_row", args=[phone_import.id, line])


def summary_counts(html: str) -> list[str]:
    """The summary's sentences, as they read."""
    block = re.search(r'<section id="import-summary".*?</ul>', html, re.S)
    assert block is not None, html[:3000]
    items = re.findall(r"<li[^>]*>(.*?)</li>", block.group(0), re.S)
    return [re.sub(r"<[^>]+>|\s+", " ", item).strip().replace("  ", " ") for item in items]


def test_viewer_is_refused_every_import_screen(viewer_client: Client, editor: object):
    phone_import = PhoneImport.objects.create(sha256="0" * 64, default_region="US")
    urls = [
        ("get", reverse("phones:import_new")),
        ("post", reverse("phones:import_new")),
        ("get", reverse("phones:import_template")),
        ("get", detail(phone_import)),
        ("get", row_url(phone_import, 2)),
        ("post", row_url(phone_import, 2)),
        ("post", reverse("phones:import_confirm", args=[phone_import.id])),
        ("get", reverse("phones:import_progress", args=[phone_import.id])),
    ]
    for method, url in urls:
        assert getattr(viewer_client, method)(url).status_code == 403, url
    assert PhoneImport.objects.get().state == PhoneImport.State.PREVIEW


def test_import_is_in_the_top_bar_for_editors_only(editor_client: Client, viewer_client: Client):
    link = f'href="{reverse("phones:import_new")}"'
    assert link in editor_client.get(reverse("phones:list")).content.decode()
    assert link not in viewer_client.get(reverse("phones:list")).content.decode()


def test_pasted_rows_open_their_preview_with_summary_and_one_line_per_row(
    editor_client: Client, namesake_records
):
    text = paste(
        "+1 415 555 0101\t\twork\tyes\tno\tada@example.com\t\tSupport",
        "(415) 555-0102\t\tmobile\t\t\t\t\tSales",
        "12\t\t\t\t\t\t\t",
        "+1 415 555 0101\t\t\t\t\t\t\t",
    )
    response = post_paste(editor_client, text)
    phone_import = PhoneImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(phone_import)
    assert phone_import.file_name == ""
    assert phone_import.row_count == 4

    html = editor_client.get(detail(phone_import)).content.decode()
    assert summary_counts(html) == [
        "1 will be created",
        "2 need attention",
        "1 duplicate",
        "0 excluded",
    ]
    assert ">Create 1 phone</button>" in html
    assert html.count('class="import-row ') == 4
    first = re.search(r'<tr id="line-2".*?</tr>', html, re.S)
    assert first is not None
    row = first.group(0)
    assert "+1 415-555-0101" in row and "+14155550101" in row
    assert '<span class="badge ok">Ready</span>' in row
    assert "Ada Lovelace" in row and "Support" in row
    assert '<span class="badge info">Primary</span>' in row
    ambiguous = re.search(r'<tr id="line-3".*?</tr>', html, re.S)
    assert ambiguous is not None
    assert "“Sales” matches 2" in ambiguous.group(0)
    assert "sales_eu" in ambiguous.group(0) and "sales_us" in ambiguous.group(0)
    duplicate = re.search(r'<tr id="line-5".*?</tr>', html, re.S)
    assert duplicate is not None
    assert "Duplicate" in duplicate.group(0) and "Same number as line 2" in duplicate.group(0)


def test_a_utf16_csv_file_opens_its_preview(editor_client: Client, namesake_records):
    content = "number,label,workspaces\r\n+44 20 7946 0958,home,Support\r\n"
    # As Excel saves "Unicode text": UTF-16 with its byte-order mark.
    upload = SimpleUploadedFile("phones.csv", content.encode("utf-16"), "text/csv")
    response = editor_client.post(
        reverse("phones:import_new"), {"text": "", "file": upload, "country": "US"}
    )
    phone_import = PhoneImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(phone_import)
    assert phone_import.file_name == "phones.csv"
    html = editor_client.get(detail(phone_import)).content.decode()
    assert 'Import of <span class="file-name">phones.csv</span>' in html
    assert "+44 20 7946 0958" in html
    assert summary_counts(html)[0] == "1 will be created"


def test_unreadable_paste_names_the_line_and_keeps_the_text(editor_client: Client):
    text = 'number,label\n+14155550101,work\n"+14155550102,work\n'
    response = post_paste(editor_client, text)
    html = response.content.decode()
    assert response.status_code == 200
    assert not PhoneImport.objects.exists()
    error = re.search(r'<span class="field-error" id="text-errors">(.*?)</span>', html, re.S)
    assert error is not None
    assert "line 3" in error.group(1)
    # The textarea holds exactly what was pasted (the newline after the tag is the parser's).
    kept = re.search(
        r'<textarea name="text"[^>]*aria-invalid="true" autofocus>\n(.*?)</textarea>', html, re.S
    )
    assert kept is not None
    assert unescape(kept.group(1)) == text


def test_unreadable_paste_over_htmx_answers_the_form_alone(editor_client: Client):
    response = editor_client.post(
        reverse("phones:import_new"), {"text": "label\nwork\n", "country": "US"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<form id="import-form"')
    assert "no “number” column" in html


def test_the_template_csv_downloads_with_every_column(editor_client: Client):
    response = editor_client.get(reverse("phones:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header = response.content.decode().splitlines()[0]
    assert header.replace('"', "").split(",") == [
        "number",
        "country",
        "label",
        "primary",
        "verified",
        "people",
        "companies",
        "workspaces",
    ]


def test_row_fix_with_a_pick_swaps_the_row_and_the_summary(editor_client: Client, namesake_records):
    phone_import = imported(editor_client, paste("(415) 555-0102\t\tmobile\t\t\t\t\tSales"))
    form = editor_client.get(row_url(phone_import, 2), **HTMX).content.decode()
    assert form.lstrip().startswith('<tr id="line-2" class="import-row editing">')
    # The ambiguous value gets a picker with the cell's text as its query.
    assert 'id="pick2_workspaces_1-input"' in form
    assert re.search(r'id="pick2_workspaces_1-input"[^>]*value="Sales"', form)

    data = {
        **cells_of(phone_import, 2),
        "pick2_workspaces_1_text": "Sales",
        "pick2_workspaces_1": "ws_sales_us",
        "page": "1",
        "status": "",
    }
    response = editor_client.post(row_url(phone_import, 2), data, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<tr id="line-2" class="import-row status-ready"')
    assert "Sales" in html and "“Sales” matches" not in html
    assert '<section id="import-summary" class="card import-summary"' in html
    assert 'hx-swap-oob="true"' in html
    assert summary_counts(html)[:2] == ["1 will be created", "0 need attention"]
    row = phone_import.rows.get(line=2)
    assert row.status == PhoneImportRow.Status.READY
    assert row.picks == {"workspaces": {"Sales": "ws_sales_us"}}


def test_row_fix_of_a_number_redraws_the_row_it_duplicated(editor_client: Client):
    phone_import = imported(
        editor_client, paste("+1 415 555 0101\t\t\t\t\t\t\t", "+1 415 555 0101\t\t\t\t\t\t\t")
    )
    assert phone_import.rows.get(line=3).status == PhoneImportRow.Status.DUPLICATE
    data = {**cells_of(phone_import, 2), "number": "+1 415 555 0199", "page": "1"}
    html = editor_client.post(row_url(phone_import, 2), data, **HTMX).content.decode()
    # Line 3 is no longer a duplicate of line 2: it is drawn again, out of band.
    line3 = re.search(r'<tr id="line-3"[^>]*hx-swap-oob="true".*?</tr>', html, re.S)
    assert line3 is not None
    assert '<span class="badge ok">Ready</span>' in line3.group(0)
    assert summary_counts(html)[0] == "2 will be created"


def test_row_fix_without_htmx_returns_to_the_row_on_its_page(editor_client: Client):
    phone_import = imported(editor_client, paste("12\t\t\t\t\t\t\t"))
    form_page = editor_client.get(row_url(phone_import, 2) + "?page=1&status=attention")
    assert form_page.status_code == 200
    assert 'class="import-row editing"' in form_page.content.decode()
    data = {**cells_of(phone_import, 2), "number": "+1 415 555 0123", "status": "attention"}
    response = editor_client.post(row_url(phone_import, 2), data)
    assert response.status_code == 302
    assert response["Location"] == detail(phone_import) + "?status=attention#line-2"
    assert phone_import.rows.get(line=2).status == PhoneImportRow.Status.READY


def test_exclude_and_include_a_row(editor_client: Client):
    phone_import = imported(editor_client, paste("+1 415 555 0101\t\t\t\t\t\t\t"))
    html = editor_client.post(row_url(phone_import, 2), {"excluded": "1"}, **HTMX).content
    assert b'<span class="badge state-discarded">Excluded</span>' in html
    assert b'aria-label="Include line 2" autofocus' in html
    assert phone_import.rows.get(line=2).status == PhoneImportRow.Status.EXCLUDED
    editor_client.post(row_url(phone_import, 2), {"excluded": "0"}, **HTMX)
    assert phone_import.rows.get(line=2).status == PhoneImportRow.Status.READY


def test_attention_filter_shows_only_rows_needing_attention(editor_client: Client):
    phone_import = imported(
        editor_client, paste("+1 415 555 0101\t\t\t\t\t\t\t", "12\t\t\t\t\t\t\t")
    )
    html = editor_client.get(detail(phone_import) + "?status=attention", **HTMX).content.decode()
    assert html.lstrip().startswith('<div id="import-rows"')
    assert 'id="line-3"' in html and 'id="line-2"' not in html


def test_rows_are_paged_by_100(editor_client: Client):
    rows = [f"+1 415 555 {n:04d}\t\t\t\t\t\t\t" for n in range(1000, 1150)]
    phone_import = imported(editor_client, paste(*rows))
    first = editor_client.get(detail(phone_import)).content.decode()
    assert first.count('class="import-row ') == 100
    assert "Rows 1\u2013100 of 150" in first and "Page 1 of 2" in first
    second = editor_client.get(detail(phone_import) + "?page=2").content.decode()
    assert second.count('class="import-row ') == 50
    assert 'id="line-151"' in second and 'id="line-2"' not in second


def test_confirm_redirects_and_a_second_confirm_queues_nothing(
    editor_client: Client, namesake_records
):
    phone_import = imported(
        editor_client,
        paste("+1 415 555 0101\t\t\t\t\t\t\tSupport", "+1 415 555 0102\t\t\t\t\t\t\t", "12"),
    )
    confirm = reverse("phones:import_confirm", args=[phone_import.id])
    response = editor_client.post(confirm, {"ready": "2"})
    assert response.status_code == 302
    assert response["Location"] == detail(phone_import)
    assert OutboxEntry.objects.filter(phone_import=phone_import).count() == 2
    page = editor_client.get(detail(phone_import)).content.decode()
    assert "2 phones are queued for WellApp" in page
    assert "0 of 2 finished" in page
    assert 'hx-trigger="every 2s"' in page

    again = editor_client.post(confirm, {"ready": "2"}, **HTMX)
    assert again.status_code == 200
    assert again["HX-Redirect"] == detail(phone_import)
    assert OutboxEntry.objects.filter(phone_import=phone_import).count() == 2
    assert "Nothing more was queued" in editor_client.get(detail(phone_import)).content.decode()


def test_confirm_of_a_stale_count_queues_nothing(editor_client: Client):
    phone_import = imported(editor_client, paste("+1 415 555 0101\t\t\t\t\t\t\t"))
    confirm = reverse("phones:import_confirm", args=[phone_import.id])
    response = editor_client.post(confirm, {"ready": "5"})
    assert response.status_code == 302
    assert not OutboxEntry.objects.exists()
    assert "1 are ready to create now" in editor_client.get(detail(phone_import)).content.decode()


def test_a_confirmed_import_refuses_row_changes(editor_client: Client):
    phone_import = imported(editor_client, paste("+1 415 555 0101\t\t\t\t\t\t\t"))
    editor_client.post(reverse("phones:import_confirm", args=[phone_import.id]))
    response = editor_client.post(row_url(phone_import, 2), {"excluded": "1"})
    assert response.status_code == 302
    assert phone_import.rows.get(line=2).status == PhoneImportRow.Status.READY
    assert "can no longer change" in editor_client.get(detail(phone_import)).content.decode()


def test_progress_fragment_polls_while_entries_wait_and_stops_when_done(
    editor_client: Client,
):
    phone_import = imported(
        editor_client, paste("+1 415 555 0101\t\t\t\t\t\t\t", "+1 415 555 0102\t\t\t\t\t\t\t")
    )
    editor_client.post(reverse("phones:import_confirm", args=[phone_import.id]))
    progress = reverse("phones:import_progress", args=[phone_import.id])

    waiting = editor_client.get(progress, {"seen": "2-0-0-0-0"}, **HTMX)
    html = waiting.content.decode()
    assert waiting.status_code == 200
    assert "no-cache" in waiting["Cache-Control"]
    assert html.lstrip().startswith('<section id="import-progress"')
    assert 'hx-trigger="every 2s"' in html
    assert 'value="0"' in html and "0 of 2 finished" in html
    # Nothing moved since the last poll: the rows are not sent again.
    assert 'id="import-rows"' not in html

    entries = list(OutboxEntry.objects.filter(phone_import=phone_import).order_by("id"))
    OutboxEntry.objects.filter(pk=entries[0].pk).update(
        state=OutboxEntry.State.CONFIRMED, last_trace_id="trace-created-1"
    )
    OutboxEntry.objects.filter(pk=entries[1].pk).update(
        state=OutboxEntry.State.FAILED, last_error="WellApp refused it.", last_trace_id="tr-2"
    )
    done = editor_client.get(progress, {"seen": "2-0-0-0-0"}, **HTMX).content.decode()
    assert "hx-trigger" not in done.split('<div id="import-rows"')[0]
    assert "2 of 2 finished" in done
    assert '<h2 id="progress-title">Done</h2>' in done
    # The counts moved: the rows come along, with each outcome and its trace id.
    assert '<div id="import-rows" class="import-rows" hx-swap-oob="true">' in done
    assert 'data-copy="trace-created-1"' in done
    assert "WellApp refused it." in done
    assert f"?queued={entries[1].pk}" in done
    assert reverse("phones:outbox_discard", args=[entries[1].pk]) in done


def test_progress_poll_does_not_keep_the_session_alive(editor_client: Client):
    phone_import = imported(editor_client, paste("+1 415 555 0101\t\t\t\t\t\t\t"))
    editor_client.post(reverse("phones:import_confirm", args=[phone_import.id]))
    session = editor_client.session
    session[SESSION_REFRESHED_AT_KEY] = time.time() - 2 * SESSION_REFRESH_SECONDS
    session.save()
    poll = editor_client.get(reverse("phones:import_progress", args=[phone_import.id]))
    assert poll.status_code == 200
    assert "sessionid" not in poll.cookies
    # The page itself, opened as long after, does keep it alive.
    assert "sessionid" in editor_client.get(detail(phone_import)).cookies


def test_an_unknown_import_is_not_found(editor_client: Client):
    assert (
        editor_client.get(reverse("phones:import_detail", args=[uuid.uuid4()])).status_code == 404
    )


def test_a_number_already_cached_is_a_duplicate(editor_client: Client):
    make_phone(7)
    phone_import = imported(editor_client, paste("+1 415 555 0007\t\t\t\t\t\t\t"))
    html = editor_client.get(detail(phone_import)).content.decode()
    assert "Already in the portal (+1 415-555-0007)" in html


def test_dropping_a_failed_row_returns_to_the_import(editor_client: Client):
    phone_import = imported(editor_client, paste("+1 415 555 0101\t\t\t\t\t\t\t"))
    editor_client.post(reverse("phones:import_confirm", args=[phone_import.id]))
    entry = OutboxEntry.objects.get(phone_import=phone_import)
    OutboxEntry.objects.filter(pk=entry.pk).update(state=OutboxEntry.State.FAILED)
    back = detail(phone_import) + "?page=1&status=#line-2"
    discard = reverse("phones:outbox_discard", args=[entry.pk])
    assert back in editor_client.get(detail(phone_import)).content.decode().replace("&amp;", "&")

    response = editor_client.post(discard, {"next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    entry.refresh_from_db()
    assert entry.state == OutboxEntry.State.DISCARDED
    assert "Dropped" in editor_client.get(detail(phone_import)).content.decode()


def test_discard_never_sends_staff_to_another_site(editor_client: Client):
    make_phone(1)
    entry = OutboxEntry.objects.create(
        id=uuid.uuid4(),
        document={"data": {"attributes": {"e164_number": "+14155550199"}}},
        state=OutboxEntry.State.FAILED,
    )
    discard = reverse("phones:outbox_discard", args=[entry.pk])
    response = editor_client.post(discard, {"next": "https://evil.example/phones/"})
    assert response["Location"] == reverse("phones:outbox")


# What a browser can send: any text but lone surrogates (it sends U+FFFD for those).
hostile = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '"',
            "\x00",
            "\u202e+1 415 555 0101",
            "Sales;Sales;;",
            "9" * 400,
            '=HYPERLINK("http://evil.example")',
        ]
    ),
)


@given(cells=st.lists(st.lists(hostile, max_size=8), max_size=4), separator=st.sampled_from("\t,;"))
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_paste_answers_a_page_never_an_error(editor_client: Client, cells, separator):
    text = "\n".join(
        [separator.join(["number", "label", "workspaces"])] + [separator.join(row) for row in cells]
    )
    response = editor_client.post(reverse("phones:import_new"), {"text": text, "country": "US"})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        page = editor_client.get(response["Location"])
        assert page.status_code == 200
        assert b"<script>alert" not in page.content


@given(
    number=hostile,
    workspaces=hostile,
    pick_text=hostile,
    pick=st.one_of(st.sampled_from(["ws_sales_eu", "nope", ""]), hostile),
)
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(number="", workspaces="", pick_text="0", pick="\x00")  # NUL: PostgreSQL's JSON refuses it
@example(number="", workspaces="", pick_text="Sales\x00", pick="ws_sales_eu")
def test_any_row_correction_answers_the_row_never_an_error(
    editor_client: Client, namesake_records, number, workspaces, pick_text, pick
):
    phone_import = PhoneImport.objects.first() or imported(
        editor_client, paste("(415) 555-0102\t\tmobile\t\t\t\t\tSales")
    )
    data = {
        "number": number,
        "workspaces": workspaces,
        "pick2_workspaces_1_text": pick_text,
        "pick2_workspaces_1": pick,
    }
    response = editor_client.post(row_url(phone_import, 2), data, **HTMX)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<tr id="line-2"')
    assert b"<script>alert" not in response.content


def test_a_name_not_found_is_fixed_by_picking_any_record(editor_client: Client, namesake_records):
    phone_import = imported(editor_client, paste("+1 415 555 0101\t\t\t\t\tAda L.\t\t"))
    form = editor_client.get(row_url(phone_import, 2), **HTMX).content.decode()
    # The number is fine: the keyboard lands in the picker for the unknown name.
    assert re.search(r'id="pick2_people_1-input"[^>]*value="Ada L\."[^>]*autofocus', form, re.S)
    data = {
        **cells_of(phone_import, 2),
        "pick2_people_1_text": "Ada L.",
        "pick2_people_1": "p_ada",
    }
    html = editor_client.post(row_url(phone_import, 2), data, **HTMX).content.decode()
    assert '<span class="badge ok">Ready</span>' in html
    assert '<span class="record">Ada Lovelace</span>' in html


def test_confirm_leaves_out_rows_whose_record_left_the_directory_and_says_so(
    editor_client: Client, namesake_records
):
    phone_import = imported(
        editor_client,
        paste("+1 415 555 0101\t\t\t\t\t\t\tSupport", "+1 415 555 0102\t\t\t\t\t\t\t"),
    )
    Workspace.objects.filter(id="ws_support").delete()
    confirm = reverse("phones:import_confirm", args=[phone_import.id])
    editor_client.post(confirm, {"ready": "2"})
    assert OutboxEntry.objects.filter(phone_import=phone_import).count() == 1
    page = editor_client.get(detail(phone_import)).content.decode()
    assert "1 phone is queued for WellApp" in page
    assert "1 changed in the directory since they were checked and stay out" in page


def test_a_paste_of_several_megabytes_reaches_its_preview(editor_client: Client):
    """Thousands of spreadsheet rows are more text than Django takes by default (2.5 MB)."""
    rows = [f"+1 415 555 {n:04d}\t\twork\t\t\t\t{'c' * 300}\t" for n in range(9_000)]
    text = paste(*rows)
    assert len(text.encode()) > 2_621_440  # Django's default DATA_UPLOAD_MAX_MEMORY_SIZE

    response = post_paste(editor_client, text)

    assert response.status_code == 302
    assert PhoneImport.objects.get().row_count == 9_000


def test_the_queue_names_an_import_once_instead_of_listing_its_creates(
    editor_client: Client, namesake_records
):
    phone_import = imported(
        editor_client, paste("+1 415 555 0101\t\t\t\t\t\t\t", "+1 415 555 0102\t\t\t\t\t\t\t")
    )
    editor_client.post(reverse("phones:import_confirm", args=[phone_import.id]), {"ready": "2"})
    entries = OutboxEntry.objects.filter(phone_import=phone_import)
    first = entries.order_by("id").first()
    assert first is not None
    first.state = OutboxEntry.State.FAILED
    first.save()

    page = editor_client.get(reverse("phones:outbox")).content.decode()

    link = f'<a href="{detail(phone_import)}">Import of '
    assert page.count(link) == 1
    assert "1 waiting, 1 rejected" in page
    assert "data-entry=" not in page  # its creates are not rows of the queue's table
    assert "data-polling" in page  # and the page follows them while they wait


def test_saving_a_row_checks_only_the_rows_that_share_its_number(
    editor_client: Client, namesake_records, monkeypatch
):
    """Not the whole page of 100 rows: the saved row and the one with its number."""
    lines = [f"+1 415 555 {n:04d}\t\t\t\t\tAda Lovelace\t\tSupport" for n in range(99)]
    phone_import = imported(editor_client, paste(*lines, "+1 415 555 0000\t\t\t\t\t\t\t"))
    checked: list[int] = []

    def counting(rows, **kwargs):
        rows = list(rows)
        checked.extend(row.line for row in rows)
        return preview_rows(rows, **kwargs)

    monkeypatch.setattr(selectors_imports, "preview_rows", counting)
    monkeypatch.setattr(services_imports, "preview_rows", counting)
    data = {**cells_of(phone_import, 2), "label": "home"}
    response = editor_client.post(row_url(phone_import, 2), data, **HTMX)

    assert response.status_code == 200
    assert 'id="line-101"' in response.content.decode()  # the row sharing its number, redrawn
    assert set(checked) == {2, 101}
