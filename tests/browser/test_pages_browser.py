"""In a real browser: someone without a support role gets a page that says what to do and lets
them log out, and a copy button puts the number on the clipboard."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import serious_violations
from tests.factories import make_phone

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(90),
]


def test_user_without_a_role_is_told_to_ask_an_administrator_and_can_log_out(
    page: Page, live_server, logged_in_page
):
    logged_in_page("nobody")

    refusal = page.locator("[data-refusal]")
    expect(page.get_by_role("heading", name="Your account has no support role yet")).to_be_visible()
    expect(refusal).to_contain_text("A wellui administrator must add you to Support viewers")
    expect(refusal).to_contain_text("or Support editors")
    expect(page.locator("header.topbar")).to_contain_text("nora.nobody")  # the portal's layout
    assert page.locator("header.topbar").evaluate("e => getComputedStyle(e).display") == "flex"
    assert serious_violations(page) == []

    refusal.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    page.goto(f"{live_server.url}/phones/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/phones/")


def test_copy_button_puts_the_e164_number_on_the_clipboard(page: Page, live_server, logged_in_page):
    phone = make_phone(42)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    logged_in_page("viewer", f"/phones/{phone.id}/")

    button = page.get_by_role("button", name="Copy E.164")
    button.focus()
    page.keyboard.press("Enter")  # a button: the keyboard works as well as the mouse

    expect(button).to_have_text("Copied")
    expect(page.locator("[data-copy-status]")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == "+14155550042"
    expect(button).to_have_text("Copy", timeout=3000)  # back after a moment
    assert serious_violations(page) == []
