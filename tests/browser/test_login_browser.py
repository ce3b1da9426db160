"""A support agent logs in with a real browser and reaches the phones page."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, make_phone

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_agent_logs_in_sees_cached_phones_and_logs_out(page: Page, live_server, viewer: User):
    make_phone(7)
    page.goto(f"{live_server.url}/phones/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/phones/")

    page.get_by_label("Username").fill("vera.viewer")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/phones/")
    expect(page.get_by_role("heading", name="Phones")).to_be_visible()
    expect(page.get_by_role("link", name="+1 415-555-0007")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
