"""Template context every page gets."""

from collections.abc import Callable
from functools import cache

from django.http import HttpRequest

from phones.selectors.directory import outbox_open_count


def navigation(request: HttpRequest) -> dict[str, Callable[[], int | None]]:
    """The top bar's queue count: the phone creates waiting for WellApp, for a logged-in user
    who may view phones (None otherwise). A callable, so the one indexed COUNT runs only when
    a page shows the top bar, never for the partial regions htmx swaps."""

    @cache
    def queue_waiting() -> int | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.has_perm("phones.view_phone"):
            return None
        return outbox_open_count()

    return {"queue_waiting": queue_waiting}
