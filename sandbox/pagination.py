"""Opaque cursors and the keyset walk that merges generated and stored phones."""

from __future__ import annotations

import base64
import binascii
import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sandbox.documents import ApiError
from sandbox.ordering import BaseView
from sandbox.records import Phone

Key = tuple[Any, str]
STRING_ORDERS = ("e164_number", "national_number")


def bad_cursor(message: str = "cursor is not valid for this listing") -> ApiError:
    return ApiError(400, "BAD_REQUEST", message, path="cursor", issue="invalid_value")


def encode_cursor(*parts: Any) -> str:
    text = json.dumps(list(parts), separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise bad_cursor() from None
    if not isinstance(parts, list) or not parts:
        raise bad_cursor()
    return parts


def phone_cursor(order: str, key: Key) -> str:
    return encode_cursor("phones", order, key[0], key[1])


def decode_phone_cursor(cursor: str, order: str) -> Key:
    parts = decode_cursor(cursor)
    if len(parts) != 4 or parts[0] != "phones" or not isinstance(parts[3], str):
        raise bad_cursor()
    if parts[1] != order:
        raise bad_cursor(f"cursor was issued for orderBy={parts[1]}, not orderBy={order}")
    value = parts[2]
    expected = str if order in STRING_ORDERS else int
    if not isinstance(value, expected) or isinstance(value, bool):
        raise bad_cursor()
    return value, parts[3]


def _walk_base(
    view: BaseView,
    key: Callable[[int], Key],
    hidden: set[int],
    after: Key | None,
    descending: bool,
) -> Iterator[tuple[Key, int]]:
    indexes: Sequence[int] = view.indexes
    if descending:
        position = len(indexes) - 1 if after is None else bisect_left(indexes, after, key=key) - 1
        step = -1
    else:
        position = 0 if after is None else bisect_right(indexes, after, key=key)
        step = 1
    predicate = view.predicate
    while 0 <= position < len(indexes):
        i = indexes[position]
        position += step
        if i in hidden or (predicate is not None and not predicate(i)):
            continue
        yield key(i), i


def _walk_stored(
    stored: list[tuple[Key, Phone]], after: Key | None, descending: bool
) -> Iterator[tuple[Key, Phone]]:
    keys = [entry[0] for entry in stored]
    if descending:
        end = len(stored) if after is None else bisect_left(keys, after)
        for position in range(end - 1, -1, -1):
            yield stored[position]
    else:
        start = 0 if after is None else bisect_right(keys, after)
        yield from stored[start:]


def keyset_page(
    *,
    view: BaseView,
    base_key: Callable[[int], Key],
    base_phone: Callable[[int], Phone],
    hidden: set[int],
    stored: list[tuple[Key, Phone]],
    after: Key | None,
    descending: bool,
    limit: int,
) -> tuple[list[tuple[Key, Phone]], bool]:
    """Up to `limit` phones after the cursor position, and whether more follow.

    `stored` holds the created or changed phones, sorted ascending by (value, id); the
    generated ones come from `view`, minus `hidden` (deleted or changed) indexes.
    """
    base = _walk_base(view, base_key, hidden, after, descending)
    extra = _walk_stored(stored, after, descending)
    next_base = next(base, None)
    next_extra = next(extra, None)
    page: list[tuple[Key, Any]] = []
    while len(page) <= limit and (next_base is not None or next_extra is not None):
        take_base = next_extra is None or (
            next_base is not None and (next_base[0] > next_extra[0]) == descending
        )
        if take_base:
            assert next_base is not None
            page.append(next_base)
            next_base = next(base, None)
        else:
            assert next_extra is not None
            page.append(next_extra)
            next_extra = next(extra, None)
    more = len(page) > limit
    return [
        (k, base_phone(item) if isinstance(item, int) else item) for k, item in page[:limit]
    ], more
