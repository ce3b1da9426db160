"""Reading the rows of a bulk create: the files and pastes staff give, and the ones that
cannot be read."""

import codecs
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phones.import_rows import (
    CHUNK_SIZE,
    COLUMNS,
    MAX_ROWS,
    ImportUnreadable,
    SourceRow,
    read_rows,
    template_csv,
)

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def given_cells(rows: list[SourceRow]) -> list[tuple[int, dict[str, str]]]:
    """Each row's line and its non-empty cells."""
    return [(row.line, {k: v for k, v in row.cells.items() if v}) for row in rows]


def unreadable(source: bytes | str | io.BytesIO) -> str:
    with pytest.raises(ImportUnreadable) as caught:
        list(read_rows(source))
    return caught.value.message


UTF8_ROWS = [
    (
        2,
        {
            "number": "+1 415 555 2671",
            "label": "work",
            "primary": "yes",
            "verified": "yes",
            "people": "john.doe@example.com",
            "companies": "acme.com",
            "workspaces": "Sales",
        },
    ),
    (
        3,
        {
            "number": "01 23 45 67 89",
            "country": "France",
            "label": "mobile",
            "primary": "no",
            "workspaces": "Zoë Ångström Team",
        },
    ),
]


@pytest.mark.parametrize("name", ["utf8.csv", "utf8-bom.csv"])
def test_utf8_files_with_or_without_a_byte_order_mark_read_the_same(name: str):
    assert given_cells(list(read_rows(fixture(name)))) == UTF8_ROWS


def test_an_uploaded_file_is_read_as_the_same_rows_as_its_bytes():
    assert given_cells(list(read_rows(io.BytesIO(fixture("utf8-bom.csv"))))) == UTF8_ROWS


def test_every_row_holds_every_column_empty_when_the_input_has_none():
    rows = list(read_rows(fixture("semicolon.csv")))
    assert all(tuple(row.cells) == COLUMNS for row in rows)
    assert rows[0].cells["people"] == ""


def test_excel_unicode_text_utf16_tab_separated_is_read():
    rows = list(read_rows(fixture("utf16le.txt")))
    assert given_cells(rows) == [
        (
            2,
            {
                "number": "030 123456",
                "country": "DE",
                "label": "home",
                "people": "Jürgen Müller;people2",
            },
        ),
        (3, {"number": "+44 20 7946 0958", "label": "work"}),
    ]


def test_utf16_big_endian_with_its_byte_order_mark_is_read():
    data = codecs.BOM_UTF16_BE + "number\tlabel\n+1 415 555 2671\thome\n".encode("utf-16-be")
    assert given_cells(list(read_rows(data))) == [
        (2, {"number": "+1 415 555 2671", "label": "home"})
    ]


def test_european_excel_semicolons_are_detected_and_quoted_semicolons_stay_in_the_cell():
    assert given_cells(list(read_rows(fixture("semicolon.csv")))) == [
        (
            2,
            {
                "number": "01 23 45 67 89",
                "country": "FR",
                "label": "work",
                "primary": "oui",
                "workspaces": "Sales;Marketing",
            },
        ),
        (
            3,
            {
                "number": "06 12 34 56 78",
                "country": "FR",
                "label": "mobile",
                "primary": "no",
                "workspaces": "Support",
            },
        ),
    ]


def test_quoted_cells_with_line_breaks_keep_them_and_rows_keep_their_first_line():
    rows = list(read_rows(fixture("quoted-newlines.csv")))
    assert given_cells(rows) == [
        (2, {"number": "+1 415 555 2671", "label": "work\nline two", "workspaces": "Sales"}),
        (5, {"number": "+1 415\n555 0100", "label": "home", "workspaces": "Sales\nMarketing"}),
        (8, {"number": "+1 415 555 0101", "label": "mobile"}),
    ]


def test_formula_cells_stay_plain_text():
    rows = list(read_rows(fixture("formula-cells.csv")))
    assert rows[0].cells["number"] == '=HYPERLINK("http://x","y")'
    assert rows[0].cells["label"] == "=1+2"
    assert rows[0].cells["people"] == "@SUM(A1:A2)"
    assert rows[1].cells["label"] == "-2+3"
    assert rows[1].cells["people"] == "+cmd|' /C calc'!A0"


def test_a_header_without_a_number_column_is_refused_naming_the_column():
    message = unreadable(fixture("missing-number-header.csv"))
    assert "no “number” column" in message
    assert "Line 1" in message


def test_undecodable_bytes_are_refused_naming_their_line():
    message = unreadable(fixture("undecodable.csv"))
    assert message.startswith("Line 3 is not UTF-8 text")
    assert "CSV UTF-8" in message


def test_undecodable_bytes_far_into_a_file_name_their_line_across_chunks():
    good = b"+1 415 555 2671,work\n"
    lines_before = CHUNK_SIZE * 3 // len(good)
    data = b"number,label\n" + good * lines_before + b"+1 415 555 0100,\x81\n" + good
    with pytest.raises(ImportUnreadable) as caught:
        for _row in read_rows(io.BytesIO(data)):
            pass
    assert caught.value.message.startswith(f"Line {lines_before + 2} is not UTF-8 text")


def test_an_odd_byte_at_the_end_of_utf16_is_refused_naming_the_last_line():
    data = codecs.BOM_UTF16_LE + "number\n1\n2".encode("utf-16-le") + b"\x00"
    assert unreadable(data).startswith("Line 3 is not readable UTF-16 text")


