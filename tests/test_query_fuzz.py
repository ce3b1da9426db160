"""No query surface a logged-in viewer can reach takes the server process down.

Hostile text goes into every parameter of the phones list (page and htmx fragment), the CSV
export and the directory pickers. A fault in the database engine would kill the process that
runs the query, so the requests run in a child process (``tests.fuzz_child``, driven by
``tests.fuzz_harness``) with a database of its own, on the same engine as this run; this
process generates the input and checks that the child is still alive and answered every
request with a page.
"""

import base64
import json
import string
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from phones.list_form import LEGACY_PARAMETERS
from phones.selectors.list_query import DEFAULT_SORT, SORTS
from tests.fuzz_child import COMPANY_IDS, CRASH, PERSON_IDS, WORKSPACE_IDS
from tests.fuzz_harness import ChildDied, FuzzChild, child_database

pytestmark = pytest.mark.timeout(180)

PICKER_KINDS = ("people", "companies", "workspaces")
SORT_NAMES = tuple(sort.name for sort in SORTS)

# Every general category but surrogates (Cs), which no request can carry.
ANY_CHAR = st.characters(exclude_categories=("Cs",))
NON_ASCII = st.characters(min_codepoint=0x80, exclude_categories=("Cs",))
SYMBOL = st.characters(categories=("P", "S"))
COMBINED = st.tuples(
    st.characters(categories=("L",)), st.text(st.characters(categories=("M",)), min_size=1)
).map("".join)
CONTROL = st.one_of(
    st.characters(categories=("Cc",)), st.sampled_from(["\x00", "\x1b", "\x7f", "\x85", "\x9f"])
)
DIRECTION = st.sampled_from(
    [chr(c) for c in (0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))]
)
EMOJI = st.one_of(
    st.sampled_from(["☻", "👩\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈", "👨🏽\u200d💻", "🇺🇸", "1️⃣"]),
    st.lists(
        st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), min_size=2, max_size=5
    ).map("\u200d".join),
)
SYNTAX = st.sampled_from(
    [
        '"',
        "*",
        "NEAR",
        "NEAR(",
        "AND",
        "OR",
        "NOT",
        "^",
        ":",
        "-",
        "+",
        "(",
        ")",
        "{",
        "}",
        "%",
        "_",
        "\\",
        "'",
        ";--",
        "text:",
        "{text}:",
        'text : "ab"',
        'NEAR("abc" "def", 2)',
        '"abc"*',
        '^"abc"',
        '""',
        "' OR '1'='1",
        '"; DROP TABLE phones_phone;--',
        "rowid:",
    ]
)
TOKEN = st.one_of(
    SYNTAX,
    NON_ASCII,
    st.text(NON_ASCII, min_size=2, max_size=2),
    st.text(SYMBOL, min_size=3, max_size=20),
    st.text(ANY_CHAR, min_size=1, max_size=12),
    COMBINED,
    EMOJI,
    DIRECTION,
    CONTROL,
)
SEPARATOR = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", "\u3000", ""])
TERMS = st.lists(st.tuples(TOKEN, SEPARATOR), min_size=1, max_size=8).map(
    lambda pairs: "".join(token + sep for token, sep in pairs)
)
# Long symbol tokens around one-character non-ASCII ones, like the search that crashed SQLite.
CRASH_SHAPED = st.tuples(
    st.text(SYMBOL, min_size=3, max_size=16),
    st.lists(NON_ASCII, min_size=1, max_size=4),
    st.text(SYMBOL, min_size=3, max_size=16),
).map(lambda parts: " ".join([parts[0], *parts[1], parts[2]]))
# Thousands of characters, made by repeating a hostile piece.
LONG = st.tuples(st.one_of(TOKEN, TERMS), st.integers(min_value=1000, max_value=6000)).map(
    lambda pair: (pair[0] * (pair[1] // len(pair[0]) + 1))[: pair[1]]
)
HOSTILE = st.one_of(
    st.just(CRASH),
    st.text(ANY_CHAR, max_size=120),
    st.text(NON_ASCII, min_size=1, max_size=2),
    SYNTAX,
    TERMS,
    CRASH_SHAPED,
    LONG,
)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(HOSTILE, inner, max_size=3),
    max_leaves=8,
)
DATES = st.dates().map(lambda day: day.isoformat())


def cursors(sort: str) -> st.SearchStrategy[str]:
    """Cursors: random base64, base64 of hostile JSON, and cursors shaped like the list's own
    (made for ``sort``) with hostile members."""
    shaped = st.tuples(
        st.sampled_from(["after", "before"]) | HOSTILE,
        st.just(sort) | HOSTILE,
        st.one_of(DATES, st.datetimes().map(lambda at: at.isoformat()), HOSTILE),
        st.uuids().map(str) | HOSTILE,
    ).map(list)
    return st.one_of(
        st.binary(max_size=300).map(_b64),
        st.text(st.sampled_from(string.ascii_letters + string.digits + "-_=+/"), max_size=200),
        st.one_of(JSON_VALUES, shaped).map(lambda v: _b64(json.dumps(v).encode())),
        HOSTILE,
    )


@st.composite
def list_queries(draw: st.DrawFn) -> dict[str, list[str]]:
    """A list query string: each parameter absent, valid, or hostile."""
    query: dict[str, list[str]] = {}

    def maybe(name: str, valid: st.SearchStrategy[str], many: bool = False) -> None:
        if draw(st.booleans()):
            value = st.one_of(valid, HOSTILE)
            query[name] = draw(st.lists(value, min_size=1, max_size=3 if many else 1))

    maybe("q", HOSTILE)
    maybe("workspaces", st.sampled_from(WORKSPACE_IDS), many=True)
    maybe("companies", st.sampled_from(COMPANY_IDS), many=True)
    maybe("people", st.sampled_from(PERSON_IDS), many=True)
    # Bookmarks from before the plural names, alone or beside the plural ones.
    maybe("workspace", st.sampled_from(WORKSPACE_IDS), many=True)
    maybe("company", st.sampled_from(COMPANY_IDS), many=True)
    maybe("person", st.sampled_from(PERSON_IDS), many=True)
    maybe("label", st.sampled_from(["", "work", "mobile", "home", "other"]))
    maybe("country", st.sampled_from(["", "1", "44", "39", "0", "-1", "9" * 30]))
    maybe("primary", st.sampled_from(["", "yes", "no"]))
    maybe("verified", st.sampled_from(["", "yes", "no"]))
    maybe("created_from", DATES | st.sampled_from(["2025-02-30", "0001-01-01", "9999-12-31"]))
    maybe("created_to", DATES | st.sampled_from(["2025-02-30", "0001-01-01", "9999-12-31"]))
    maybe("sort", st.sampled_from(["", *SORT_NAMES]))
    maybe("size", st.sampled_from(["", "25", "50", "100", "0", "-25", "1e3", "9" * 30]))
    sort = query.get("sort", [""])[-1]
    maybe("cursor", cursors(sort if sort in SORT_NAMES else DEFAULT_SORT.name))
    return query


@pytest.fixture(scope="module")
def child(tmp_path_factory) -> Iterator[FuzzChild]:
    """One child for the module, on a database of its own; started again if it dies."""
    directory = tmp_path_factory.mktemp("query-fuzz")
    with child_database(directory) as url:
        served = FuzzChild(database_url=url, log_path=directory / "child.log")
        try:
            yield served
        finally:
            served.close()


def assert_pages(child: FuzzChild, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Serve the requests in the child; each must come back as a 200 page."""
    answers = child.send(requests)
    for request, answer in zip(requests, answers, strict=True):
        assert answer["status"] == 200, (
            f"{request!r} answered {answer['status']}\n{answer.get('error', '')}"
        )
    return answers


FUZZ = settings(
    deadline=None,
    # A failing example names the request in full; shrinking it would restart the child at
    # every step after a crash.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow],
)


class _SearchBox(HTMLParser):
    """Reads the value of the list's search box (the pickers' inputs are named q too)."""

    def __init__(self) -> None:
        super().__init__()
        self.value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("id") == "id_q":
            self.value = found.get("value")


def test_searching_the_crashing_text_shows_matches_and_keeps_the_search(child: FuzzChild):
    [answer] = assert_pages(
        child, [{"path": reverse("phones:list"), "query": {"q": [CRASH]}, "body": True}]
    )
    box = _SearchBox()
    box.feed(answer["body"])
    assert box.value == CRASH
    # Seeded people, companies and workspaces carry the text in their names.
    assert 'data-e164="' in answer["body"]


@given(query=list_queries())
@example(query={"q": [CRASH]})
@example(query={"q": [CRASH], "sort": ["number"], "people": [PERSON_IDS[7]]})
@example(query={"person": [PERSON_IDS[7]], "people": [PERSON_IDS[7], "nobody"]})
@example(query={"created_from": ["9999-12-31"], "created_to": ["9999-12-31"]})
@example(query={"created_from": ["0001-01-01"], "created_to": ["0001-01-01"]})
@settings(FUZZ, max_examples=100)
def test_list_fragment_and_export_answer_any_query_string(
    child: FuzzChild, query: dict[str, list[str]]
):
    assert_pages(
        child,
        [
            {"path": reverse("phones:list"), "query": query},
            {"path": reverse("phones:list"), "query": query, "headers": {"HX-Request": "true"}},
            {"path": reverse("phones:export"), "query": query},
        ],
    )


@given(q=HOSTILE, picker=st.one_of(st.just("persons"), HOSTILE))
@example(q=CRASH, picker="persons")
@settings(FUZZ, max_examples=80)
def test_pickers_answer_any_search(child: FuzzChild, q: str, picker: str):
    assert_pages(
        child,
        [
            {
                "path": reverse("phones:picker", kwargs={"kind": kind}),
                "query": {"q": [q], "picker": [picker]},
                "headers": {"HX-Request": "true"},
            }
            for kind in PICKER_KINDS
        ],
    )


@given(
    name=st.sampled_from(["q", "cursor", "workspaces", *LEGACY_PARAMETERS, "created_from", "sort"]),
    raw=st.binary(max_size=60),
)
@example(name="q", raw=CRASH.encode())
@example(name="q", raw=b"\xff\xfe \xe2\x98 \xc0\x80")
@settings(FUZZ, max_examples=30)
def test_undecodable_query_strings_answer_with_a_page(child: FuzzChild, name: str, raw: bytes):
    encoded = f"{name}={quote_from_bytes(raw, safe='')}"
    assert_pages(
        child,
        [
            {"path": reverse("phones:list"), "raw_query": encoded},
            {"path": reverse("phones:export"), "raw_query": encoded},
            *(
                {"path": reverse("phones:picker", kwargs={"kind": kind}), "raw_query": encoded}
                for kind in PICKER_KINDS
            ),
        ],
    )


def test_a_child_that_dies_fails_the_batch_naming_the_request_and_signal(child: FuzzChild):
    listing = {"path": reverse("phones:list")}
    with pytest.raises(ChildDied) as died:
        child.send([listing, {"die": "SIGSEGV", "path": reverse("phones:list")}, listing])
    assert str(died.value).startswith(
        "The child process was killed by SIGSEGV while serving "
        "{'die': 'SIGSEGV', 'path': '/phones/'}\n"
    )
    assert "Fatal Python error: Segmentation fault" in str(died.value)
    # The next batch gets a fresh child on the same database.
    assert child.send([listing]) == [{"status": 200}]
