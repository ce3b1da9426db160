"""The directory pickers' search and the live number preview, as htmx fragments."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_company, make_person, make_phone, make_workspace

pytestmark = pytest.mark.django_db


def option_labels(html: str) -> list[str]:
    return re.findall(r'<span class="option-label">([^<]*)</span>', html)


def search(client: Client, kind: str, q: str) -> str:
    response = client.get(reverse("phones:picker", args=[kind]), {"q": q, "picker": kind})
    assert response.status_code == 200
    return response.content.decode()


def test_people_are_found_by_name_or_email_with_the_email_as_second_line(editor_client):
    make_person("p1", "John Doe", "john.doe@example.com")
    make_person("p2", "John Doe", "jd@other.example")
    make_person("p3", "Ann Lee", "ann@example.com")
    html = search(editor_client, "people", "john")
    assert option_labels(html) == ["John Doe", "John Doe"]
    assert "john.doe@example.com" in html and "jd@other.example" in html
    assert option_labels(search(editor_client, "people", "ann@")) == ["Ann Lee"]


def test_every_word_of_the_query_must_match(editor_client):
    make_person("p1", "John Doe", "john@example.com")
    make_person("p2", "John Smith", "smith@example.com")
    assert option_labels(search(editor_client, "people", "john smi")) == ["John Smith"]


def test_companies_match_name_or_domain_and_workspaces_name_or_external_id(editor_client):
    make_company("c1", "Acme Corporation", "acme.com")
    make_company("c2", "Globex", "globex.example")
    make_workspace("w1", "Sales Team Workspace", "fygr_123")
    assert option_labels(search(editor_client, "companies", "acme.c")) == ["Acme Corporation"]
    assert option_labels(search(editor_client, "workspaces", "fygr")) == ["Sales Team Workspace"]
    assert "fygr_123" in search(editor_client, "workspaces", "sales")


def test_more_than_twenty_matches_ask_to_refine(editor_client):
    for n in range(25):
        make_person(f"p{n}", f"Pat Person {n:02d}")
    html = search(editor_client, "people", "pat")
    assert len(option_labels(html)) == 20
    assert "More than 20 match: refine your search" in html


def test_no_match_says_so(editor_client):
    html = search(editor_client, "people", "zzz")
    assert "No matches for “zzz”" in html
    assert option_labels(html) == []


def test_hostile_names_and_queries_render_as_text(editor_client):
    make_person("p1", "<img src=x onerror=alert(1)>", "x@example.com")
    html = search(editor_client, "people", "<img")
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_unknown_picker_kind_is_404(editor_client):
    assert editor_client.get(reverse("phones:picker", args=["users"])).status_code == 404


def test_pickers_need_a_login(client):
    response = client.get(reverse("phones:picker", args=["people"]))
    assert response.status_code == 302


def preview(client: Client, number: str, country: str = "US") -> str:
    response = client.get(
        reverse("phones:number_preview"), {"national_number": number, "country": country}
    )
    assert response.status_code == 200
    return response.content.decode()


def test_preview_shows_the_international_and_e164_forms_and_the_type(editor_client):
    html = preview(editor_client, "(415) 555-2671")
    assert '<dd data-preview="international">+1 415-555-2671</dd>' in html
    assert '<dd data-preview="e164">+14155552671</dd>' in html
    assert "fixed line or mobile" in html
    assert "Valid number for US" in html


def test_preview_says_why_a_number_is_invalid(editor_client):
    assert "This number is too short." in preview(editor_client, "415")


def test_preview_of_a_pasted_international_number_switches_the_country(editor_client):
    html = preview(editor_client, "+44 20 7946 0958", "US")
    assert 'hx-swap-oob="true"' in html
    assert '<option value="GB" selected>United Kingdom (+44)</option>' in html


def test_preview_warns_when_the_number_is_already_cached_and_names_its_links(editor_client):
    phone = make_phone(2671, e164_number="+14155552671", national_number="4155552671")
    phone.people.add(make_person("people1", "John Doe"))
    phone.companies.add(make_company("company_tenant", "Acme Corporation"))
    html = preview(editor_client, "415 555 2671")
    assert "+14155552671 is already in the local copy" in html
    assert "John Doe; Acme Corporation" in html
    assert reverse("phones:detail", args=[phone.id]) in html
    assert "You can still create it." in html


def test_control_characters_in_a_query_are_ignored(editor_client):
    make_person("p1", "John Doe", "john@example.com")
    assert option_labels(search(editor_client, "people", "jo\x00hn")) == ["John Doe"]


@pytest.mark.parametrize("typed", ["john", " Jöhn  Dœ ", "石田 😀", "a%20b+c&d", ""])
def test_every_answer_names_the_text_it_answers_exactly_as_typed(editor_client, typed):
    """The picker drops an answer to any text but the one in its box, so the answer says
    which text it is for: untrimmed, percent-encoded UTF-8 (decodeURIComponent's input)."""
    from urllib.parse import unquote

    make_person("p1", "John Doe", "john@example.com")
    response = editor_client.get(reverse("phones:picker", args=["people"]), {"q": typed})
    assert response.status_code == 200
    header = response["X-Picker-Query"]
    assert header.isascii() and " " not in header
    assert unquote(header, errors="strict") == typed
