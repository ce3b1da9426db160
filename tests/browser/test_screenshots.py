"""`make screenshots`: every screen in every state, at 1280x800 and 390x844, light and dark,
as PNG files under screenshots/<width>-<scheme>/ (not part of the test suite)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.screens import SCHEMES, SCREENS, VIEWPORTS, build_site, visit

pytestmark = [
    pytest.mark.screenshots,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(600),
]

OUTPUT = Path(os.environ.get("SCREENSHOTS_DIR") or Path(__file__).parents[2] / "screenshots")


def test_take_a_screenshot_of_every_screen(
    browser: Browser, live_server, wellapp, settings, editor, viewer
):
    site = build_site(
        url=live_server.url, sandbox=wellapp, settings=settings, editor=editor, viewer=viewer
    )
    order = {name: n for n, (name, _, _) in enumerate(SCREENS, start=1)}
    taken: list[Path] = []
    for viewport in VIEWPORTS:
        for scheme in SCHEMES:
            folder = OUTPUT / f"{viewport}-{scheme}"
            folder.mkdir(parents=True, exist_ok=True)

            def shoot(page: Page, name: str, folder: Path = folder) -> None:
                path = folder / f"{order[name]:02d}-{name}.png"
                page.screenshot(path=str(path), full_page=True, animations="disabled")
                taken.append(path)

            visit(browser, site, viewport, scheme, shoot)
    assert len(taken) == len(SCREENS) * len(VIEWPORTS) * len(SCHEMES)
