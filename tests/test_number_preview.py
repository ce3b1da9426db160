"""The number preview under the Number field: offered a better country when the number is
wrong for the chosen one, and still there after the form comes back refused."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from phones.phone_numbers import region_offer
from tests.factories import create_form_data, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(60)]


def preview(client: Client, number: str, country: str) -> str:
    response = client.get(
        reverse("phones:number_preview"), {"national_number": number, "country": country}
    )
    assert response.status_code == 200
    return response.content.decode()


class _Inner(HTMLParser):
    """The markup inside the element with a given id."""

    VOID = frozenset({"br", "hr", "img", "input", "link", "meta", "source", "wbr"})

    def __init__(self, element_id: str) -> None:
        super().__init__(convert_charrefs=False)
        self.element_id = element_id
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self.depth:
            self.parts.append(self.get_starttag_text() or "")
            if tag not in self.VOID:
                self.depth += 1
        elif ("id", self.element_id) in attrs:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1
            if self.depth:
                self.parts.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)

    def handle_entityref(self, name: str) -> None:
        if self.depth:
            self.parts.append(f"&{name};")


def preview_region(html: str) -> str:
    """What the page shows in the number preview."""
    parser = _Inner("number-preview")
    parser.feed(html)
    return "".join(parser.parts)


def test_number_wrong_for_the_chosen_country_but_valid_at_home_offers_home(
    editor_client: Client, settings
):
    settings.WELL_DEFAULT_REGION = "GB"
    html = preview(editor_client, "020 7946 0958", "DE")
    assert (
        "Not valid for Germany; it is a valid number in the United Kingdom: +44 20 7946 0958."
        in html
    )
    assert (
        '<button type="button" class="region-offer" data-select-for="id_country" '
        'data-select-value="GB" data-select-focus="id_national_number">'
        "Switch Country to the United Kingdom</button>"
    ) in html
    assert "This is not a valid number in Germany." not in html


def test_offer_names_the_default_region_of_the_portal(editor_client: Client):
    html = preview(editor_client, "(415) 555-2671", "FR")
    assert "Not valid for France; it is a valid number in the United States: +1 415-555-2671." in (
        html
    )
    assert 'data-select-value="US"' in html


def test_no_offer_when_the_number_is_valid_in_the_chosen_country(editor_client: Client):
    html = preview(editor_client, "06 1234 5678", "FR")
    assert "Valid number for FR" in html
    assert "data-select-value" not in html


def test_no_offer_when_the_number_is_invalid_at_home_too(editor_client: Client):
    html = preview(editor_client, "415", "FR")
    assert "This number is too short." in html
    assert "data-select-value" not in html


def test_no_offer_for_a_number_typed_with_its_country_code(editor_client: Client):
    html = preview(editor_client, "+33 415 555 2671", "FR")
    assert "data-select-value" not in html


def test_no_offer_when_the_chosen_country_is_the_default_one(editor_client: Client):
    html = preview(editor_client, "415", "US")
    assert "This number is too short." in html
    assert "data-select-value" not in html


def test_offer_ignores_an_unknown_country_code():
    assert region_offer("(415) 555-2671", "QQ", "US") is None


def test_form_shows_no_preview_before_a_number_is_typed(editor_client: Client):
    html = editor_client.get(reverse("phones:new")).content.decode()
    assert preview_region(html).strip() == ""


def test_preview_is_shown_again_when_wellapp_refuses_the_submit(
    seed_directory, editor_client: Client
):
    make_person("ghost", "Gus Ghost")
    response = editor_client.post(
        reverse("phones:new"),
        create_form_data(people=["ghost"]),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "WellApp rejected the phone" in html
    region = preview_region(html)
    assert '<dd data-preview="international">+1 415-555-2671</dd>' in region
    assert '<dd data-preview="e164">+14155552671</dd>' in region
    assert "Valid number for US" in region


def test_preview_is_shown_again_with_the_offer_when_the_number_is_refused(
    editor_client: Client,
):
    response = editor_client.post(
        reverse("phones:new"),
        create_form_data(country="FR", people=None, companies=None, workspaces=None),
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    region = preview_region(html)
    assert "Not valid for France; it is a valid number in the United States" in region
    assert 'data-select-value="US"' in region


def test_create_form_says_how_long_it_may_wait_for_wellapp(editor_client: Client, settings):
    settings.WELL_CREATE_BUDGET = 15.0
    html = editor_client.get(reverse("phones:new")).content.decode()
    form_tag = re.search(r'<form id="phone-form"[^>]*>', html, re.S)[0]
    assert 'data-busy="Waiting for WellApp"' in form_tag
    assert 'data-busy-budget="15"' in form_tag
