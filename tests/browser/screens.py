"""Every screen of the portal in every state staff meet, for the accessibility check and for
`make screenshots`: a `Site` holds the data and logins, and each entry of `SCREENS` brings
a page into one state.

States that wait on WellApp are made with the sandbox's faults (an error answer, a slow
answer), the same way the fault drills make them.
"""

import itertools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.http import QueryDict
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from phones.forms import PhoneCreateForm
from phones.import_rows import read_rows
from phones.models import OutboxEntry, Phone, PhoneImport, SyncRun
from phones.services.imports import import_confirm, import_create, import_row_update
from phones.services.outbox import phone_queue
from phones.services.sync import sync_run
from phones.upstream.shared import upstream_client
from tests.browser.helpers import log_in
from tests.factories import create_form_data

VIEWPORTS = {"1280": {"width": 1280, "height": 800}, "390": {"width": 390, "height": 844}}
SCHEMES = ("light", "dark")
CREATE_BUDGET = 15.0
SLOW_CREATE_SECONDS = 3.0


@dataclass
class Site:
    """The portal on the live server, with the sandbox's demo data in its cache."""

    url: str
    sandbox: Any  # the `wellapp` fixture's Sandbox
    settings: Any  # pytest-django's `settings` fixture
    editor: User
    viewer: User
    detail: Phone
    numbers: itertools.count = field(default_factory=lambda: itertools.count(100))

    def log_in(self, page: Page, user: User | None) -> None:
        """Make ``page`` logged in as ``user`` (None: logged out)."""
        if user is None:
            page.context.clear_cookies()
        else:
            log_in(page, self.url, user.username)

    def next_number(self) -> str:
        """A US number that neither the cache nor another screen has."""
        while True:
            n = next(self.numbers)
            if not Phone.objects.filter(e164_number=f"+1415555{n:04d}").exists():
                return f"(415) 555-{n:04d}"


def build_site(*, url: str, sandbox: Any, settings: Any, editor: User, viewer: User) -> Site:
    """The sandbox's directory and phones read into the cache and one queued phone; creates
    wait as long as in production."""
    settings.WELL_API_TIMEOUT = 10.0
    settings.WELL_CREATE_BUDGET = CREATE_BUDGET
    upstream_client.cache_clear()
    sync_run()
    data = create_form_data(
        country="GB",
        national_number="020 7946 0958",
        is_primary=None,
        is_verified=None,
        companies=None,
        workspaces=["workspace_sales"],
    )
    form = PhoneCreateForm(QueryDict(urlencode(data, doseq=True)))
    assert form.is_valid(), form.errors
    phone_queue(actor=editor, draft=form.draft(), form_data=data)
    detail = Phone.objects.filter(people__id="people1").first() or Phone.objects.first()
    assert detail is not None
    return Site(
        url=url, sandbox=sandbox, settings=settings, editor=editor, viewer=viewer, detail=detail
    )


def new_context(browser: Browser, viewport: str, scheme: str) -> BrowserContext:
    return browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)


# Each screen: (name, who is logged in, what brings the page into its state). A screen's
# function may return a function that finishes what it started (a slow create) once the
# page has been looked at.
Finish = Callable[[], None] | None
Screen = tuple[str, str | None, Callable[[Page, Site], Finish]]


def _goto(page: Page, site: Site, path: str) -> None:
    page.goto(f"{site.url}{path}")


def login(page: Page, site: Site) -> Finish:
    _goto(page, site, "/accounts/login/")
    expect(page.get_by_label("Username")).to_be_visible()
    return None


def list_plain(page: Page, site: Site) -> Finish:
    _goto(page, site, "/phones/")
    expect(page.locator("#phone-results")).to_be_visible()
    return None


def list_searched(page: Page, site: Site) -> Finish:
    _goto(page, site, "/phones/?q=John")
    expect(page.locator("#phone-results")).to_be_visible()
    return None


