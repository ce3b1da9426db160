"""Reading typed numbers: formats, reasons, and the round trip WellApp depends on."""

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phones.phone_numbers import check_number, region_choices

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
NUMBER_TYPES = [
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
]


def example_numbers() -> list[tuple[str, str]]:
    """(region, nationally formatted example) for every region and common type."""
    examples = []
    for region in REGIONS:
        for kind in NUMBER_TYPES:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                national = phonenumbers.format_number(
                    number, phonenumbers.PhoneNumberFormat.NATIONAL
                )
                examples.append((region, national))
    return examples


EXAMPLES = example_numbers()


@pytest.mark.parametrize(
    "typed",
    ["(415) 555-2671", "415.555.2671", "415-555-2671", "+1 415 555 2671", "4155552671"],
)
def test_us_formats_all_read_as_the_same_number(typed: str):
    check = check_number(typed, "US")
    assert check.valid
    assert (check.country_code, check.national_number, check.e164) == (
        1,
        "4155552671",
        "+14155552671",
    )
    assert check.international == "+1 415-555-2671"


def test_pasted_international_number_names_its_own_region():
    check = check_number("+44 20 7946 0958", "US")
    assert (check.valid, check.region, check.e164) == (True, "GB", "+442079460958")


def test_italian_number_keeps_its_leading_zero():
    check = check_number("06 1234 5678", "IT")
    assert check.national_number == "0612345678"
    assert check.e164 == "+390612345678"


@pytest.mark.parametrize(
    ("typed", "region", "problem"),
    [
        ("", "US", "Enter a phone number."),
        ("415", "US", "This number is too short."),
        ("41555526719999999", "US", "This number is too long."),
        ("555-0100", "US", "This number is only a local number; add the area code."),
        ("+999 1234", "US", "That country code is unknown; check the digits after the +."),
        ("<b>415</b>", "US", "A phone number holds digits, spaces and - . ( ) + only;"),
        ("123 456 7890", "US", "This is not a valid number in United States."),
        ("4" * 41, "US", "That is too long to be a phone number."),
    ],
)
def test_invalid_numbers_say_why(typed: str, region: str, problem: str):
    check = check_number(typed, region)
    assert not check.valid
    assert check.problem.startswith(problem)


def test_every_region_is_offered_with_its_name_and_code():
    choices = dict(region_choices())
    assert len(choices) == len(REGIONS)
    assert choices["US"] == "United States (+1)"
    assert choices["GB"] == "United Kingdom (+44)"
    assert choices["XK"] == "Kosovo (+383)"


@given(st.sampled_from(EXAMPLES))
@settings(max_examples=300, deadline=None)
def test_every_valid_number_round_trips_through_country_code_and_national_number(example):
    region, national = example
    check = check_number(national, region)
    assert check.valid, (region, national, check.problem)
    rebuilt = phonenumbers.parse(f"+{check.country_code}{check.national_number}", None)
    assert phonenumbers.format_number(rebuilt, phonenumbers.PhoneNumberFormat.E164) == check.e164
    assert check.e164 == f"+{check.country_code}{check.national_number}"


@given(st.sampled_from(EXAMPLES))
@settings(max_examples=200, deadline=None)
def test_leading_zeros_of_the_national_significant_number_survive(example):
    region, national = example
    check = check_number(national, region)
    number = phonenumbers.parse(national, region)
    if number.italian_leading_zero:
        assert check.national_number.startswith("0")
    assert check.national_number == phonenumbers.national_significant_number(number)


@given(st.text(max_size=60), st.sampled_from([*REGIONS, "", "ZZ"]))
@settings(max_examples=500, deadline=None)
def test_any_text_gets_an_answer_never_an_exception(text: str, region: str):
    check = check_number(text, region)
    assert check.valid or check.problem
