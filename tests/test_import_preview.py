"""Checking the rows of a bulk create against the local cache: numbers, countries, labels,
flags, links and duplicates, and how many queries that takes."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phones.import_rows import COLUMNS, SourceRow, read_rows, template_csv
from phones.selectors.import_preview import Picks, PreviewRow, preview_rows
from tests.factories import make_company, make_person, make_phone, make_workspace

pytestmark = pytest.mark.django_db


def source_row(line: int = 2, /, **cells: str) -> SourceRow:
    return SourceRow(line=line, cells={column: cells.get(column, "") for column in COLUMNS})


def checked_again(
    row: SourceRow, *, seen_e164: dict[str, int], picks: Picks | None = None
) -> PreviewRow:
    """One row checked again after an edit, as a row correction does."""
    (checked_row,) = preview_rows(
        [row], default_region="US", seen_e164=seen_e164, picks={row.line: picks or {}}
    )
    return checked_row


def checked(**cells: str) -> PreviewRow:
    cells.setdefault("number", "+1 415 555 2671")
    (row,) = preview_rows([source_row(**cells)], default_region="US")
    return row


@pytest.fixture
def lookup_records() -> None:
    make_person("people1", "John Doe", "John.Doe@Acme.com")
    make_person("people2", "Jane Roe", "jane@example.org")
    make_company("company_acme", "Acme Corporation", "acme.com")
    make_company("company_www", "Globex", "www.globex.example")
    make_workspace("workspace_sales", "Sales", "EXT-SALES")
    make_workspace("workspace_eu", "Sales EU", "EXT-EU")


@pytest.mark.parametrize(
    ("kind", "value", "record_id"),
    [
        ("people", "people1", "people1"),
        ("people", "john.doe@acme.com", "people1"),
        ("people", "JOHN.DOE@ACME.COM", "people1"),
        ("people", "john DOE", "people1"),
        ("companies", "company_acme", "company_acme"),
        ("companies", "acme.com", "company_acme"),
        ("companies", "ACME.com", "company_acme"),
        ("companies", "https://www.acme.com/", "company_acme"),
        ("companies", "http://acme.com:8080/contact?x=1", "company_acme"),
        ("companies", "globex.example", "company_www"),
        ("companies", "acme corporation", "company_acme"),
        ("workspaces", "workspace_sales", "workspace_sales"),
        ("workspaces", "EXT-SALES", "workspace_sales"),
        ("workspaces", "sales", "workspace_sales"),
        ("workspaces", "SALES eu", "workspace_eu"),
    ],
)
def test_a_link_is_found_by_id_email_domain_external_id_or_exact_name(
    lookup_records: None, kind: str, value: str, record_id: str
):
    row = checked(**{kind: value})
    (cell,) = row.links[kind]
    assert cell.found and not cell.ambiguous and not cell.missing
    assert cell.record is not None and cell.record.pk == record_id
    assert row.ok


@pytest.mark.parametrize(
    ("kind", "value", "problem"),
    [
        (
            "people",
            "John",
            "No person “John” in the local directory; give an id, an email or the exact name.",
        ),
        ("people", "nobody@acme.com", "No person “nobody@acme.com” in the local directory"),
        ("companies", "Acme", "No company “Acme” in the local directory; give an id, a domain"),
        ("companies", "initech.com", "No company “initech.com” in the local directory"),
        ("workspaces", "Sale", "No workspace “Sale” in the local directory; give an id, an"),
        ("workspaces", "ext-sales", "No workspace “ext-sales”"),
    ],
)
def test_a_link_that_names_no_cached_record_is_flagged_not_found(
    lookup_records: None, kind: str, value: str, problem: str
):
    row = checked(**{kind: value})
    (cell,) = row.links[kind]
    assert cell.missing and cell.record is None and cell.candidates == ()
    assert len(row.problems) == 1 and row.problems[0].startswith(problem)
    assert not row.ok


def test_a_value_naming_several_records_is_ambiguous_with_its_candidates(lookup_records: None):
    make_workspace("workspace_support_b", "Support", "")
    make_workspace("workspace_support_a", "support", "")
    row = checked(workspaces="Support")
    (cell,) = row.links["workspaces"]
    assert cell.ambiguous and not cell.found and not cell.missing
    assert [c.pk for c in cell.candidates] == ["workspace_support_a", "workspace_support_b"]
    assert row.problems == ("2 workspaces match “Support”; choose one.",)


def test_people_sharing_an_email_are_ambiguous(lookup_records: None):
    make_person("people3", "J. Doe", "john.doe@acme.com")
    (cell,) = checked(people="john.doe@acme.com").links["people"]
    assert {c.pk for c in cell.candidates} == {"people1", "people3"}


def test_namesakes_are_ambiguous(lookup_records: None):
    for n in range(3):
        make_person(f"wei{n}", "Wei Berg", f"wei{n}@example.com")
    make_company("company_acme_2", "ACME Corporation", "acme.example")
    row = checked(people="wei berg", companies="Acme Corporation")
    assert [c.pk for c in row.links["people"][0].candidates] == ["wei0", "wei1", "wei2"]
    assert {c.pk for c in row.links["companies"][0].candidates} == {
        "company_acme",
        "company_acme_2",
    }
    assert row.problems == (
        "3 people match “wei berg”; choose one.",
        "2 companies match “Acme Corporation”; choose one.",
    )


def test_candidates_are_cut_to_ten_and_the_problem_counts_them_all():
    for n in range(12):
        make_workspace(f"ops{n:02d}", "Ops", "")
    row = checked(workspaces="ops")
    assert len(row.links["workspaces"][0].candidates) == 10
    assert row.problems == ("12 workspaces match “ops”; choose one.",)


def test_an_id_names_its_record_even_when_a_name_matches_another(lookup_records: None):
    make_workspace("Sales EU", "Something else", "")
    (cell,) = checked(workspaces="Sales EU").links["workspaces"]
    assert cell.found and cell.record is not None and cell.record.pk == "Sales EU"


def test_several_values_in_one_cell_each_make_a_link_in_order(lookup_records: None):
    row = checked(
        people="people2; john.doe@acme.com;;people2",
        workspaces="EXT-EU\nsales",
        companies="acme.com;nowhere.example",
    )
    assert [c.value for c in row.links["people"]] == ["people2", "john.doe@acme.com"]
    assert [c.record.pk for c in row.links["people"] if c.record] == ["people2", "people1"]
    assert [c.record.pk for c in row.links["workspaces"] if c.record] == [
        "workspace_eu",
        "workspace_sales",
    ]
    assert [c.found for c in row.links["companies"]] == [True, False]
    assert row.problems == (
        "No company “nowhere.example” in the local directory; give an id, a domain or the "
        "exact name.",
    )


def test_a_record_staff_chose_decides_an_ambiguous_or_missing_value(lookup_records: None):
    make_workspace("workspace_support_b", "Support", "")
    make_workspace("workspace_support_a", "Support", "")
    row = source_row(number="+1 415 555 2671", workspaces="Support;Nowhere;people1")
    picks = {"workspaces": {"Support": "workspace_support_b", "Nowhere": "workspace_eu"}}
    checked_row = checked_again(row, seen_e164={}, picks=picks)
    support, nowhere, _by_id = checked_row.links["workspaces"]
    assert support.found and support.record is not None
    assert support.record.pk == "workspace_support_b" and len(support.candidates) == 2
    assert nowhere.found and nowhere.record is not None and nowhere.record.pk == "workspace_eu"
    assert checked_row.problems == (
        "No workspace “people1” in the local directory; give an id, an external id or the "
        "exact name.",
    )
    stale = checked_again(row, seen_e164={}, picks={"workspaces": {"Support": "gone"}})
    assert stale.links["workspaces"][0].ambiguous


def test_a_number_already_cached_as_a_live_phone_is_a_duplicate():
    make_phone(1)  # +1 415 555 0001
    make_phone(2, deleted_at=timezone.now())
    rows = preview_rows(
        [source_row(2, number="(415) 555-0001"), source_row(3, number="+1 415 555 0002")],
        default_region="US",
    )
    assert rows[0].duplicate == "already in the portal (+1 415-555-0001)"
    assert not rows[0].ok and rows[0].problems == ()
    assert rows[1].duplicate == "" and rows[1].ok


def test_the_same_number_twice_in_an_import_makes_the_later_row_the_duplicate():
    rows = preview_rows(
        [
            source_row(2, number="+1 415 555 2671"),
            source_row(3, number="+1 415 555 0100"),
            source_row(7, number="(415) 555-2671"),
            source_row(9, number="415.555.2671"),
        ],
        default_region="US",
    )
    assert [row.duplicate for row in rows] == [
        "",
        "",
        "same number as line 2",
        "same number as line 2",
    ]


def test_one_row_checked_again_is_a_duplicate_of_the_lines_given_but_not_of_itself():
    row = source_row(5, number="+1 415 555 2671")
    again = checked_again(row, seen_e164={"+14155552671": 3})
    assert again.duplicate == "same number as line 3"
    alone = checked_again(row, seen_e164={"+14155552671": 5})
    assert alone.duplicate == "" and alone.ok


@pytest.mark.parametrize(
    ("country", "number", "e164", "code"),
    [
        ("fr", "01 23 45 67 89", "+33123456789", 33),
        ("France", "01 23 45 67 89", "+33123456789", 33),
        ("  united KINGDOM ", "020 7946 0958", "+442079460958", 44),
        ("the Netherlands", "020 123 4567", "+31201234567", 31),
        ("UK", "020 7946 0958", "+442079460958", 44),
        ("", "(415) 555-2671", "+14155552671", 1),
        ("", "+33 1 23 45 67 89", "+33123456789", 33),
        ("DE", "+33 1 23 45 67 89", "+33123456789", 33),
    ],
)
def test_the_country_is_a_code_or_a_name_and_a_plus_number_decides_its_own(
    country: str, number: str, e164: str, code: int
):
    row = checked(country=country, number=number)
    assert row.number is not None and row.number.e164 == e164
    assert row.problems == () and row.country_code == code


def test_the_default_region_reads_numbers_without_a_country():
    (row,) = preview_rows([source_row(number="020 7946 0958")], default_region="GB")
    assert row.number is not None and row.number.e164 == "+442079460958"
    assert row.country_code == 44 and row.national_number == "2079460958"


def test_an_unknown_country_is_a_problem_and_its_number_is_not_read():
    row = checked(country="Narnia", number="01 23 45 67 89")
    assert row.number is None and row.country_code is None
    assert row.problems == (
        "Unknown country “Narnia”: give an ISO code (FR) or an English name (France).",
    )


def test_an_invalid_or_missing_number_says_why():
    assert checked(number="123").problems == ("This number is too short.",)
    assert checked(number="").problems == ("The number is missing.",)
    assert checked(number="=HYPERLINK(1)").problems[0].startswith("A phone number holds digits")


@pytest.mark.parametrize(
    ("given", "label"), [("", "work"), ("Mobile", "mobile"), (" HOME ", "home"), ("other", "other")]
)
def test_the_label_is_one_of_the_phone_labels_work_by_default(given: str, label: str):
    row = checked(label=given)
    assert row.label == label and row.ok


def test_an_unknown_label_is_a_problem():
    assert checked(label="Fax").problems == ("Unknown label “Fax”: use work, mobile, home, other.",)


YES_NO = [("yes", True), ("Y", True), ("TRUE", True), ("1", True), ("", False)]
YES_NO += [("No", False), ("n", False), ("false", False), ("0", False)]


@pytest.mark.parametrize(("given", "value"), YES_NO)
def test_flags_read_yes_and_no_words(given: str, value: bool):
    row = checked(primary=given, verified=given)
    assert (row.is_primary, row.is_verified) == (value, value) and row.ok


def test_a_flag_that_is_neither_yes_nor_no_is_a_problem():
    row = checked(primary="maybe", verified="oui")
    assert row.problems == (
        "Primary is yes or no, not “maybe”.",
        "Verified is yes or no, not “oui”.",
    )


def test_a_clean_row_makes_the_phone_to_create(lookup_records: None):
    row = checked(
        number="01 23 45 67 89",
        country="FR",
        label="mobile",
        primary="yes",
        people="people2;john.doe@acme.com;people1",
        companies="acme.com",
        workspaces="EXT-EU",
    )
    draft_id = uuid.uuid4()
    draft = row.draft(draft_id=draft_id)
    assert (draft.id, draft.e164_number, draft.country_code) == (draft_id, "+33123456789", 33)
    assert (draft.national_number, draft.label, draft.is_primary) == ("123456789", "mobile", True)
    assert [p.id for p in draft.people] == ["people2", "people1"]
    assert [c.id for c in draft.companies] == ["company_acme"]
    assert [w.id for w in draft.workspaces] == ["workspace_eu"]
    with pytest.raises(ValueError, match="line 2 has problems"):
        checked(number="123").draft(draft_id=draft_id)


def test_the_templates_example_rows_are_clean_once_their_records_are_cached():
    make_person("p", "Pat Example", "person@example.com")
    make_company("c", "Example", "example.com")
    make_workspace("w1", "Sales", "")
    make_workspace("w2", "Marketing", "")
    rows = preview_rows(read_rows(template_csv()), default_region="US")
    assert [(row.line, row.problems, row.duplicate) for row in rows] == [
        (2, (), ""),
        (3, (), ""),
    ]


def many_rows(count: int) -> list[SourceRow]:
    return [
        source_row(
            n + 2,
            number=f"+1 415 555 {n:04d}",
            people=f"people{n};person{n}@example.com;missing{n}@example.com",
            companies=f"company{n};https://www.domain{n}.example/;nowhere{n}.example",
            workspaces=f"ws{n};EXT{n};Workspace {n};Nowhere {n}",
        )
        for n in range(count)
    ]


def test_links_of_many_rows_resolve_in_a_few_queries_whatever_the_number_of_rows():
    for n in range(200):
        make_person(f"people{n}", f"Person {n}", f"person{(n + 1) % 200}@example.com")
        make_company(f"company{n}", f"Company {n}", f"domain{(n + 1) % 200}.example")
        make_workspace(f"ws{n}", f"Workspace {(n + 1) % 200}", f"EXT{(n + 2) % 200}")
    make_phone(5)
    counts = []
    for count in (20, 200):
        with CaptureQueriesContext(connection) as queries:
            rows = preview_rows(many_rows(count), default_region="US")
        counts.append(len(queries))
        assert sum(len(row.links["workspaces"]) for row in rows) == 4 * count
    assert counts == [4, 4]  # people, companies, workspaces, cached numbers
    assert rows[0].links["people"][1].record is not None
    assert rows[0].links["people"][1].record.pk == "people199"
    assert rows[5].duplicate.startswith("already in the portal")
    assert [c.found for c in rows[7].links["workspaces"]] == [True, True, True, False]


def test_one_row_checked_again_takes_a_few_queries(lookup_records: None):
    row = source_row(number="+1 415 555 2671", people="people1;people2", workspaces="Sales")
    with CaptureQueriesContext(connection) as queries:
        checked_again(row, seen_e164={})
    assert len(queries) == 3  # people, workspaces, cached numbers


hostile = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["\x00", "people1\x00", "\ud800", "a;;;b", "https://", "@", "+", "ZZ"]),
)


@given(cells=st.fixed_dictionaries({column: hostile for column in COLUMNS}))
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_hostile_cells_are_checked_never_a_crash(lookup_records: None, cells: dict[str, str]):
    row = checked_again(SourceRow(line=2, cells=cells), seen_e164={})
    assert all(isinstance(problem, str) and problem for problem in row.problems)
