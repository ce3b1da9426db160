"""Reading and describing phone numbers with the phonenumbers library.

Used by the create form (validation) and the live preview as the number is typed. Pure
functions: no database, no HTTP.
"""

import functools
from dataclasses import dataclass, replace

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
from phonenumbers.geodata.locale import LOCALE_DATA

MAX_INPUT_LENGTH = 40
ALLOWED_PUNCTUATION = set(" -.()/+")

TYPE_NAMES = {
    PhoneNumberType.FIXED_LINE: "fixed line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed line or mobile",
    PhoneNumberType.TOLL_FREE: "toll free",
    PhoneNumberType.PREMIUM_RATE: "premium rate",
    PhoneNumberType.SHARED_COST: "shared cost",
    PhoneNumberType.VOIP: "VoIP",
    PhoneNumberType.PERSONAL_NUMBER: "personal number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "UAN",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown type",
}

POSSIBILITY_REASONS = {
    phonenumbers.ValidationResult.TOO_SHORT: "is too short",
    phonenumbers.ValidationResult.TOO_LONG: "is too long",
    phonenumbers.ValidationResult.INVALID_LENGTH: "has a length no number in {region} has",
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "has an unknown country code",
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: (
        "is only a local number; add the area code"
    ),
}


# Regions phonenumbers dials but has no English name for.
EXTRA_REGION_NAMES = {"AC": "Ascension Island", "TA": "Tristan da Cunha", "XK": "Kosovo"}


def region_name(region: str) -> str:
    """English name of a region code ("GB" -> "United Kingdom"), or the code itself."""
    names = LOCALE_DATA.get(region, {})
    name = names.get("en", "")
    if name.startswith("*"):
        # "*xx": the English name is the one stored under language "xx".
        name = names.get(name[1:], "")
    return name or EXTRA_REGION_NAMES.get(region, region)


# Names that read with "the" in a sentence ("a valid number in the United Kingdom").
NAMES_WITH_THE = frozenset({"Bahamas", "Gambia", "Maldives", "Netherlands", "Philippines"})


def region_name_in_sentence(region: str) -> str:
    """``region_name`` as it reads inside a sentence: "the United Kingdom", "Germany"."""
    name = region_name(region)
    if (
        name in NAMES_WITH_THE
        or name.startswith("United ")
        or name.endswith((" Islands", " Republic"))
    ):
        return f"the {name}"
    return name


@functools.cache
def region_choices() -> list[tuple[str, str]]:
    """Every region phonenumbers knows, as ("US", "United States (+1)"), sorted by name."""
    choices = [
        (region, f"{region_name(region)} (+{phonenumbers.country_code_for_region(region)})")
        for region in phonenumbers.SUPPORTED_REGIONS
    ]
    return sorted(choices, key=lambda choice: choice[1].casefold())


@functools.cache
def calling_code_choices() -> list[tuple[str, str]]:
    """Every country calling code, as ("44", "+44 United Kingdom, Guernsey, ..."), by code."""
    choices = [("", "Any")]
    for code, regions in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items()):
        names = [region_name(r) for r in regions if r != "001"][:3]
        more = ", …" if len(regions) > 3 else ""
        label = f"+{code} {', '.join(names)}{more}" if names else f"+{code}"
        choices.append((str(code), label))
    return choices


@dataclass(frozen=True)
class NumberCheck:
    """What a typed number turned out to be."""

    valid: bool
    problem: str = ""
    region: str = ""
    country_code: int | None = None
    national_number: str = ""
    e164: str = ""
    international: str = ""
    national: str = ""
    type_name: str = ""


def check_number(raw: str, region: str) -> NumberCheck:
    """Parse ``raw`` as typed in ``region`` (a leading + overrides it) and say what it is.

    ``national_number`` is the national significant number as a string, so Italy's leading
    zero survives.
    """
    text = (raw or "").strip()
    if not text:
        return NumberCheck(valid=False, problem="Enter a phone number.")
    if len(text) > MAX_INPUT_LENGTH:
        return NumberCheck(valid=False, problem="That is too long to be a phone number.")
    stray = sorted({ch for ch in text if not ch.isdigit() and ch not in ALLOWED_PUNCTUATION})
    if stray:
        shown = " ".join(repr(ch) for ch in stray[:5])
        return NumberCheck(
            valid=False,
            problem=f"A phone number holds digits, spaces and - . ( ) + only; remove {shown}.",
        )
    try:
        number = phonenumbers.parse(text, region or None)
    except NumberParseException as exc:
        return NumberCheck(valid=False, problem=_parse_problem(exc, region))
    number_region = phonenumbers.region_code_for_number(number) or region
    place = region_name(number_region)
    check = NumberCheck(
        valid=False,
        region=number_region,
        country_code=number.country_code,
        national_number=phonenumbers.national_significant_number(number),
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        international=phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
        national=phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
        type_name=TYPE_NAMES.get(phonenumbers.number_type(number), "unknown type"),
    )
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible in POSSIBILITY_REASONS:
        reason = POSSIBILITY_REASONS[possible].format(region=place)
        return replace(check, problem=f"This number {reason}.")
    if not phonenumbers.is_valid_number(number):
        return replace(check, problem=f"This is not a valid number in {place}.")
    return replace(check, valid=True)


@dataclass(frozen=True)
class RegionOffer:
    """A number that is wrong for the chosen country but right for another one."""

    region: str  # where the number is valid ("GB")
    name: str  # that region in a sentence ("the United Kingdom")
    chosen_name: str  # the chosen region in a sentence ("Germany")
    international: str  # the number read there ("+44 20 7946 0958")


def region_offer(raw: str, region: str, default_region: str) -> RegionOffer | None:
    """When ``raw``, typed without a +, is not valid in ``region`` but is valid read in
    ``default_region`` (the portal's usual country), where it is valid; None otherwise."""
    text = (raw or "").strip()
    if not text or text.startswith("+") or region == default_region:
        return None
    if region not in phonenumbers.SUPPORTED_REGIONS:
        return None
    if check_number(text, region).valid:
        return None
    other = check_number(text, default_region)
    if not other.valid or other.region == region:
        return None
    return RegionOffer(
        region=other.region,
        name=region_name_in_sentence(other.region),
        chosen_name=region_name_in_sentence(region),
        international=other.international,
    )


def _parse_problem(exc: NumberParseException, region: str) -> str:
    if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
        if region:
            return "That country code is unknown; check the digits after the +."
        return "Choose a country, or start the number with + and its country code."
    if exc.error_type == NumberParseException.TOO_SHORT_NSN:
        return "This number is too short."
    if exc.error_type == NumberParseException.TOO_LONG:
        return "This number is too long."
    return "This does not look like a phone number."


@functools.lru_cache(maxsize=4096)
def describe_e164(e164: str) -> tuple[str, str, str]:
    """(international format, flag emoji, region code) of a stored E.164 number; the number
    itself and blanks when it does not parse."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164, "", ""
    region = phonenumbers.region_code_for_number(number) or ""
    flag = ""
    if len(region) == 2 and region.isalpha() and region != "ZZ":
        flag = "".join(chr(0x1F1E6 + ord(ch) - ord("A")) for ch in region.upper())
    formatted = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    return formatted, flag, region
