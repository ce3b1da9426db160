"""The first phones page: a table of cached phones, newest first, a keyset page at a time."""

import re
from dataclasses import replace

import pytest
from django.test import Client
from django.urls import reverse

from phones.selectors.list_query import DEFAULT_PAGE_SIZE, ListQuery, cursor_decode
from phones.selectors.listing import phone_page
from phones.services.listing import listing_refresh
from tests.factories import make_company, make_person, make_phone, make_workspace

pytestmark = pytest.mark.django_db


def numbers_on(html: str) -> list[str]:
    return re.findall(r'data-e164="([^"]+)"', html)


def cursor_link(html: str, text: str) -> str | None:
    match = re.search(r'<a href="\?cursor=([^"&]+)"[^>]*>' + re.escape(text), html)
    return match.group(1) if match else None


def test_list_shows_cached_phones_newest_first_with_their_links(viewer_client: Client):
    older = make_phone(1)
    newer = make_phone(2, label="mobile", is_primary=True, is_verified=True)
    newer.people.add(make_person("people1", "John Doe"))
    newer.companies.add(make_company("company_tenant", "Acme Corporation"))
    newer.workspaces.add(make_workspace("workspace_sales", "Sales Team Workspace"))
    listing_refresh(phone_ids=[newer.id])

    response = viewer_client.get(reverse("phones:list"))

    html = response.content.decode()
    assert numbers_on(html) == [newer.e164_number, older.e164_number]
    row = html[html.index(newer.e164_number) : html.index(older.e164_number)]
    for text in ("Mobile", "Primary", "Verified", "John Doe", "Acme Corporation", "Sales Team"):
        assert text in row
    assert "2 phones in the local copy" in html


def test_empty_cache_says_how_to_fill_it(viewer_client: Client):
    html = viewer_client.get(reverse("phones:list")).content.decode()
    assert "No phones in the local copy yet" in html
    assert "Ask an editor to sync them from WellApp" in html


def test_walking_older_links_visits_every_phone_once_in_order(viewer_client: Client):
    phones = [make_phone(n) for n in range(60)]
    expected = [p.e164_number for p in sorted(phones, key=lambda p: p.upstream_created_at)][::-1]

    seen: list[str] = []
    url = reverse("phones:list")
    pages = 0
    while url:
        html = viewer_client.get(url).content.decode()
        seen.extend(numbers_on(html))
        pages += 1
        cursor = cursor_link(html, "Next")
        url = f"{reverse('phones:list')}?cursor={cursor}" if cursor else None

    assert seen == expected
    assert pages == 3


def test_newer_link_returns_to_the_previous_page(viewer_client: Client):
    for n in range(30):
        make_phone(n)
    first = viewer_client.get(reverse("phones:list")).content.decode()
    second = viewer_client.get(
        f"{reverse('phones:list')}?cursor={cursor_link(first, 'Next')}"
    ).content.decode()
    back = viewer_client.get(
        f"{reverse('phones:list')}?cursor={cursor_link(second, '← Previous')}"
    ).content.decode()
    assert numbers_on(back) == numbers_on(first)
    assert cursor_link(back, "← Previous") is None


def test_phones_with_the_same_creation_time_are_neither_skipped_nor_repeated():
    first = make_phone(0)
    count = 2 * DEFAULT_PAGE_SIZE + 3
    same = [make_phone(n, created_at=first.upstream_created_at) for n in range(1, count)]
    phones = [first, *same]
    seen, query, pages = [], ListQuery(), 0
    while True:
        page = phone_page(query=query)
        seen.extend(p.id for p in page.phones)
        pages += 1
        if not page.next_cursor:
            break
        query = replace(query, cursor=cursor_decode(page.next_cursor, sort=query.sort))
    assert pages == 3
    assert len(seen) == count
    assert set(seen) == {p.id for p in phones}


def test_a_malformed_cursor_shows_the_first_page(viewer_client: Client):
    make_phone(1)
    response = viewer_client.get(reverse("phones:list") + "?cursor=%3Cscript%3E")
    assert response.status_code == 200
    assert numbers_on(response.content.decode()) == ["+14155550001"]


def test_htmx_request_gets_only_the_rows_fragment(viewer_client: Client):
    make_phone(1)
    response = viewer_client.get(reverse("phones:list"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="phone-results"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]
