"""The cluster as staff, a load balancer and Prometheus see it, over plain HTTP on loopback: a
browser that logs in and creates phones through the new-phone form, and the probes
(``/healthz``, ``/readyz``) and metrics (``/metrics``) of each web node."""

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from typing import Any

import phonenumbers

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CLIENT_ID_INPUT = re.compile(r'name="client_id" value="([0-9a-f-]{36})"')
# What the form says when WellApp did not confirm a create, and the button that queues it.
UNCONFIRMED = "WellApp did not confirm the new phone in time"
QUEUE_BUTTON = 'name="queue" value="1"'
QUEUE_PAGE = "/phones/queue/"
METRIC_LINE = re.compile(r"^([a-z_]+)(?:\{([^}]*)\})? ([-+0-9.eEinfINFaN]+)$")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def opener(*handlers: urllib.request.BaseHandler) -> urllib.request.OpenerDirector:
    """A client that never goes through a proxy (every address is on this machine)."""
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), *handlers)


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: 0 as the status when none came (refused, reset, timed out)."""

    status: int
    body: str = ""
    location: str = ""
    seconds: float = 0.0


def fetch(
    client: urllib.request.OpenerDirector,
    url: str,
    *,
    form: list[tuple[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> Answer:
    """GET ``url`` (POST ``form`` when given, as a browser does); never raises for an error
    status or a failed connection."""
    data = None if form is None else urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
    started = time.monotonic()
    try:
        with client.open(request, timeout=timeout) as response:
            body = response.read().decode(errors="replace")
            status, location = response.status, response.headers.get("Location", "")
    except urllib.error.HTTPError as error:
        body = error.read().decode(errors="replace")
        status, location = error.code, error.headers.get("Location", "")
    except (OSError, urllib.error.URLError):
        return Answer(0, seconds=time.monotonic() - started)
    return Answer(status, body, location or "", time.monotonic() - started)


@dataclass(frozen=True)
class QueuedCreate:
    """A phone staff created while WellApp was down: how the form answered the submit (the
    failure page, with its Queue and retry button), then the queuing submit."""

    node: str
    phone_id: str
    e164: str
    submit_status: int
    submit_refused: bool  # the form said WellApp did not confirm, and offered to queue
    submit_seconds: float
    queue_status: int
    queue_location: str

    @property
    def queued(self) -> bool:
        return self.queue_status == 302 and self.queue_location == QUEUE_PAGE


class Staff:
    """A logged-in editor (cookies are per host: one login serves every loopback node)."""

    def __init__(self, username: str, password: str) -> None:
        self.username, self.password = username, password
        self.client = opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect())

    def _token(self, url: str) -> tuple[str, str]:
        page = fetch(self.client, url)
        token = CSRF_INPUT.search(page.body)
        if page.status != 200 or token is None:
            raise RuntimeError(f"{url} answered {page.status} without a form")
        return token[1], page.body

    def log_in(self, node: str) -> None:
        url = f"{node}/accounts/login/"
        token, _ = self._token(url)
        form = [("csrfmiddlewaretoken", token), ("username", self.username)]
        answer = fetch(
            self.client, url, form=[*form, ("password", self.password)], headers={"Referer": url}
        )
        if (answer.status, answer.location) != (302, "/phones/"):
            raise RuntimeError(f"login on {node} answered {answer.status} {answer.location}")

    def create_queued(
        self, node: str, number: str, *, people: list[str], workspaces: list[str]
    ) -> QueuedCreate:
        """Fill in the new-phone form on ``node`` and submit it; when the form answers that
        WellApp did not confirm, press Queue and retry (the same form, ``queue=1``)."""
        url = f"{node}/phones/new/"
        token, html = self._token(url)
        client_id = CLIENT_ID_INPUT.search(html)
        if client_id is None:
            raise RuntimeError(f"{url} has no client id")
        form = [
            ("csrfmiddlewaretoken", token),
            ("client_id", client_id[1]),
            ("country", "US"),
            ("national_number", number),
            ("label", "work"),
            *(("people", person) for person in people),
            *(("workspaces", workspace) for workspace in workspaces),
        ]
        headers = {"Referer": url}
        submit = fetch(self.client, url, form=form, headers=headers, timeout=60)
        offered = UNCONFIRMED in submit.body and QUEUE_BUTTON in submit.body
        refused = submit.status == 200 and offered
        queue = fetch(self.client, url, form=[*form, ("queue", "1")], headers=headers)
        return QueuedCreate(
            node=node,
            phone_id=client_id[1],
            e164=phonenumbers.format_number(
                phonenumbers.parse(number, "US"), phonenumbers.PhoneNumberFormat.E164
            ),
            submit_status=submit.status,
            submit_refused=refused,
            submit_seconds=submit.seconds,
            queue_status=queue.status,
            queue_location=queue.location,
        )


def fresh_numbers(seed: int) -> list[str]:
    """Valid US numbers of one Chicago exchange (``seed`` picks it), about 240 of them."""
    numbers = [f"312{seed % 800 + 200:03d}{line:04d}" for line in range(1000, 10_000, 37)]
    return [n for n in numbers if phonenumbers.is_valid_number(phonenumbers.parse(n, "US"))]


@dataclass(frozen=True)
class Probe:
    """One look at a node: its /healthz and /readyz statuses and what /readyz said."""

    healthz: int
    readyz: int
    wellapp: str  # /readyz's WellApp status: "ok", "unreachable", "unknown" ("" unanswered)
    waiting: int | None  # /readyz's outbox depth


def probe(node: str, *, timeout: float = 10) -> Probe:
    client = opener()
    healthz = fetch(client, f"{node}/healthz", timeout=timeout)
    readyz = fetch(client, f"{node}/readyz", timeout=timeout)
    try:
        report = json.loads(readyz.body) if readyz.status else {}
    except ValueError:
        report = {}
    outbox = report.get("outbox") or {}
    return Probe(
        healthz=healthz.status,
        readyz=readyz.status,
        wellapp=(report.get("wellapp") or {}).get("status", ""),
        waiting=outbox.get("waiting"),
    )


def metrics(node: str, token: str, *, timeout: float = 10) -> dict[str, float] | None:
    """The node's /metrics as ``{"name{labels}": value}`` (None when it did not answer 200)."""
    answer = fetch(
        opener(), f"{node}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=timeout
    )
    if answer.status != 200:
        return None
    values = {}
    for line in answer.body.splitlines():
        found = METRIC_LINE.match(line)
        if found:
            name, labels, value = found.groups()
            values[f"{name}{{{labels}}}" if labels else name] = float(value)
    return values


def outbox_depth(values: dict[str, float]) -> int:
    """Creates waiting for WellApp (queued or retrying), as /metrics counts them."""
    states = ("queued", "retrying")
    return round(sum(values.get(f'wellui_outbox_entries{{state="{s}"}}', 0.0) for s in states))
