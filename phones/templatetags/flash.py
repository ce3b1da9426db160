"""Flash messages that carry a WellApp trace id (``phones.views.errors.flash_error``): the
sentence says what happened, the trace id is shown once beside it with a copy button."""

from django import template
from django.contrib.messages.storage.base import Message

register = template.Library()

TRACE_TAG = "trace:"


@register.filter
def trace_id(message: Message) -> str:
    """The WellApp trace id a flash message carries, or ""."""
    for tag in (message.extra_tags or "").split():
        if tag.startswith(TRACE_TAG):
            return tag.removeprefix(TRACE_TAG)
    return ""
