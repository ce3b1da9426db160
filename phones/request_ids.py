"""The id of the request being handled, for log lines, audit rows, queued creates and the
``X-Request-ID`` header sent to WellApp. Outside a request (a shell, a task with no stored
id) there is none."""

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

# What an id handed on by a proxy may look like; anything else is replaced by a fresh one.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,200}")
REQUEST_ID_HEADER = "X-Request-ID"

_current: ContextVar[str | None] = ContextVar("wellui_request_id", default=None)


def new_request_id() -> str:
    """A fresh id: 32 hex digits."""
    return uuid.uuid4().hex


def is_valid_request_id(value: str | None) -> bool:
    """True for 1 to 200 characters of letters, digits and ``. _ : -``."""
    return value is not None and REQUEST_ID_PATTERN.fullmatch(value) is not None


def get_request_id() -> str | None:
    """The current request's id, or None outside a request."""
    return _current.get()


def set_request_id(value: str | None) -> Token[str | None]:
    """Make ``value`` the current id; hand the token to :func:`reset_request_id`."""
    return _current.set(value)


def reset_request_id(token: Token[str | None]) -> None:
    """Put back the id that was current before the matching :func:`set_request_id`."""
    _current.reset(token)


@contextmanager
def request_id_scope(value: str | None) -> Iterator[str | None]:
    """Run the ``with`` block under ``value`` as the current id (None: no id)."""
    token = set_request_id(value)
    try:
        yield value
    finally:
        reset_request_id(token)