def test_a_file_is_read_in_chunks_and_rows_come_before_its_end():
    class Upload(io.BytesIO):
        def __init__(self, data: bytes) -> None:
            super().__init__(data)
            self.sizes: list[int | None] = []

        def read(self, size: int | None = -1) -> bytes:
            self.sizes.append(size)
            return super().read(size)

    data = b"number,people\n" + b"+1 415 555 2671,someone.with.a.long.name@example.com\n" * 9_000
    upload = Upload(data)
    rows = read_rows(upload)
    next(rows)
    assert upload.tell() <= 2 * CHUNK_SIZE < len(data)
    assert sum(1 for _ in rows) == 8_999
    assert set(upload.sizes) == {CHUNK_SIZE}


def test_pasted_spreadsheet_text_is_tab_separated_and_any_header_case_and_order():
    text = "  LABEL \tWorkspaces\tNotes\t Number\r\nhome\tSales\tcall back\t0612345678\r\n"
    assert given_cells(list(read_rows(text))) == [
        (2, {"label": "home", "workspaces": "Sales", "number": "0612345678"})
    ]


def test_blank_lines_and_rows_of_empty_cells_are_skipped_and_not_counted():
    text = "\n\nnumber,label\n\n1,work\n , \n,,\n2,home"
    assert given_cells(list(read_rows(text))) == [
        (5, {"number": "1", "label": "work"}),
        (8, {"number": "2", "label": "home"}),
    ]


def test_old_mac_and_mixed_line_ends_count_lines_alike():
    data = b'number,label\r1,work\r\n\r2,home\n3,"a\r\nb"\r4,x'
    assert [row.line for row in read_rows(data)] == [2, 4, 5, 7]


def test_short_rows_leave_the_missing_cells_empty_and_extra_cells_are_ignored():
    rows = list(read_rows("number,label,country\n1\n2,work,FR,extra\n"))
    assert given_cells(rows) == [
        (2, {"number": "1"}),
        (3, {"number": "2", "label": "work", "country": "FR"}),
    ]


def test_an_excel_separator_hint_line_names_the_separator():
    rows = list(read_rows("sep=;\nnumber;workspaces\n1;Sales,EU\n"))
    assert given_cells(rows) == [(3, {"number": "1", "workspaces": "Sales,EU"})]


def test_exactly_the_limit_of_rows_is_read():
    text = "number\n" + "+1 415 555 2671\n\n" * MAX_ROWS
    assert sum(1 for _ in read_rows(text)) == MAX_ROWS


def test_more_rows_than_the_limit_are_refused_naming_the_limit():
    data = b"number\n" + b"+1 415 555 2671\n" * (MAX_ROWS + 1)
    message = unreadable(io.BytesIO(data))
    assert message.startswith("At most 10,000 rows per import; this one has more")
    assert "Split it" in message


def test_nul_characters_are_refused_naming_their_line():
    message = unreadable(b"number,label\n1,work\n2,wo\x00rk\n")
    assert message.startswith("Line 3 holds NUL characters")


def test_utf16_without_its_byte_order_mark_is_refused_not_misread():
    message = unreadable("number\n1\n".encode("utf-16-le"))
    assert "NUL characters" in message


def test_a_quote_left_open_is_refused_naming_the_row_it_opens():
    message = unreadable('number,label\n1,work\n2,"home\n3,work\n4,mobile\n')
    assert message.startswith("The row starting on line 3 cannot be read as CSV")


def test_an_endless_line_is_refused():
    message = unreadable(io.BytesIO(b"number\n" + b"9" * 2_000_000))
    assert message.startswith("Line 2 is longer than 1,000,000 characters")


def test_a_column_named_twice_is_refused():
    assert "names the column “number” twice" in unreadable("number,Number\n1,2\n")


@pytest.mark.parametrize("source", [b"", "", "\n\n  \n", codecs.BOM_UTF8])
def test_empty_input_is_refused(source: bytes | str):
    assert unreadable(source).startswith("There is nothing to import")


def test_the_template_reads_back_as_two_rows_with_every_column():
    template = template_csv()
    assert template.splitlines()[0] == ",".join(f'"{column}"' for column in COLUMNS)
    rows = list(read_rows(template.encode("utf-8")))
    assert [row.line for row in rows] == [2, 3]
    assert rows[1].cells["workspaces"] == "Sales;Marketing"
    assert all(row.cells["number"] for row in rows)


HEADERS = st.sampled_from(["", "number\n", "number,label\n", "number;people\n", "number\t"])


@given(head=HEADERS, body=st.binary(max_size=300))
@settings(max_examples=400, deadline=None)
def test_arbitrary_bytes_are_rows_or_unreadable_never_a_crash(head: str, body: bytes):
    for prefix in (b"", codecs.BOM_UTF16_LE, codecs.BOM_UTF8):
        data = (
            prefix
            + (head.encode("utf-16-le") if prefix == codecs.BOM_UTF16_LE else head.encode())
            + body
        )
        try:
            rows = list(read_rows(io.BytesIO(data)))
        except ImportUnreadable as exc:
            assert exc.message
        else:
            assert all(tuple(row.cells) == COLUMNS for row in rows)


@given(head=HEADERS, body=st.text(max_size=300))
@settings(max_examples=400, deadline=None)
def test_arbitrary_text_is_rows_or_unreadable_never_a_crash(head: str, body: str):
    try:
        rows = list(read_rows(head + body))
    except ImportUnreadable as exc:
        assert exc.message
    else:
        assert all(isinstance(cell, str) for row in rows for cell in row.cells.values())
        assert [row.line for row in rows] == sorted({row.line for row in rows})
