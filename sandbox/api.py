"""The /v1 routes: bearer check, workspace scoping, phones, people, companies, workspaces."""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from sandbox.documents import (
    ApiError,
    Reply,
    company_resource,
    created_phone_document,
    included_for,
    person_resource,
    phone_resource,
    validation_error,
    workspace_resource,
)
from sandbox.ordering import ORDER_FIELDS
from sandbox.pagination import bad_cursor, decode_cursor, decode_phone_cursor, encode_cursor
from sandbox.pagination import phone_cursor as make_phone_cursor
from sandbox.state import SandboxState
from sandbox.validation import validate_create

Query = Mapping[str, list[str]]
ITEM_ROUTE = re.compile(r"/v1/(phones|people|companies|workspaces)/([^/]+)")
COLLECTIONS = ("phones", "people", "companies", "workspaces")


def route_key(method: str, path: str) -> str:
    """The route template a request belongs to, e.g. "GET /v1/phones/{id}"."""
    match = ITEM_ROUTE.fullmatch(path)
    if match:
        return f"{method} /v1/{match.group(1)}/{{id}}"
    return f"{method} {path}"


def _param(query: Query, name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _int_param(query: Query, name: str, default: int, low: int, high: int) -> int:
    text = _param(query, name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise validation_error(name, "invalid_type", f"{name} must be an integer") from None
    if not low <= value <= high:
        raise validation_error(name, "invalid_value", f"{name} must be between {low} and {high}")
    return value


def _choice(query: Query, name: str, choices: tuple[str, ...]) -> str:
    value = _param(query, name) or choices[0]
    if value not in choices:
        raise validation_error(name, "invalid_value", f"{name} must be one of {', '.join(choices)}")
    return value


def _timestamp(query: Query, name: str) -> float | None:
    text = _param(query, name)
    if text is None or text == "":
        return None
    # A literal "+" in an unencoded query string arrives as a space.
    for candidate in (text, text.replace(" ", "+")):
        try:
            moment = datetime.fromisoformat(candidate)
            break
        except ValueError:
            continue
    else:
        raise validation_error(name, "invalid_format", f"{name} must be an ISO-8601 date-time")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _not_found(kind: str, code: str, item_id: str) -> ApiError:
    return ApiError(404, code, f"{kind} {item_id} was not found", issue="not_found")


def handle(
    state: SandboxState,
    method: str,
    path: str,
    query: Query,
    headers: Mapping[str, str],
    body: bytes,
) -> Reply:
    """Answer one /v1 request (raises ApiError for error answers)."""
    supplied = headers.get("Authorization") or ""
    expected = f"Bearer {state.token}"
    if not hmac.compare_digest(supplied.encode(), expected.encode()):
        raise ApiError(
            401,
            "UNAUTHORIZED",
            "A valid bearer token is required",
            issue="invalid_token" if supplied else "missing_token",
            headers={"WWW-Authenticate": 'Bearer realm="wellapp"'},
        )
    workspace_id = _param(query, "workspaceId")
    if workspace_id is not None and state.find_workspace(workspace_id) is None:
        raise ApiError(
            403,
            "FORBIDDEN",
            "This token cannot access that workspace",
            path="workspaceId",
            issue="forbidden",
        )
    segments = path.split("/")[2:]
    if not segments or segments[0] not in COLLECTIONS or len(segments) > 2:
        raise ApiError(404, "NOT_FOUND", f"No route for {path}", issue="not_found")
    collection = segments[0]
    allowed = ("GET", "POST") if collection == "phones" and len(segments) == 1 else ("GET",)
    if method not in allowed:
        raise ApiError(
            405,
            "METHOD_NOT_ALLOWED",
            f"{method} is not allowed on {path}",
            issue="method_not_allowed",
            headers={"Allow": ", ".join(allowed)},
        )
    if len(segments) == 2:
        return Reply(200, _get_one(state, collection, unquote(segments[1]), workspace_id))
    if collection == "phones":
        if method == "POST":
            return Reply(201, _create_phone(state, body))
        return Reply(200, list_phones(state, query, workspace_id))
    if collection == "people":
        return Reply(200, _list_people(state, query))
    return Reply(200, _list_directory(state, collection, query))


def _create_phone(state: SandboxState, body: bytes) -> dict[str, Any]:
    phone = state.create_phone(validate_create(body))
    return created_phone_document(phone, state.directory)


def _get_one(
    state: SandboxState, collection: str, item_id: str, workspace_id: str | None
) -> dict[str, Any]:
    if collection == "phones":
        phone = state.get_phone(item_id, workspace_id)
        if phone is None:
            raise _not_found("Phone", "PHONE_NOT_FOUND", item_id)
        return {
            "data": phone_resource(phone),
            "included": included_for([phone], state.directory),
        }
    if collection == "people":
        person = state.find_person(item_id)
        if person is None:
            raise _not_found("Person", "PERSON_NOT_FOUND", item_id)
        return {"data": person_resource(person)}
    if collection == "companies":
        company = state.find_company(item_id)
        if company is None:
            raise _not_found("Company", "COMPANY_NOT_FOUND", item_id)
        return {"data": company_resource(company)}
    workspace = state.find_workspace(item_id)
    if workspace is None:
        raise _not_found("Workspace", "WORKSPACE_NOT_FOUND", item_id)
    return {"data": workspace_resource(workspace)}


def list_phones(state: SandboxState, query: Query, workspace_id: str | None) -> dict[str, Any]:
    limit = _int_param(query, "limit", 50, 1, 200)
    order = _choice(query, "orderBy", ORDER_FIELDS)
    descending = _choice(query, "sort", ("asc", "desc")) == "desc"
    since_values = [
        value
        for value in (
            _timestamp(query, "updated_since"),
            _timestamp(query, "filter[updated_at][gte]"),
        )
        if value is not None
    ]
    cursor = _param(query, "cursor")
    after = decode_phone_cursor(cursor, order) if cursor else None
    items, total, more = state.list_phones(
        order=order,
        descending=descending,
        after=after,
        limit=limit,
        workspace_id=workspace_id,
        since=max(since_values) if since_values else None,
    )
    phones = [phone for _, phone in items]
    return {
        "data": [phone_resource(phone) for phone in phones],
        "included": included_for(phones, state.directory),
        "meta": {"total": total, "count": len(phones)},
        "links": {"next": make_phone_cursor(order, items[-1][0]) if more and items else None},
    }


def _list_people(state: SandboxState, query: Query) -> dict[str, Any]:
    page = _int_param(query, "page", 1, 1, 10**9)
    limit = _int_param(query, "limit", 50, 1, 100)
    total = state.data.sizes.people
    start = min((page - 1) * limit, total)
    end = min(start + limit, total)
    return {
        "data": [person_resource(state.data.person(k)) for k in range(start, end)],
        "meta": {"total": total, "page": page, "limit": limit},
    }


def _list_directory(state: SandboxState, collection: str, query: Query) -> dict[str, Any]:
    limit = _int_param(query, "limit", 50, 1, 200)
    data = state.data
    if collection == "companies":
        total = data.sizes.companies
        index_of: Callable[[str], int | None] = data.company_index
        render: Any = lambda k: company_resource(data.company(k))  # noqa: E731
    else:
        total = data.sizes.workspaces
        index_of = data.workspace_index.get
        render = lambda k: workspace_resource(data.workspaces[k])  # noqa: E731
    start = 0
    cursor = _param(query, "cursor")
    if cursor:
        parts = decode_cursor(cursor)
        if len(parts) != 2 or parts[0] != collection or not isinstance(parts[1], str):
            raise bad_cursor()
        last = index_of(parts[1])
        if last is None:
            raise bad_cursor()
        start = last + 1
    end = min(start + limit, total)
    items = [render(k) for k in range(start, end)]
    more = end < total
    return {
        "data": items,
        "meta": {"total": total, "count": len(items)},
        "links": {"next": encode_cursor(collection, items[-1]["id"]) if more else None},
    }
