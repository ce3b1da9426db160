"""Whatever reaches the create form, the answer is a page, never a server error."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phones.models import Phone

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(180)]

hostile = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\x00",
            "+1 (415) 555-2671",
            "06 1234 5678",
            "9" * 500,
            "\u202e1234",
            "\uff10\uff16\uff11\uff12\uff13\uff14",  # full-width digits
        ]
    ),
)


@given(
    country=st.one_of(st.sampled_from(["US", "GB", "IT", "ZZ", ""]), st.text(max_size=5)),
    number=hostile,
    label=st.one_of(st.sampled_from(["work", "mobile", "nope", ""]), st.text(max_size=10)),
    client_id=st.one_of(st.uuids().map(str), st.text(max_size=40)),
    people=st.lists(hostile, max_size=3),
    primary=st.sampled_from(["on", "", "true", "\x00"]),
)
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_random_form_input_never_yields_a_server_error(
    wellapp, editor_client: Client, country, number, label, client_id, people, primary
):
    data = {
        "client_id": client_id,
        "country": country,
        "national_number": number,
        "label": label,
        "is_primary": primary,
        "people": people,
    }
    response = editor_client.post(reverse("phones:new"), data)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert Phone.objects.filter(id=client_id).exists()


@given(number=hostile, country=st.text(max_size=4))
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_number_preview_answers_anything_typed(editor_client: Client, number, country):
    response = editor_client.get(
        reverse("phones:number_preview"), {"national_number": number, "country": country}
    )
    assert response.status_code == 200
    assert b"<script" not in response.content
