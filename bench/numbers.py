"""Benchmark phone numbers: valid numbers from each country's plan, and how the app shows
them (``phones.phone_numbers.describe_e164``) without formatting a million numbers one by one.

Formatting picks a pattern by the number's leading digits, and every number of one plan entry
(country, prefix, length) comes out in the same grouping, so each entry's international format
is taken once from ``describe_e164`` and used as a template. Where a calling code is shared
(+44 is also Jersey's, Guernsey's and the Isle of Man's, +1 all of North America's) the region
is decided by the national number's first digits: five for every prefix in the plans (the
metadata's patterns for those regions, e.g. Jersey's 7509 and 7700[378]; only the Isle of
Man's 76245[06] needs six, and no plan starts 762), so it is looked up once per code, first
five digits and length, and is the code's one region elsewhere. Over the default data's
million numbers this gives every region as ``describe_e164`` does, and ``bench.data`` checks
whole listing rows against the app's own on a sample.
"""

import random
from collections.abc import Callable

import phonenumbers
from phonenumbers import PhoneNumber

from bench.directory import weighted_regions
from bench.vocabulary import COUNTRIES, NUMBER_PLANS
from phones.phone_numbers import describe_e164

# A made number: (calling code, national number, template of its international format).
Made = tuple[int, str, str]

_TEMPLATES: dict[tuple[int, str, int], str] = {}
REGION_DIGITS = 5
_REGIONS: dict[tuple[int, str, int], str] = {}


def _template(code: int, national: str) -> str:
    """The international format of this number with each national digit as ``{}``."""
    formatted, _, _ = describe_e164(f"+{code}{national}")
    head = f"+{code} "
    if not formatted.startswith(head):
        raise ValueError(f"unexpected international format {formatted!r}")
    body = formatted.removeprefix(head)
    if "{" in body or "}" in body or [ch for ch in body if ch.isdigit()] != list(national):
        raise ValueError(f"{formatted!r} does not hold the national number {national}")
    return head + "".join("{}" if ch.isdigit() else ch for ch in body)


def number_makers(rng: random.Random) -> list[Callable[[], Made]]:
    """One maker per country share point."""
    makers: list[Callable[[], Made]] = []
    for region in weighted_regions():
        code = COUNTRIES[region]["code"]
        plans = [(prefix, total) for prefixes, total in NUMBER_PLANS[region] for prefix in prefixes]

        def make(
            code: int = code, plans: list[tuple[str, int]] = plans, us: bool = region == "US"
        ) -> Made:
            prefix, total = rng.choice(plans)
            rest = total - len(prefix)
            if us:  # the exchange code never starts with 0 or 1
                tail = f"{rng.randrange(2, 10)}{rng.randrange(10 ** (rest - 1)):0{rest - 1}d}"
            else:
                tail = f"{rng.randrange(10**rest):0{rest}d}"
            national = prefix + tail
            template = _TEMPLATES.get((code, prefix, total))
            if template is None:
                template = _TEMPLATES[code, prefix, total] = _template(code, national)
            return code, national, template

        makers.append(make)
    return makers


def region_of(code: int, national: str) -> str:
    """The region ``describe_e164`` gives a valid number."""
    regions = phonenumbers.region_codes_for_country_code(code)
    if len(regions) == 1:
        return regions[0]
    key = (code, national[:REGION_DIGITS], len(national))
    region = _REGIONS.get(key)
    if region is None:
        region = _REGIONS[key] = _look_up_region(code, national)
    return region


def _look_up_region(code: int, national: str) -> str:
    number = PhoneNumber(country_code=code, national_number=int(national))
    zeros = len(national) - len(national.lstrip("0"))
    if zeros:  # as phonenumbers.parse keeps an Italian number's leading zeros
        number.italian_leading_zero = True
        if zeros > 1:
            number.number_of_leading_zeros = zeros
    return phonenumbers.region_code_for_number(number) or ""


def check_number(e164: str, national: str) -> None:
    """The number plans must only give numbers phonenumbers calls valid."""
    number = phonenumbers.parse(e164)
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"generated an invalid number: {e164}")
    if phonenumbers.national_significant_number(number) != national:
        raise ValueError(f"national number of {e164} is not {national}")
