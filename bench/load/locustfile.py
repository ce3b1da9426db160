"""Support staff using the portal, as locust users. Started by ``python -m bench.load.run``.

Each simulated member of staff logs in through the login form, then mixes what staff do all
day: open the phones list and page through it, search by a fragment of a number or by a
surname, filter by a workspace, search a directory picker, and now and then create a phone
through the new-phone form. Searches, pages and pickers are sent the way the browser sends
them from the page (htmx requests for a fragment).

The measured window (``WELLUI_LOAD_SECONDS``, 60 by default) starts when the last user has
logged in, and the run stops by itself when it ends. Inputs come from the JSON file named by
``WELLUI_LOAD_DATA`` (the login, and numbers, surnames and ids read from the cache before the
run; ``links``: the people, companies and workspaces a create may link, which WellApp must know
too). When the run stops, every request's start, time, outcome and web node, and the window,
go to the JSON file named by ``WELLUI_LOAD_SAMPLES``. With ``WELLUI_LOAD_HOSTS`` (base URLs,
space-separated) the users are spread over those web nodes: user n works on node n modulo
their number.
"""

import html
import itertools
import json
import os
import random
import re
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import gevent
import phonenumbers
from locust import FastHttpUser, between, events, task
from locust.env import Environment

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CLIENT_ID_INPUT = re.compile(r'name="client_id" value="([0-9a-f-]{36})"')
NEXT_LINK = re.compile(r'<a href="([^"]*)"[^>]*rel="next"')
ROW_LINK = re.compile(r"data-e164=")
DETAIL_PATH = re.compile(r"^/phones/([0-9a-f-]{36})/$")
HTMX = {"HX-Request": "true"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
PAGES_PER_VISIT = 5
# Each picker of the list's filters (its kind is its field's name there) and how often it is used.
PICKER_KINDS = (("people", 6), ("companies", 3), ("workspaces", 1))
# US area codes the created numbers use; exchange and line come from a counter.
AREA_CODES = (212, 213, 305, 312, 404, 415, 512, 617, 702, 206)

_data: dict[str, Any] = {}
# name, start (epoch s), ms, failed, web node (host:port)
_samples: list[tuple[str, float, float, bool, str]] = []
_failures: dict[str, int] = {}
_user_errors: dict[str, int] = {}
_clock: dict[str, float] = {}
_logins = itertools.count(1)
_users = itertools.count()
_hosts = os.environ.get("WELLUI_LOAD_HOSTS", "").split()
_numbers = itertools.count(random.randrange(3_000_000))
_area = random.choice(AREA_CODES)


def data() -> dict[str, Any]:
    """The run's inputs, read once."""
    if not _data:
        _data.update(json.loads(Path(os.environ["WELLUI_LOAD_DATA"]).read_text()))
    return _data


def wait_bounds() -> tuple[float, float]:
    low = float(os.environ.get("WELLUI_LOAD_WAIT_MIN", "0.5"))
    high = float(os.environ.get("WELLUI_LOAD_WAIT_MAX", "2.0"))
    return low, max(low, high)


def fresh_number() -> str:
    """A valid US number, different on every call within this run."""
    while True:
        n = next(_numbers)
        exchange, line = 200 + (n // 10_000) % 800, n % 10_000
        national = f"{_area}{exchange:03d}{line:04d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(national, "US")):
            return national


def digit_fragment(e164: str) -> str:
    """Five to seven consecutive digits of a number's national part."""
    digits = e164.lstrip("+")[-10:]
    size = random.randint(5, min(7, len(digits)))
    start = random.randint(0, len(digits) - size)
    return digits[start : start + size]


def measure_from_now(environment: Environment) -> None:
    """Start the measured window (once every user has logged in); the run stops when it ends."""
    _clock["window_start"] = time.time()
    seconds = float(os.environ.get("WELLUI_LOAD_SECONDS", "60"))
    _clock["window_end"] = _clock["window_start"] + seconds
    assert environment.runner is not None
    gevent.spawn_later(seconds, environment.runner.quit)


@events.test_start.add_listener
def _started(**_: Any) -> None:
    _clock["start"] = time.time()


@events.request.add_listener
def _recorded(
    name: str, response_time: float, exception: Exception | None, url: str = "", **_: Any
) -> None:
    started = time.time() - response_time / 1000
    _samples.append((name, started, response_time, exception is not None, urlsplit(url).netloc))
    if exception is not None:
        key = f"{name}: {str(exception)[:200]}"
        _failures[key] = _failures.get(key, 0) + 1


@events.user_error.add_listener
def _user_error(exception: Exception, **_: Any) -> None:
    key = f"{type(exception).__name__}: {str(exception)[:200]}"
    _user_errors[key] = _user_errors.get(key, 0) + 1


@events.test_stop.add_listener
def _stopped(**_: Any) -> None:
    target = os.environ.get("WELLUI_LOAD_SAMPLES")
    if not target:
        return
    report = {
        **_clock,
        "stopped": time.time(),
        "samples": _samples,
        "failures": _failures,
        "user_errors": _user_errors,
        "mix": dict(Counter(getattr(t, "__name__", type(t).__name__) for t in SupportStaff.tasks)),
    }
    Path(target).write_text(json.dumps(report))


class SupportStaff(FastHttpUser):
    """One member of support staff with an editor login."""

    wait_time = between(*wait_bounds())

    def __init__(self, environment: Environment) -> None:
        if _hosts:  # before the client is made: it is bound to the user's host
            self.host = _hosts[next(_users) % len(_hosts)]
        super().__init__(environment)

    def on_start(self) -> None:
        self.next_url: str | None = None
        self.pages = 0
        try:
            self.log_in()
        finally:
            if next(_logins) == self.environment.parsed_options.num_users:
                measure_from_now(self.environment)

    def log_in(self) -> None:
        login = data()
        with self.client.get("/accounts/login/", name="login: form", catch_response=True) as r:
            token = CSRF_INPUT.search(r.text or "")
            if r.status_code != 200 or token is None:
                r.failure(f"login form: status {r.status_code}, csrf token found: {bool(token)}")
                return
        body = urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": login["username"],
                "password": login["password"],
                "next": "",
            }
        )
        with self.client.post(
            "/accounts/login/",
            data=body,
            headers=FORM,
            name="login: submit",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 302 or r.headers.get("Location") != "/phones/":
                r.failure(f"login: status {r.status_code}, Location {r.headers.get('Location')}")

    def _list(self, url: str, name: str, *, htmx: bool, expect_rows: bool) -> str:
        with self.client.get(
            url, name=name, headers=HTMX if htmx else None, catch_response=True
        ) as r:
            text = r.text or ""
            if r.status_code != 200 or 'id="phone-results"' not in text:
                r.failure(
                    f"status {r.status_code}, results region present: {'phone-results' in text}"
                )
            elif expect_rows and not ROW_LINK.search(text):
                r.failure("no matching phone on the page")
            return text

    def _remember_next(self, text: str) -> None:
        link = NEXT_LINK.search(text)
        self.next_url = "/phones/" + html.unescape(link.group(1)) if link else None

    @task(4)
    def list_first_page(self) -> None:
        text = self._list("/phones/", "list: first page", htmx=False, expect_rows=True)
        self._remember_next(text)
        self.pages = 0

    @task(3)
    def list_next_page(self) -> None:
        if self.next_url is None or self.pages >= PAGES_PER_VISIT:
            self.list_first_page()
            return
        text = self._list(self.next_url, "list: next page", htmx=True, expect_rows=True)
        self._remember_next(text)
        self.pages += 1

    @task(3)
    def search_digits(self) -> None:
        fragment = digit_fragment(random.choice(data()["numbers"]))
        self._list(f"/phones/?q={fragment}", "search: digits", htmx=True, expect_rows=True)

    @task(3)
    def search_name(self) -> None:
        surname = random.choice(data()["surnames"])
        url = "/phones/?" + urlencode({"q": surname})
        self._list(url, "search: name", htmx=True, expect_rows=True)

    @task(2)
    def filter_workspace(self) -> None:
        workspace = random.choice(data()["workspaces"])
        url = "/phones/?" + urlencode({"workspaces": workspace})
        self._list(url, "filter: workspace", htmx=True, expect_rows=False)

    @task(3)
    def picker_search(self) -> None:
        kind, _ = random.choices(PICKER_KINDS, weights=[k[1] for k in PICKER_KINDS])[0]
        term = random.choice(data()["picker_terms"][kind])
        url = f"/phones/pickers/{kind}/?" + urlencode({"picker": kind, "q": term})
        with self.client.get(url, name=f"picker: {kind}", headers=HTMX, catch_response=True) as r:
            if r.status_code != 200 or 'role="option"' not in (r.text or ""):
                r.failure(f"status {r.status_code}, no option for {term!r}")

    @task(1)
    def create_phone(self) -> None:
        with self.client.get("/phones/new/", name="create: form", catch_response=True) as r:
            text = r.text or ""
            token, client_id = CSRF_INPUT.search(text), CLIENT_ID_INPUT.search(text)
            if r.status_code != 200 or token is None or client_id is None:
                r.failure(f"new-phone form: status {r.status_code}")
                return
        links = data()["links"]
        fields = [
            ("csrfmiddlewaretoken", token.group(1)),
            ("client_id", client_id.group(1)),
            ("country", "US"),
            ("national_number", fresh_number()),
            ("label", random.choice(("work", "mobile", "home"))),
        ]
        # A person and a workspace, and half the time a company, of those WellApp knows too.
        for kind in ("people", "workspaces", *(("companies",) if random.random() < 0.5 else ())):
            if links[kind]:
                fields.append((kind, random.choice(links[kind])))
        with self.client.post(
            "/phones/new/",
            data=urlencode(fields),
            headers=FORM,
            name="create: submit",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            location = r.headers.get("Location") or ""
            created = DETAIL_PATH.match(location)
            if r.status_code != 302 or created is None:
                r.failure(f"create: status {r.status_code}, Location {location!r}")
                return
            if uuid.UUID(created.group(1)) != uuid.UUID(client_id.group(1)):
                r.failure(f"create: redirected to {location}, not the phone {client_id.group(1)}")
                return
        with self.client.get(location, name="create: detail page", catch_response=True) as r:
            if r.status_code != 200 or "created in WellApp" not in (r.text or ""):
                r.failure(f"detail page: status {r.status_code}")
