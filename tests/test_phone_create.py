"""Creating a phone through the form, against the sandbox over HTTP, fault modes included."""

import re
import time

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from phones.models import AuditEntry, Phone
from phones.upstream.shared import upstream_client
from sandbox.seed import SEED_MARKETING
from tests.factories import create_form_data, make_person
from tests.waits import wait_answered

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(60)]


def upstream_posts(wellapp) -> int:
    return wellapp.stats()["counts"].get("POST /v1/phones", 0)


def upstream_has(wellapp, phone_id: str) -> bool:
    return wellapp.state.get_phone(phone_id) is not None


def test_form_shows_every_control_by_its_label(editor_client: Client):
    html = editor_client.get(reverse("phones:new")).content.decode()
    for label, control in [
        ("Country", "id_country"),
        ("Number", "id_national_number"),
        ("Label", "id_label"),
        ("Primary", "id_is_primary"),
        ("Verified", "id_is_verified"),
        ("People", "people-input"),
        ("Companies", "companies-input"),
        ("Workspaces", "workspaces-input"),
    ]:
        assert f'for="{control}">{label}</label>' in html
    assert '<option value="US" selected>United States (+1)</option>' in html
    assert re.search(r'name="client_id" value="[0-9a-f-]{36}"', html)
    assert ">Create phone</button>" in html


def test_viewer_may_not_open_or_post_the_form(viewer_client: Client):
    assert viewer_client.get(reverse("phones:new")).status_code == 403
    assert viewer_client.post(reverse("phones:new"), create_form_data()).status_code == 403


def test_valid_submit_creates_one_phone_upstream_caches_it_and_lands_on_its_page(
    seed_directory, editor_client: Client, editor: User
):
    data = create_form_data()
    response = editor_client.post(reverse("phones:new"), data)

    phone_id = data["client_id"]
    assert response.status_code == 302
    assert response["Location"] == reverse("phones:detail", args=[phone_id])
    assert upstream_posts(seed_directory) == 1
    assert upstream_has(seed_directory, phone_id)
    phone = Phone.objects.get(id=phone_id)
    assert (phone.country_code, phone.national_number, phone.e164_number) == (
        1,
        "4155552671",
        "+14155552671",
    )
    assert (phone.label, phone.is_primary, phone.is_verified) == ("work", True, True)
    assert list(phone.people.values_list("id", flat=True)) == ["people1"]
    assert list(phone.companies.values_list("id", flat=True)) == ["company_tenant"]
    assert set(phone.workspaces.values_list("id", flat=True)) == {
        "workspace_sales",
        SEED_MARKETING.id,
    }
    audit = AuditEntry.objects.get(upstream_id=phone_id)
    assert (audit.actor, audit.action) == (editor, "phone.created")
    assert audit.trace_id

    page = editor_client.get(response["Location"]).content.decode()
    assert "Phone +14155552671 created in WellApp." in page
    assert 'Created in WellApp from this portal <span class="who">by eddie.editor</span>' in page
    assert audit.trace_id in page
    assert "John Doe" in page and "Acme Corporation" in page and "Sales Team Workspace" in page


