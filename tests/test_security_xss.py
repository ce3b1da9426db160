"""Strings from WellApp are data: markup in a name or a label is shown as text everywhere."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from phones.services.listing import listing_refresh
from tests.factories import make_company, make_person, make_phone, make_workspace

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
LABEL = "<img src=x onerror=alert(2)>"  # labels are at most 50 characters
LABEL_ESCAPED = "&lt;img src=x onerror=alert(2)&gt;"


@pytest.fixture
def hostile():
    phone = make_phone(1, label=LABEL)
    phone.people.add(make_person("p1", PAYLOAD, "evil@example.com"))
    phone.companies.add(make_company("c1", PAYLOAD, "evil.example"))
    phone.workspaces.add(make_workspace("w1", PAYLOAD))
    listing_refresh(phone_ids=[phone.id])
    return phone


@pytest.mark.parametrize("where", ["list", "detail"])
def test_markup_from_wellapp_renders_as_text_on_pages(hostile, viewer_client: Client, where):
    url = reverse("phones:list") if where == "list" else reverse("phones:detail", args=[hostile.id])
    html = viewer_client.get(url).content.decode()
    assert PAYLOAD not in html
    assert "<img src=x" not in html
    assert "<img src=x onerror=alert(2)>" not in html
    assert html.count(ESCAPED) >= 3  # person, company, workspace
    assert LABEL_ESCAPED in html


@pytest.mark.parametrize("kind", ["people", "companies", "workspaces"])
def test_markup_in_picker_options_renders_as_text(hostile, editor_client: Client, kind):
    html = editor_client.get(reverse("phones:picker", args=[kind]), {"q": "script"}).content
    assert PAYLOAD.encode() not in html
    assert ESCAPED.encode() in html


def test_markup_in_the_csv_is_plain_text(hostile, viewer_client: Client):
    response = viewer_client.get(reverse("phones:export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][4] == LABEL
    assert rows[1][7:10] == [PAYLOAD, PAYLOAD, PAYLOAD]
