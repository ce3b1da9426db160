"""The operations the benchmark times: each a portal URL and the Django admin URL that asks
the same of the same data."""

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:  # bench.terms needs Django set up; this module is imported before that
    from bench.terms import Terms

ADMIN = "/admin/phones/phone/"
ADMIN_PAGE_SIZE = 50  # PhoneAdmin.list_per_page
AUTOCOMPLETE = {"app_label": "phones", "model_name": "phone", "field_name": "people"}
DEEP_ROWS = 2000
DEEP_PAGE_SIZE = 100


@dataclass(frozen=True)
class Operation:
    label: str
    wellui: str
    admin: str
    search: bool = False  # a search of the phones: held to 100x the admin's speed
    note: str = ""  # how the admin URL differs, when it cannot ask exactly the same


def _search(label: str, q: str, *, wellui: dict | None = None, admin: dict | None = None):
    return Operation(
        label,
        f"/phones/?{urlencode({'q': q, **(wellui or {})})}",
        f"{ADMIN}?{urlencode({'q': q, **(admin or {})})}",
        search=True,
    )


def operations(terms: "Terms", *, deep: str, page_two: str) -> list[Operation]:
    """Every operation, in the order they are timed. ``deep`` is the portal's URL of the page
    after row 2,000 and ``page_two`` that of the second page of the common-surname search,
    both reached by following the list's next-page links."""
    common = terms.common_surname
    return [
        Operation("List, first page", "/phones/", ADMIN),
        _search(f"Digit search, 7 digits `{terms.digits}`", terms.digits),
        _search(f"Digit search, 3 digits `{terms.three_digits}`", terms.three_digits),
        _search(f"Most common surname `{common}`", common),
        _search(f"Median surname `{terms.median_surname}`", terms.median_surname),
        _search(f"Rare surname `{terms.rare_surname}`", terms.rare_surname),
        _search(f"Most common first name `{terms.first_name}`", terms.first_name),
        _search(f"Two letters `{terms.fragment}`", terms.fragment),
        _search(f"Email domain `{terms.domain}`", terms.domain),
        _search(f"Full name `{terms.full_name}`", terms.full_name),
        _search(
            f"`{common}` in the largest workspace ({terms.workspace_name})",
            common,
            wellui={"workspaces": terms.workspace},
            admin={"workspaces__id__exact": terms.workspace},
        ),
        _search(f"`{common}` sorted by number", common, wellui={"sort": "number"}, admin={"o": 1}),
        Operation(
            f"`{common}`, page 2",
            page_two,
            f"{ADMIN}?{urlencode({'q': common, 'p': 2})}",
            search=True,
        ),
        Operation(
            f"`{common}`, 100 rows",
            f"/phones/?{urlencode({'q': common, 'size': 100})}",
            f"{ADMIN}?{urlencode({'q': common})}",
            search=True,
            note=f"the admin shows {ADMIN_PAGE_SIZE} rows a page, whatever is asked",
        ),
        Operation(
            f"Workspace filter ({terms.workspace_name})",
            f"/phones/?{urlencode({'workspaces': terms.workspace})}",
            f"{ADMIN}?{urlencode({'workspaces__id__exact': terms.workspace})}",
        ),
        Operation(
            f"Page after row {DEEP_ROWS:,}",
            deep,
            f"{ADMIN}?p={DEEP_ROWS // ADMIN_PAGE_SIZE + 1}",
        ),
        Operation(
            f"People picker `{terms.picker}`",
            f"/phones/pickers/people/?{urlencode({'q': terms.picker})}",
            f"/admin/autocomplete/?{urlencode({**AUTOCOMPLETE, 'term': terms.picker})}",
        ),
    ]