def test_htmx_submit_answers_with_a_client_redirect(seed_directory, editor_client: Client):
    data = create_form_data()
    response = editor_client.post(reverse("phones:new"), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("phones:detail", args=[data["client_id"]])


def test_submitting_the_same_form_twice_creates_one_phone(seed_directory, editor_client: Client):
    data = create_form_data()
    first = editor_client.post(reverse("phones:new"), data)
    second = editor_client.post(reverse("phones:new"), data)
    assert first["Location"] == second["Location"]
    assert upstream_posts(seed_directory) == 1
    assert Phone.objects.filter(id=data["client_id"]).count() == 1


def test_a_phone_already_created_upstream_by_an_earlier_send_is_confirmed_not_duplicated(
    seed_directory, editor_client: Client
):
    data = create_form_data()
    seed_directory.add_fault("create_then_drop", method="POST", count=1)
    editor_client.post(reverse("phones:new"), data)  # stored upstream, answer lost
    Phone.objects.filter(id=data["client_id"]).delete()  # as if the cache write was lost too

    response = editor_client.post(reverse("phones:new"), data)

    assert response.status_code == 302
    assert upstream_posts(seed_directory) == 2  # the re-send met a 409 and was confirmed
    assert Phone.objects.filter(id=data["client_id"]).count() == 1


def test_stored_then_dropped_create_is_a_success_with_exactly_one_phone(
    seed_directory, editor_client: Client
):
    seed_directory.add_fault("create_then_drop", method="POST", count=1)
    data = create_form_data()

    response = editor_client.post(reverse("phones:new"), data)

    assert response.status_code == 302
    assert upstream_posts(seed_directory) == 1
    assert upstream_has(seed_directory, data["client_id"])
    assert Phone.objects.filter(id=data["client_id"]).exists()


def test_timed_out_create_is_looked_up_then_resent_once_with_the_same_id(
    seed_directory, editor_client: Client, settings
):
    settings.WELL_API_TIMEOUT = 0.5
    upstream_client.cache_clear()
    seed_directory.add_fault("slow", seconds=2, method="POST", count=1)
    before = seed_directory.stats()["phones"]
    data = create_form_data()

    response = editor_client.post(reverse("phones:new"), data)

    assert response.status_code == 302
    assert seed_directory.stats()["counts"]["GET /v1/phones/{id}"] == 1
    # The slow first send is answered late: it must not make a second phone.
    wait_answered(seed_directory)
    assert upstream_posts(seed_directory) == 2
    assert seed_directory.stats()["phones"] == before + 1
    assert upstream_has(seed_directory, data["client_id"])


def test_upstream_503_twice_is_retried_within_the_budget(seed_directory, editor_client: Client):
    seed_directory.add_fault("status", status=503, method="POST", count=2)
    data = create_form_data()
    response = editor_client.post(reverse("phones:new"), data)
    assert response.status_code == 302
    assert upstream_posts(seed_directory) == 3
    assert upstream_has(seed_directory, data["client_id"])


def test_unreachable_wellapp_keeps_the_input_and_says_submitting_again_is_safe(
    seed_directory, editor_client: Client, settings
):
    settings.WELL_CREATE_BUDGET = 2.0
    seed_directory.add_fault("status", status=503)
    data = create_form_data(national_number="415.555.0134")

    started = time.monotonic()
    response = editor_client.post(reverse("phones:new"), data)
    elapsed = time.monotonic() - started

    html = response.content.decode()
    assert response.status_code == 200
    assert "nothing is confirmed yet" in html
    assert "submitting again is safe" in html
    assert 'value="415.555.0134"' in html
    assert f'name="client_id" value="{data["client_id"]}"' in html
    for chip in ("John Doe", "Acme Corporation", "Sales Team Workspace"):
        assert chip in html
    assert elapsed < 5
    assert not Phone.objects.filter(id=data["client_id"]).exists()

    seed_directory.clear_faults()
    retry = editor_client.post(reverse("phones:new"), data)
    assert retry.status_code == 302
    assert upstream_posts(seed_directory) >= 2
    assert Phone.objects.filter(id=data["client_id"]).count() == 1


def test_refused_token_shows_a_banner_and_keeps_the_input(
    seed_directory, editor_client: Client, settings
):
    settings.WELL_API_TOKEN = "not-the-token"
    upstream_client.cache_clear()
    response = editor_client.post(reverse("phones:new"), create_form_data())
    html = response.content.decode()
    assert response.status_code == 200
    assert "WellApp refused the portal&#x27;s API token" in html
    assert "not-the-token" not in html
    assert 'value="(415) 555-2671"' in html
    assert "John Doe" in html


def test_person_unknown_upstream_is_an_error_on_the_people_field_with_the_trace_id(
    seed_directory, editor_client: Client
):
    make_person("ghost", "Gus Ghost")
    response = editor_client.post(reverse("phones:new"), create_form_data(people=["ghost"]))
    html = response.content.decode()
    assert response.status_code == 200
    errors = re.search(r'id="people-errors">(.*?)</span>', html, re.S).group(1)
    assert "WellApp rejected the phone" in errors
    assert "Gus Ghost" in errors
    trace_id = re.search(r"WellApp trace id <code>([^<]+)</code>", html).group(1)
    assert html.count(trace_id) == 2  # shown once, and once more as what its Copy button copies
    assert "Gus Ghost" in html  # the chip is still there


def test_invalid_number_is_refused_before_wellapp_and_keeps_every_chip(
    seed_directory, editor_client: Client
):
    response = editor_client.post(reverse("phones:new"), create_form_data(national_number="415"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This number is too short." in html
    assert upstream_posts(seed_directory) == 0
    for name, value in [
        ("people", "people1"),
        ("companies", "company_tenant"),
        ("workspaces", "workspace_sales"),
        ("workspaces", SEED_MARKETING.id),
    ]:
        assert f'<input type="hidden" name="{name}" value="{value}">' in html


def test_an_id_the_directory_does_not_know_is_a_field_error(seed_directory, editor_client: Client):
    response = editor_client.post(reverse("phones:new"), create_form_data(companies=["nope"]))
    html = response.content.decode()
    assert "1 selected companies are not in the local directory any more" in html
    assert upstream_posts(seed_directory) == 0


def test_pasted_international_number_sets_the_country(seed_directory, editor_client: Client):
    data = create_form_data(national_number="+44 20 7946 0958", country="US")
    response = editor_client.post(reverse("phones:new"), data)
    assert response.status_code == 302
    phone = Phone.objects.get(id=data["client_id"])
    assert (phone.country_code, phone.national_number) == (44, "2079460958")


def test_italian_number_keeps_its_leading_zero_upstream(seed_directory, editor_client: Client):
    data = create_form_data(national_number="06 1234 5678", country="IT")
    editor_client.post(reverse("phones:new"), data)
    stored = seed_directory.state.get_phone(data["client_id"])
    phone = Phone.objects.get(id=data["client_id"])
    assert phone.national_number == "0612345678"
    assert phone.e164_number == "+390612345678"
    assert stored is not None