def list_filtered(page: Page, site: Site) -> Finish:
    _goto(page, site, "/phones/?workspaces=workspace_sales&label=work")
    expect(page.locator("#phone-results")).to_be_visible()
    return None


def list_more_filters(page: Page, site: Site) -> Finish:
    """A created range and Verified: the More filters disclosure open on its date boxes."""
    _goto(page, site, "/phones/?created_from=2026-01-01&created_to=2026-06-30&verified=yes")
    expect(page.locator("#id_created_from")).to_have_value("2026-01-01")
    return None


def _new_form(page: Page, site: Site) -> None:
    _goto(page, site, "/phones/new/")
    expect(page.get_by_role("button", name="Create phone")).to_be_visible()


def form_empty(page: Page, site: Site) -> Finish:
    _new_form(page, site)
    return None


def form_typing(page: Page, site: Site) -> Finish:
    """A number typed (its preview shown) and the People picker open on "Jo"."""
    _new_form(page, site)
    page.get_by_label("Number", exact=True).fill("(415) 555-2671")
    expect(page.locator('#number-preview [data-preview="e164"]')).to_have_text("+14155552671")
    people = page.get_by_role("combobox", name="People", exact=True)
    people.focus()
    page.keyboard.type("Jo")
    listbox = page.get_by_role("listbox", name="People", exact=True)
    # The best match arrives highlighted, ready for Enter.
    expect(listbox.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    expect(people).to_have_attribute("aria-activedescendant", re.compile(".+"))
    return None


def form_invalid(page: Page, site: Site) -> Finish:
    """A too short number submitted: refused with the field's error and its preview."""
    _new_form(page, site)
    page.get_by_label("Number", exact=True).fill("415")
    expect(page.locator("#number-preview")).to_contain_text("too short")
    page.get_by_role("button", name="Create phone").click()
    expect(page.locator("#number-errors")).to_be_visible()
    return None


def form_region_offer(page: Page, site: Site) -> Finish:
    """A US number typed with France chosen: the preview offers the United States."""
    _new_form(page, site)
    page.get_by_label("Country").select_option("FR")
    page.get_by_label("Number", exact=True).fill("(415) 555-2671")
    expect(page.locator("#number-preview button")).to_be_visible()
    return None


def form_upstream_error(page: Page, site: Site) -> Finish:
    """WellApp answers 503 until the create's time is up: the banner with Queue and retry."""
    site.settings.WELL_CREATE_BUDGET = 1.0
    fault = site.sandbox.add_fault("status", status=503, method="POST", path="/v1/phones")
    try:
        _new_form(page, site)
        page.get_by_label("Number", exact=True).fill(site.next_number())
        page.get_by_role("button", name="Create phone").click()
        expect(page.locator("#form-failure")).to_be_visible(timeout=20_000)
    finally:
        site.sandbox.remove_fault(fault)
        site.settings.WELL_CREATE_BUDGET = CREATE_BUDGET
    return None


def form_waiting(page: Page, site: Site) -> Finish:
    """WellApp takes 3 s to answer a create: the form waits, counting the seconds."""
    fault = site.sandbox.add_fault(
        "latency", seconds=SLOW_CREATE_SECONDS, method="POST", path="/v1/phones", count=1
    )
    _new_form(page, site)
    page.get_by_label("Number", exact=True).fill(site.next_number())
    page.get_by_role("button", name="Create phone").click()
    status = page.get_by_role("status").filter(has_text="Waiting for WellApp")
    expect(status).to_contain_text("Waiting for WellApp… 1 s")

    def finish() -> None:
        # The create ends on the new phone's page.
        expect(page.locator("#phone-form")).to_have_count(0, timeout=20_000)
        site.sandbox.remove_fault(fault)

    return finish


def detail(page: Page, site: Site) -> Finish:
    _goto(page, site, f"/phones/{site.detail.id}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return None


def queue(page: Page, site: Site) -> Finish:
    _goto(page, site, "/phones/queue/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return None


def sync_running(page: Page, site: Site) -> Finish:
    """A sync reading phones, a few pages in; it ends once the page has been looked at."""
    run = SyncRun.objects.create(
        status=SyncRun.Status.RUNNING,
        phase="phones",
        pages=3,
        records=600,
        phase_records=600,
        phase_total=1000,
        requested_by=site.editor,
    )
    _goto(page, site, "/phones/")
    expect(page.locator("#sync-status")).to_contain_text("Syncing")

    def finish() -> None:
        # Ended as a sync ends, so the screens after it show when it finished.
        SyncRun.objects.filter(pk=run.pk).update(
            status=SyncRun.Status.SUCCEEDED, finished_at=timezone.now()
        )

    return finish


def forbidden(page: Page, site: Site) -> Finish:
    """A viewer opens the new-phone form."""
    page.goto(f"{site.url}/phones/new/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return None


def not_found(page: Page, site: Site) -> Finish:
    page.goto(f"{site.url}/phones/{uuid.UUID(int=0)}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return None


IMPORT_HEADER = "number\tcountry\tlabel\tprimary\tverified\tpeople\tcompanies\tworkspaces"
# A paste with a row of every kind: ready ones, an ambiguous name (three people are called
# Wei Berg), a number too short, a repeated number, unknown names and label, one excluded.
# {a} and {b} are numbers no cached phone has.
IMPORT_PREVIEW_ROWS = (
    "{a}\t\twork\tyes\tyes\tjohn.doe@example.com\tacme.com\tSales Team Workspace",
    "020 7946 0171\tGB\tmobile\t\t\t\t\tMarketing Team Workspace",
    "{b}\t\thome\t\t\tWei Berg\t\tSupport Team Workspace",
    "415 555\t\twork\t\t\t\t\t",
    "{a}\t\t\t\t\t\t\t",
    "+49 30 901820\t\twrk\t\t\tnobody@nowhere.example\t\tSales",
    "+33 1 23 45 67 89\tFR\tother\tno\tno\t\t\t",
)
IMPORT_PREVIEW_FILE = "directory-march.csv"
IMPORT_CONFIRMED_FILE = "new-starters.csv"


def _import(site: Site, file_name: str) -> PhoneImport:
    """The import a screen shows, made on first use: the preview one (its last row
    excluded), or a confirmed one whose creates are in every state."""
    found = PhoneImport.objects.filter(file_name=file_name).first()
    if found is not None:
        return found
    if file_name == IMPORT_PREVIEW_FILE:
        a, b = site.next_number(), site.next_number()
        rows = tuple(row.format(a=a, b=b) for row in IMPORT_PREVIEW_ROWS)
    else:
        rows = tuple(
            f"{site.next_number()}\t\twork\t\t\t\t\tSupport Team Workspace" for _ in range(8)
        )
    phone_import = import_create(
        actor=site.editor,
        rows=read_rows("\n".join([IMPORT_HEADER, *rows])),
        file_name=file_name,
        sha256="0" * 64,
        default_region="US",
    )
    if file_name == IMPORT_PREVIEW_FILE:
        import_row_update(phone_import=phone_import, line=len(rows) + 1, excluded=True)
        return phone_import
    import_confirm(actor=site.editor, phone_import=phone_import)
    entries = list(
        OutboxEntry.objects.filter(phone_import=phone_import).order_by("next_attempt_at")
    )
    created, rejected, retrying = entries[:3], entries[3], entries[4]
    for n, entry in enumerate(created):
        OutboxEntry.objects.filter(pk=entry.pk).update(
            state=OutboxEntry.State.CONFIRMED, attempts=1, last_trace_id=f"tr-import-{n}"
        )
    OutboxEntry.objects.filter(pk=rejected.pk).update(
        state=OutboxEntry.State.FAILED,
        attempts=1,
        last_error="WellApp rejected the phone: workspace “Support Team Workspace” is archived.",
        last_trace_id="tr-import-rejected",
    )
    OutboxEntry.objects.filter(pk=retrying.pk).update(
        state=OutboxEntry.State.RETRYING,
        attempts=1,
        last_error="WellApp did not answer within 20 s.",
    )
    return phone_import


def import_new(page: Page, site: Site) -> Finish:
    _goto(page, site, "/phones/import/")
    expect(page.get_by_role("button", name="Check the rows")).to_be_visible()
    return None


def import_unreadable(page: Page, site: Site) -> Finish:
    """A paste whose quote is never closed: the message names the line, the text stays."""
    _goto(page, site, "/phones/import/")
    page.get_by_label("Paste the rows").fill(
        'number,label\n+1 415 555 0180,work\n"+1 415 555 0181,mobile\n+1 415 555 0182,home\n'
    )
    page.get_by_role("button", name="Check the rows").click()
    expect(page.locator("#text-errors")).to_contain_text("line 3")
    return None


def _import_page(page: Page, site: Site, file_name: str) -> None:
    _goto(page, site, f"/phones/import/{_import(site, file_name).id}/")
    expect(page.locator("#import-rows table")).to_be_visible()


def import_preview(page: Page, site: Site) -> Finish:
    _import_page(page, site, IMPORT_PREVIEW_FILE)
    return None


def import_row_fix(page: Page, site: Site) -> Finish:
    """The row naming Wei Berg open for fixing, its picker showing the three of them."""
    _import_page(page, site, IMPORT_PREVIEW_FILE)
    page.get_by_role("link", name="Fix line 4").click()
    # The keyboard lands in the picker, which searches for the cell's text at once.
    expect(page.get_by_role("combobox", name="Person for “Wei Berg”")).to_be_focused()
    listbox = page.get_by_role("listbox", name="Person for “Wei Berg”")
    expect(listbox.get_by_role("option")).to_have_count(3)
    return None


def import_progress(page: Page, site: Site) -> Finish:
    """A confirmed import: three created, one rejected, one retrying, three queued."""
    _import_page(page, site, IMPORT_CONFIRMED_FILE)
    expect(page.locator("#import-progress progress")).to_be_visible()
    return None


SCREENS: list[Screen] = [
    ("login", None, login),
    ("list", "editor", list_plain),
    ("list-searched", "editor", list_searched),
    ("list-filtered", "editor", list_filtered),
    ("list-more-filters", "editor", list_more_filters),
    ("form-empty", "editor", form_empty),
    ("form-typing-picker-open", "editor", form_typing),
    ("form-invalid-number", "editor", form_invalid),
    ("form-country-offer", "editor", form_region_offer),
    ("form-upstream-error", "editor", form_upstream_error),
    ("form-waiting", "editor", form_waiting),
    ("detail", "editor", detail),
    ("queue", "editor", queue),
    ("sync-running", "editor", sync_running),
    ("import-new", "editor", import_new),
    ("import-unreadable", "editor", import_unreadable),
    ("import-preview", "editor", import_preview),
    ("import-row-fix", "editor", import_row_fix),
    ("import-progress", "editor", import_progress),
    ("403", "viewer", forbidden),
    ("404", "editor", not_found),
]


def visit(
    browser: Browser, site: Site, viewport: str, scheme: str, look: Callable[[Page, str], None]
) -> None:
    """Bring every screen into its state at ``viewport`` in ``scheme`` and ``look`` at it."""
    context = new_context(browser, viewport, scheme)
    try:
        page = context.new_page()
        user_now: str | None = "nobody"
        for name, who, arrange in SCREENS:
            if who != user_now:
                site.log_in(page, getattr(site, who) if who else None)
                user_now = who
            finish = arrange(page, site)
            try:
                look(page, name)
            finally:
                if finish is not None:
                    finish()
    finally:
        context.close()


# What a colour scheme changes: the rules that read colours.
COLOUR_RULES = ("color-contrast", "link-in-text-block")
