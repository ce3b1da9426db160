"""Client for WellApp's REST API: the calls the product makes.

One :class:`WellAppClient` owns one pooled ``requests.Session``; every call goes through
its single ``_request()`` (see :mod:`phones.upstream.transport`). ``create_phone`` sends a
create once; ``create_phone_confirmed`` is the create the product makes: it re-sends the
same document (same client-generated id, so never a second phone) until WellApp confirms
it, looking the phone up by that id whenever a send's outcome is unknown.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import quote

from phones.metrics import wellapp_retry_counted
from phones.upstream.documents import format_timestamp
from phones.upstream.errors import (
    AuthRejected,
    BadResponse,
    Conflict,
    NotFound,
    Rejected,
    Unavailable,
    UpstreamError,
)
from phones.upstream.reader import (
    parse_companies,
    parse_people,
    parse_phones,
    parse_workspaces,
)
from phones.upstream.records import (
    CompanyRecord,
    Page,
    PersonRecord,
    PhoneRecord,
    WorkspaceRecord,
)
from phones.upstream.transport import Answer, HttpTransport

logger = logging.getLogger("phones.upstream")

MAX_PHONE_LIMIT = 200
MAX_PEOPLE_LIMIT = 100
MAX_DIRECTORY_LIMIT = 200


class WellAppClient(HttpTransport):
    """Talks to WellApp's ``/v1`` API: creates phones and reads phones and the directory.

    ``WellAppClient(base_url, token, timeout=(connect, read), session=None, *,
    policy=RetryPolicy(), pool_maxsize=10)``; see
    :class:`~phones.upstream.transport.HttpTransport` for how calls are made and
    :class:`~phones.upstream.policy.RetryPolicy` for how they are retried.
    """

    # Phones

    def create_phone_confirmed(
        self, document: Mapping[str, Any], *, budget: float | None = None
    ) -> PhoneRecord:
        """Create the phone ``document`` describes and return it once WellApp confirms it.

        The same document is re-sent as the client's policy says, within ``budget`` seconds
        (the policy's deadline when None). When a send's outcome is unknown (timeout,
        dropped connection, unreadable 2xx answer) or WellApp answers 409, the phone is
        looked up by its id first: found, it is the answer. A rejection (``Rejected``) or a
        refused token (``AuthRejected``) is raised at once; when the budget or the attempts
        run out, the last failure is raised.
        """
        phone_id = str(document["data"]["id"])
        give_up_at = self.policy.give_up_at(budget)
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._create_once(document, phone_id, give_up_at)
            except (Rejected, AuthRejected):
                raise
            except UpstreamError as exc:
                delay = self.policy.delay(attempt, exc.retry_after)
                if not self.policy.may_retry(attempt, delay, give_up_at):
                    raise
                logger.info("Create of phone %s not confirmed (attempt %d)", phone_id, attempt)
                wellapp_retry_counted(operation="create_phone")
                time.sleep(delay)

    def _create_once(
        self, document: Mapping[str, Any], phone_id: str, give_up_at: float
    ) -> PhoneRecord:
        """One send of a create, and the lookup that settles an outcome it left open."""
        try:
            return self.create_phone(document, give_up_at=give_up_at)
        except Conflict:
            found = self._phone_if_exists(phone_id, give_up_at)
            if found is None:
                raise
            return found  # an earlier send of this same id created it
        except (Unavailable, BadResponse) as exc:
            if _outcome_unknown(exc):
                found = self._phone_if_exists(phone_id, give_up_at)
                if found is not None:
                    return found
            raise

    def _phone_if_exists(self, phone_id: str, give_up_at: float) -> PhoneRecord | None:
        """The phone if WellApp has it, None if it does not (raises when WellApp cannot say).
        Its ``related`` is the answer it came in."""
        try:
            page = self.get_phone(phone_id, give_up_at=give_up_at)
        except NotFound:
            return None
        return replace(page.items[0], related=page)

    def create_phone(
        self,
        document: Mapping[str, Any],
        *,
        workspace_id: str | None = None,
        give_up_at: float | None = None,
    ) -> PhoneRecord:
        """``POST /v1/phones`` with a document from ``build_phone_document``; sent once.

        Returns the created phone; its ``related`` holds the whole parsed answer. On a
        timeout or dropped connection the error has ``sent=True``: the phone may exist.
        """
        answer = self._request(
            "POST", "/phones", params=_scope(workspace_id), body=document, give_up_at=give_up_at
        )
        page = self._parse(parse_phones, answer, sent=True)
        if not page.items:
            raise BadResponse(
                "WellApp confirmed the create but sent no phone back.",
                status=answer.status,
                trace_id=answer.trace_id,
                sent=True,
                method="POST",
                endpoint=answer.endpoint,
            )
        wanted = document.get("data", {}).get("id") if isinstance(document, Mapping) else None
        phone = next((item for item in page.items if item.id == wanted), page.items[0])
        return replace(phone, related=page)

    def get_phone(
        self,
        phone_id: str,
        *,
        workspace_id: str | None = None,
        give_up_at: float | None = None,
    ) -> Page[PhoneRecord]:
        """``GET /v1/phones/{id}``: the phone (``items[0]``) and its related records."""
        path = f"/phones/{quote(str(phone_id), safe='')}"
        answer = self._request("GET", path, params=_scope(workspace_id), give_up_at=give_up_at)
        page = self._parse(parse_phones, answer)
        if not page.items:
            raise NotFound(
                "WellApp has no such phone.",
                status=answer.status,
                trace_id=answer.trace_id,
                sent=True,
                method="GET",
                endpoint=answer.endpoint,
            )
        return page

    def iter_phone_pages(
        self,
        since: datetime | None = None,
        limit: int = 200,
        *,
        workspace_id: str | None = None,
    ) -> Iterator[Page[PhoneRecord]]:
        """Every phone, page by page, following ``links.next``.

        With ``since``, only phones updated at or after it, oldest change first, so an
        interrupted sync can resume from the last ``updated_at`` it stored. Without it,
        every phone in creation order.
        """
        params: dict[str, Any] = {"limit": _clamp(limit, MAX_PHONE_LIMIT), **_scope(workspace_id)}
        if since is not None:
            params |= {"updated_since": format_timestamp(since), "orderBy": "updated_at"}
        else:
            params["orderBy"] = "created_at"
        params["sort"] = "asc"
        yield from self._cursor_pages("/phones", params, parse_phones)

    # Directory

    def iter_people_pages(self, limit: int = 100) -> Iterator[Page[PersonRecord]]:
        """Every person: follows ``links.next`` when WellApp sends one, otherwise pages by
        number until a short page."""
        limit = _clamp(limit, MAX_PEOPLE_LIMIT)
        number = 1
        previous: list[str] | None = None
        while True:
            answer = self._request("GET", "/people", params={"page": number, "limit": limit})
            page = self._parse(parse_people, answer)
            ids = [person.id for person in page.items]
            if ids and ids == previous:
                raise BadResponse("WellApp sent the same page of people twice.")
            yield page
            if page.next_cursor:
                params = {"limit": limit}
                yield from self._cursor_pages("/people", params, parse_people, page.next_cursor)
                return
            if len(ids) < limit or (page.total is not None and number * limit >= page.total):
                return
            number += 1
            previous = ids

    def iter_company_pages(self, limit: int = 200) -> Iterator[Page[CompanyRecord]]:
        """Every company, following ``links.next``."""
        params = {"limit": _clamp(limit, MAX_DIRECTORY_LIMIT)}
        yield from self._cursor_pages("/companies", params, parse_companies)

    def iter_workspace_pages(self, limit: int = 200) -> Iterator[Page[WorkspaceRecord]]:
        """Every workspace, following ``links.next``."""
        params = {"limit": _clamp(limit, MAX_DIRECTORY_LIMIT)}
        yield from self._cursor_pages("/workspaces", params, parse_workspaces)

    def ping(self, *, budget: float | None = None) -> bool:
        """True when WellApp answers an authenticated read; one attempt, never raises."""
        try:
            self.check(budget=budget)
        except UpstreamError:
            return False
        return True

    def check(self, *, budget: float | None = None) -> Answer:
        """One authenticated read (the smallest page of workspaces), one attempt, ending
        within ``budget`` seconds (the policy's deadline when None). Returns the answer;
        raises an :mod:`phones.upstream.errors` class when WellApp does not give a 2xx."""
        give_up_at = self.policy.give_up_at(budget)
        return self._request(
            "GET", "/workspaces", params={"limit": 1}, retry=False, give_up_at=give_up_at
        )

    # Plumbing

    def _cursor_pages[T](
        self,
        path: str,
        params: dict[str, Any],
        parser: Callable[[Any], Page[T]],
        cursor: str | None = None,
    ) -> Iterator[Page[T]]:
        seen: set[str] = set()
        while True:
            if cursor is None:
                target, query = path, params
            elif "://" in cursor or "?" in cursor:
                target, query = cursor, None
            else:
                target, query = path, {**params, "cursor": cursor}
            page = self._parse(parser, self._request("GET", target, params=query))
            yield page
            cursor = page.next_cursor
            if not cursor:
                return
            if cursor in seen:
                raise BadResponse("WellApp sent the same pagination cursor twice.")
            seen.add(cursor)

    def _parse[T](
        self, parser: Callable[[Any], Page[T]], answer: Answer, *, sent: bool = False
    ) -> Page[T]:
        try:
            page = parser(answer.body)
        except BadResponse as exc:
            raise BadResponse(
                exc.message,
                status=answer.status,
                trace_id=answer.trace_id,
                sent=sent,
                endpoint=answer.endpoint,
            ) from exc
        return replace(page, trace_id=answer.trace_id)


def _outcome_unknown(exc: UpstreamError) -> bool:
    """Whether a failed send may still have created the phone."""
    if not exc.sent:
        return False  # never reached WellApp
    # An error answer (429, 5xx) means WellApp handled it and did not create; anything else
    # (timeout, dropped connection, unreadable answer) leaves the outcome open.
    return exc.status is None or 200 <= exc.status < 300


def _scope(workspace_id: str | None) -> dict[str, str]:
    return {"workspaceId": workspace_id} if workspace_id else {}


def _clamp(limit: int, maximum: int) -> int:
    return max(1, min(int(limit), maximum))
