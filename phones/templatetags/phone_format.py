"""Template filters that show a stored E.164 number the way staff read it."""

from django import template

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
