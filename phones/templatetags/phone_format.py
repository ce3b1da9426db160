"""Template filters that show a stored E.164 number the way staff read it, and a fast
<option> list."""

import functools

from django import template
from django.forms import BoundField
from django.utils.html import escape
from django.utils.safestring import mark_safe

from phones.phone_numbers import describe_e164

register = template.Library()


@register.filter
def international(e164: str) -> str:
    """ "+14155552671" -> "+1 415-555-2671" (unchanged when it does not parse)."""
    return describe_e164(e164)[0]


@register.filter
def flag(e164: str) -> str:
    """The flag emoji of the number's region, or "" when there is none."""
    return describe_e164(e164)[1]


@register.simple_tag
def options(field: BoundField) -> str:
    """The <option> elements of a choice field, the current value selected.

    Built in Python and remembered: rendering a long list (every country) through the widget
    templates costs one template include per option, on every page view.
    """
    current = field.value()
    values = current if isinstance(current, list | tuple) else [current]
    selected = frozenset("" if v is None else str(v) for v in values)
    return _options_html(_choice_pairs(field.field.choices), selected)  # type: ignore[attr-defined]


def _choice_pairs(choices) -> tuple[tuple[str, str], ...]:
    """The choices as (value, text) strings. Choices a cached function gives (every calling
    code) are the same list each time, so they are turned into strings once."""
    func = getattr(choices, "func", None)  # choices=a_function
    if func is not None and hasattr(func, "cache_info"):
        return _cached_pairs(func)
    return tuple((str(value), str(text)) for value, text in choices)


@functools.cache
def _cached_pairs(func) -> tuple[tuple[str, str], ...]:
    return tuple((str(value), str(text)) for value, text in func())


@functools.lru_cache(maxsize=256)
def _options_html(choices: tuple[tuple[str, str], ...], selected: frozenset[str]) -> str:
    return mark_safe(  # noqa: S308 (every value and label is escaped here)
        "".join(
            f'<option value="{escape(value)}"{" selected" if value in selected else ""}>'
            f"{escape(text)}</option>"
            for value, text in choices
        )
    )
