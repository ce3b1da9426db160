"""Response headers: a strict Content-Security-Policy with a per-response nonce on the htmx
script, no browser caching of anything that shows phone data, and templates with nothing
inline for the policy to block."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import make_phone

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
HTMX = {"HX-Request": "true"}
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]{22})'")
HTMX_TAG = re.compile(r'<script src="/static/django_htmx/htmx-2\.min\.js" defer nonce="([^"]+)">')
EXPECTED_POLICY = {
    "default-src": "'self'",
    "script-src": "'self' 'nonce-{nonce}'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "object-src": "'none'",
}
FULL_PAGES = ["phones:list", "phones:new", "phones:outbox", "detail"]


def page_url(name: str) -> str:
    return reverse("phones:detail", args=[make_phone(1).id]) if name == "detail" else reverse(name)


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    directives = [part.strip().split(" ", 1) for part in header.split(";")]
    return {name: value for name, value in directives}


@pytest.mark.parametrize("name", FULL_PAGES)
def test_pages_carry_the_exact_policy_with_the_nonce_of_the_htmx_script(
    editor_client: Client, name: str
):
    response = editor_client.get(page_url(name))
    assert response.status_code == 200
    nonce = HTMX_TAG.search(response.content.decode()).group(1)
    expected = {k: v.format(nonce=nonce) for k, v in EXPECTED_POLICY.items()}
    assert policy(response) == expected
    assert list(policy(response)) == list(EXPECTED_POLICY)


def test_the_login_page_carries_the_policy_too(client: Client):
    response = client.get(reverse("login"))
    nonce = HTMX_TAG.search(response.content.decode()).group(1)
    assert policy(response)["script-src"] == f"'self' 'nonce-{nonce}'"
    assert policy(response)["frame-ancestors"] == "'none'"


def test_each_response_gets_its_own_nonce(viewer_client: Client):
    first = viewer_client.get(reverse("phones:list"))
    second = viewer_client.get(reverse("phones:list"))
    nonces = {NONCE.search(r["Content-Security-Policy"]).group(1) for r in (first, second)}
    assert len(nonces) == 2


def test_policy_allows_nothing_inline_and_no_eval(viewer_client: Client):
    header = viewer_client.get(reverse("phones:list"))["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert "unsafe-hashes" not in header


def test_a_fragment_carries_the_policy_without_a_nonce(viewer_client: Client):
    response = viewer_client.get(reverse("phones:list"), headers=HTMX)
    assert "<html" not in response.content.decode()
    assert policy(response)["script-src"] == "'self'"


def test_htmx_is_configured_for_the_policy(viewer_client: Client):
    html = viewer_client.get(reverse("phones:list")).content.decode()
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html).group(1))
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False
    assert config["historyCacheSize"] == 0
    assert "inlineScriptNonce" not in config and "inlineStyleNonce" not in config
    # A refusal (403) is swapped, so its message reaches the alert region; other errors not.
    assert {"code": "403", "swap": True, "error": True} in config["responseHandling"]
    assert config["responseHandling"][-1] == {"code": "[45]..", "swap": False, "error": True}


def test_other_security_headers(viewer_client: Client):
    response = viewer_client.get(reverse("phones:list"))
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def phone_data_responses(client: Client) -> dict[str, object]:
    phone = make_phone(7)
    detail = reverse("phones:detail", args=[phone.id])
    preview = reverse("phones:number_preview")
    return {
        "list": client.get(reverse("phones:list")),
        "list fragment": client.get(reverse("phones:list") + "?q=415", headers=HTMX),
        "detail": client.get(detail),
        "new form": client.get(reverse("phones:new")),
        "new form fragment": client.post(reverse("phones:new"), {}, headers=HTMX),
        "number preview": client.get(preview + "?national_number=4155550107&country=US"),
        "picker": client.get(reverse("phones:picker", args=["people"]) + "?q=a", headers=HTMX),
        "sync status": client.get(reverse("phones:sync_status"), headers=HTMX),
        "export": client.get(reverse("phones:export")),
        "queue": client.get(reverse("phones:outbox")),
    }


def test_nothing_that_shows_phone_data_is_stored_by_a_browser(editor_client: Client):
    for name, response in phone_data_responses(editor_client).items():
        assert response.status_code == 200, name
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= directives, name


def test_login_and_refusal_pages_are_not_stored_either(client: Client, viewer_client: Client):
    assert "no-store" in client.get(reverse("login"))["Cache-Control"]
    refused = viewer_client.post(reverse("phones:sync"))
    assert refused.status_code == 403
    assert "no-store" in refused["Cache-Control"]


# What a strict policy blocks, or what runs code from markup: inline scripts, inline styles,
# event handler attributes, htmx's hx-on, and javascript: URLs.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
HX_ON = re.compile(r"\s(?:hx|data-hx)-on\b", re.IGNORECASE)
JS_URL = re.compile(r"javascript:", re.IGNORECASE)


def template_violations(path: Path, root: Path = TEMPLATES) -> list[str]:
    source = path.read_text(encoding="utf-8")
    found = []
    for label, pattern in [
        ("inline <script>", INLINE_SCRIPT),
        ("inline style", INLINE_STYLE),
        ("event handler attribute", EVENT_HANDLER),
        ("hx-on", HX_ON),
        ("javascript: URL", JS_URL),
    ]:
        for match in pattern.finditer(source):
            line = source.count("\n", 0, match.start()) + 1
            found.append(f"{path.relative_to(root)}:{line}: {label}")
    return found


def test_no_template_has_anything_inline_for_the_policy_to_block():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 10
    violations = [v for path in templates for v in template_violations(path)]
    assert violations == []


def test_the_template_scan_finds_each_kind_of_violation(tmp_path: Path):
    sample = tmp_path / "bad.html"
    sample.write_text(
        "<script>alert(1)</script>\n<script src='/x.js'></script>\n"
        '<p style="color: red" onclick="x()">\n<button hx-on:click="y()">\n'
        '<a href="javascript:void(0)">\n<style>p {}</style>\n',
        encoding="utf-8",
    )
    found = [v.split(": ", 1)[1] for v in template_violations(sample, tmp_path)]
    assert sorted(found) == sorted(
        [
            "inline <script>",
            "inline style",
            "inline style",
            "event handler attribute",
            "hx-on",
            "javascript: URL",
        ]
    )
