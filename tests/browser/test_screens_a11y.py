"""Every screen in every state staff meet passes axe-core without a serious or critical
finding: at 1280x800 and 390x844 in the light scheme, and the colour rules in the dark one.
No screen scrolls sideways at either width."""

from pprint import pformat

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.helpers import serious_violations
from tests.browser.screens import COLOUR_RULES, build_site, visit

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(240),
]

# (viewport, scheme, the axe rules to run: all of them when empty)
VARIANTS = [("1280", "light", ()), ("1280", "dark", COLOUR_RULES), ("390", "light", ())]
# How far the page scrolls sideways, in CSS pixels.
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_every_screen_has_no_serious_accessibility_violation_nor_sideways_scroll(
    browser: Browser, live_server, wellapp, settings, editor, viewer
):
    site = build_site(
        url=live_server.url, sandbox=wellapp, settings=settings, editor=editor, viewer=viewer
    )
    found: dict[str, list[dict]] = {}

    for viewport, scheme, rules in VARIANTS:

        def check(page: Page, name: str, where: str = f"{viewport} {scheme}", rules=rules) -> None:
            violations = serious_violations(page, rules)
            sideways = page.evaluate(SIDEWAYS)
            if sideways > 0:
                violations.append({"id": "sideways-scroll", "pixels": sideways})
            if violations:
                found[f"{name} at {where}"] = violations

        visit(browser, site, viewport, scheme, check)
    assert not found, pformat(found, width=100)
