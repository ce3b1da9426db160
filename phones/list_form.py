"""The phone list's filter form: the list's query string, parsed once into the
``ListQuery`` the selectors read."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.text import capfirst

from phones.forms import CachedRecordsField, PickerForm
from phones.models import Company, Person, Phone, Workspace
from phones.phone_numbers import calling_code_choices
from phones.selectors.list_query import (
    DEFAULT_PAGE_SIZE,
    DEFAULT_SORT,
    PAGE_SIZES,
    SORT_NAMED,
    SORTS,
    Cursor,
    ListQuery,
    PhoneFilters,
    Sort,
    cursor_decode,
)


@dataclass(frozen=True)
class ActiveFilter:
    """One filter a list query applies: its query parameter, the one value of it to drop
    to remove this filter (None: the whole parameter) and its chip's text."""

    name: str
    value: str | None
    text: str


def _tristate(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


# Link-filter parameters that older links carry (bookmarks), and the parameter each is now.
LEGACY_PARAMETERS = {"workspace": "workspaces", "company": "companies", "person": "people"}


def _current_names(data: QueryDict) -> QueryDict:
    """``data`` with each legacy parameter's values moved onto the parameter that replaced
    it, in the order they came; ``data`` itself when it holds none."""
    if not any(name in data for name in LEGACY_PARAMETERS):
        return data
    renamed = QueryDict(mutable=True)
    for name, values in data.lists():
        current = LEGACY_PARAMETERS.get(name, name)
        renamed.setlist(current, renamed.getlist(current) + values)
    return renamed


class PhoneFilterForm(PickerForm):
    """The list's query string, parsed once into a ``ListQuery`` (``list_query()``): search,
    filters, sort, page size and cursor. Anything malformed is dropped rather than refused,
    so a hand-edited URL still shows a list. ``params`` is the query string with the
    current parameter names (``LEGACY_PARAMETERS`` renamed), for links to the list."""

    YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]
    PICKERS = (("workspaces", "workspaces"), ("companies", "companies"), ("people", "people"))
    # The filters that sit behind the list's "More filters" disclosure.
    MORE = ("people", "companies", "primary", "verified", "created_from", "created_to")

    q = forms.CharField(label="Search", required=False, max_length=100)
    workspaces = CachedRecordsField(Workspace, label="Workspaces")
    companies = CachedRecordsField(Company, label="Companies")
    people = CachedRecordsField(Person, label="People")
    label = forms.ChoiceField(
        label="Label", required=False, choices=[("", "Any"), *Phone.Label.choices]
    )
    country = forms.TypedChoiceField(
        label="Country", required=False, coerce=int, empty_value=None, choices=calling_code_choices
    )
    primary = forms.ChoiceField(label="Primary", required=False, choices=YES_NO)
    verified = forms.ChoiceField(label="Verified", required=False, choices=YES_NO)
    created_from = forms.DateField(
        label="Created from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label="Created to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        label="Sort", required=False, choices=[(s.name, s.label) for s in SORTS]
    )
    size = forms.ChoiceField(
        label="Per page", required=False, choices=[(n, str(n)) for n in PAGE_SIZES]
    )
    cursor = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(self, data: QueryDict | None = None, **kwargs: Any) -> None:
        self.params = QueryDict() if data is None else _current_names(data)
        super().__init__(None if data is None else self.params, **kwargs)

    def clean_sort(self) -> Sort:
        return SORT_NAMED.get(self.cleaned_data["sort"], DEFAULT_SORT)

    def clean_size(self) -> int:
        return int(self.cleaned_data["size"] or DEFAULT_PAGE_SIZE)

    def clean_cursor(self) -> Cursor | None:
        """The page the cursor starts at, in the sort order asked for (sort cleans first)."""
        text = self.cleaned_data["cursor"]
        if not text:
            return None
        cursor = cursor_decode(text, sort=self.cleaned_data.get("sort", DEFAULT_SORT))
        if cursor is None:
            raise forms.ValidationError("That page is not one of this list's.", code="invalid")
        return cursor

    def list_query(self) -> ListQuery:
        """The list this query string asks for. A value that does not parse is left out
        (cleaned_data holds only the fields that validated), so a hand-edited URL still
        shows a list."""
        self.is_valid()
        data = self.cleaned_data
        filters = PhoneFilters(
            q=data.get("q") or "",
            workspaces=tuple(w.pk for w in data.get("workspaces") or ()),
            companies=tuple(c.pk for c in data.get("companies") or ()),
            people=tuple(p.pk for p in data.get("people") or ()),
            label=data.get("label") or "",
            country_code=data.get("country"),
            is_primary=_tristate(data.get("primary") or ""),
            is_verified=_tristate(data.get("verified") or ""),
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
        )
        return ListQuery(
            filters=filters,
            sort=data.get("sort", DEFAULT_SORT),
            size=data.get("size", DEFAULT_PAGE_SIZE),
            cursor=data.get("cursor"),
        )

    def active_filters(self) -> list[ActiveFilter]:
        """Every filter this query string applies, in the form's order, each with what staff
        read on its chip. Only values that validated count (the list ignores the rest)."""
        self.is_valid()
        data = self.cleaned_data
        active: list[ActiveFilter] = []
        for name, field in self.fields.items():
            value = data.get(name)
            if name in ("sort", "size", "cursor") or value in (None, "", []):
                continue
            if isinstance(field, CachedRecordsField):
                kind = capfirst(field.model._meta.verbose_name)
                for record in value:
                    active.append(ActiveFilter(name, str(record.pk), f"{kind}: {record}"))
            elif name == "q":
                active.append(ActiveFilter(name, None, f"Search: “{value}”"))
            elif isinstance(field, forms.ChoiceField):
                choices = cast(Iterable[tuple[Any, Any]], field.choices)
                shown = dict((str(k), v) for k, v in choices).get(str(value), value)
                if name == "country":
                    shown = f"+{value}"
                active.append(ActiveFilter(name, None, f"{field.label}: {shown}"))
            else:
                active.append(ActiveFilter(name, None, f"{field.label}: {value:%Y-%m-%d}"))
        return active
