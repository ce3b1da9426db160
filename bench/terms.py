"""The benchmark's inputs, taken from the data's own frequency distribution.

Everything is counted over the phones the list shows (those with a listing row; a phone
marked deleted has none): how many phones each person is linked to gives the frequency of
each surname, first name, full name and email domain; the phones' national numbers give the
commonest three-digit start; their workspace links give the largest workspace. Ties go to
the alphabetically first, so the same data always gives the same terms.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import CharField, Count, Exists, OuterRef
from django.db.models.functions import Cast, Length, Substr

from phones.models import (
    Company,
    Person,
    PhoneListing,
    PhonePerson,
    PhoneWorkspace,
    Workspace,
)


@dataclass(frozen=True)
class Terms:
    common_surname: str  # the surname on the most phones
    median_surname: str  # the middle one when surnames are ordered by phones
    rare_surname: str  # on the fewest phones (at least one), and in no other word
    first_name: str  # the first name on the most phones
    fragment: str  # two letters: the start of the most common surname
    three_digits: str  # the commonest first three digits of a national number
    digits: str  # seven digits of one real number: the end of the middle phone's
    domain: str  # the email domain on the most phones
    full_name: str  # the full name on the most phones
    workspace: str  # the workspace with the most phones: its id and name
    workspace_name: str
    picker: str  # first four letters of the median surname, for the people picker
    # Listed phones linked to each picked name, domain or workspace, or whose national
    # number starts with the three digits, by term.
    phones: dict[str, int] = field(default_factory=dict, compare=False)


def _is_word(text: str) -> bool:
    """Plain ASCII letters: searched the same way by every database and by the admin's
    case-insensitive match."""
    return text.isascii() and text.isalpha()


def _ranked(counts: Counter, usable=_is_word) -> list[tuple[str, int]]:
    """(term, phones) for the usable terms, most phones first, ties alphabetical."""
    return sorted(
        ((term, n) for term, n in counts.items() if term and usable(term)),
        key=lambda item: (-item[1], item[0]),
    )


def _listed(field: str = "phone_id") -> Exists:
    """The row's phone is in the list (it has a listing row)."""
    return Exists(PhoneListing.objects.filter(phone_id=OuterRef(field)))


def phones_per_person() -> dict[str, int]:
    """How many listed phones each person is linked to."""
    return dict(
        PhonePerson.objects.filter(_listed())
        .values_list("person_id")
        .annotate(n=Count("id"))
        .values_list("person_id", "n")
    )


def directory_words() -> Counter:
    """Every name the search text is made of besides numbers, lower-cased, with how many
    kinds of name it is (a first name that is also a surname counts twice)."""
    kinds = [
        Person.objects.values_list("first_name", flat=True),
        Person.objects.values_list("last_name", flat=True),
        Company.objects.values_list("name", flat=True),
        Company.objects.values_list("domain", flat=True),
        Workspace.objects.values_list("name", flat=True),
        Workspace.objects.values_list("external_workspace_id", flat=True),
    ]
    words: Counter = Counter()
    for names in kinds:
        words.update({name.lower() for name in names.order_by().distinct()})
    return words


def rarest(ranked: list[tuple[str, int]], words: Counter) -> str:
    """The surname on the fewest phones that no other name contains (one inside a company
    name, a first name or a longer surname would not be rare to a substring search)."""
    for term, _ in reversed(ranked):
        lowered = term.lower()
        if not any(lowered in word for word in words if word != lowered) and words[lowered] == 1:
            return term
    return ranked[-1][0]


def name_counts() -> dict[str, Counter]:
    """Listed phones per surname, first name, full name and email domain of their people."""
    per_person = phones_per_person()
    counts: dict[str, Counter] = {kind: Counter() for kind in ("last", "first", "full", "domain")}
    people = Person.objects.values_list("id", "first_name", "last_name", "full_name", "email")
    for person_id, first, last, full, email in people.iterator(chunk_size=10_000):
        n = per_person.get(person_id)
        if not n:
            continue
        counts["last"][last] += n
        counts["first"][first] += n
        counts["full"][full] += n
        if "@" in email:
            counts["domain"][email.rsplit("@", 1)[1].lower()] += n
    return counts


def number_terms() -> tuple[str, str, int]:
    """Seven digits of the middle listed phone (newest first), and the commonest first three
    digits of the listed national numbers with how many phones have them."""
    listed = PhoneListing.objects.all()
    newest_first = listed.order_by("-created_at", "-phone_id").values_list("e164_number")
    middle = newest_first[listed.count() // 2][0]
    # The national number is the E.164 number after "+" and the calling code.
    national = Length(Cast("country_code", output_field=CharField())) + 2
    start = (
        listed.annotate(start=Substr("e164_number", national, 3))
        .values("start")
        .annotate(n=Count("id"))
        .order_by("-n", "start")
        .values_list("start", "n")
        .first()
    )
    assert start is not None, "the listing is empty"
    return middle[-7:], *start


def largest_workspace() -> tuple[Workspace, int]:
    """The workspace with the most listed phones, and how many."""
    row = (
        PhoneWorkspace.objects.filter(_listed())
        .values("workspace_id")
        .annotate(n=Count("id"))
        .order_by("-n", "workspace_id")
        .values_list("workspace_id", "n")
        .first()
    )
    assert row is not None, "no listed phone is in a workspace"
    workspace_id, phones = row
    return Workspace.objects.get(pk=workspace_id), phones


def pick_terms() -> Terms:
    """The terms, read from the benchmark database."""
    counts = name_counts()
    by_surname = _ranked(counts["last"])
    if not by_surname:
        raise ValueError("no listed phone is linked to a person: generate the data first")
    common, median = by_surname[0][0], by_surname[len(by_surname) // 2][0]
    rare = rarest(by_surname, directory_words())
    first_name = _ranked(counts["first"])[0][0]
    domain = _ranked(counts["domain"], usable=lambda d: d.isascii())[0][0]
    full_name = _ranked(counts["full"], usable=lambda f: all(map(_is_word, f.split())))[0][0]
    digits, three_digits, starting = number_terms()
    workspace, in_workspace = largest_workspace()
    return Terms(
        common_surname=common,
        median_surname=median,
        rare_surname=rare,
        first_name=first_name,
        fragment=common[:2].lower(),
        three_digits=three_digits,
        digits=digits,
        domain=domain,
        full_name=full_name,
        workspace=workspace.pk,
        workspace_name=workspace.name,
        picker=median[:4].lower(),
        phones={
            common: counts["last"][common],
            median: counts["last"][median],
            rare: counts["last"][rare],
            first_name: counts["first"][first_name],
            domain: counts["domain"][domain],
            full_name: counts["full"][full_name],
            three_digits: starting,
            workspace.name: in_workspace,
        },
    )
