"""Forms: validate and normalise what staff type. They never call WellApp."""

import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.db import models
from django.utils.text import capfirst

from phones.models import Company, Person, Phone, Workspace
from phones.phone_numbers import (
    NumberCheck,
    calling_code_choices,
    check_number,
    region_choices,
)
from phones.selectors.listing import PhoneFilters

MAX_PICKS = 50
MAX_ID_LENGTH = 200


def _usable_id(value: str) -> bool:
    """Whether a submitted id could be a WellApp id at all (worth looking up)."""
    return len(value) <= MAX_ID_LENGTH and value.isprintable()


class CachedRecordsField(forms.Field):
    """A multi-select of records from the local directory, submitted as repeated ids.

    Ids are checked against the cache; labels never come from the browser. Cleans to the
    records, in the order they were picked.
    """

    widget = forms.MultipleHiddenInput

    def __init__(self, model: type[models.Model], **kwargs: Any) -> None:
        self.model = model
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        ids: list[str] = []
        for item in values:
            text = str(item).strip()
            if text and text not in ids:
                ids.append(text)
        return ids

    def clean(self, value: Any) -> list[models.Model]:
        ids = self.to_python(value)
        if self.required and not ids:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(ids) > MAX_PICKS:
            raise forms.ValidationError(f"Pick at most {MAX_PICKS}.", code="too_many")
        if not all(_usable_id(i) for i in ids):
            raise forms.ValidationError("That selection is not a known record.", code="unknown")
        found = self.model.objects.in_bulk(ids)
        missing = [i for i in ids if i not in found]
        if missing:
            plural = self.model._meta.verbose_name_plural
            raise forms.ValidationError(
                f"{len(missing)} selected {plural} are not in the local directory any more; "
                "remove them and pick again.",
                code="unknown",
            )
        return [found[i] for i in ids]

    def selected(self, value: Any) -> list[models.Model]:
        """The known records behind submitted ids (unknown ones are left out), for display."""
        ids = [i for i in self.to_python(value) if _usable_id(i)]
        if not ids:
            return []
        found = self.model.objects.in_bulk(ids[:MAX_PICKS])
        return [found[i] for i in ids if i in found]


class PickerForm(forms.Form):
    """A form with directory pickers, and what each picker needs to render."""

    PICKERS: tuple[tuple[str, str], ...] = ()  # (field name, picker kind)

    def selected(self, name: str) -> list[models.Model]:
        """The cached records currently picked in one of the picker fields."""
        field = self.fields[name]
        assert isinstance(field, CachedRecordsField)
        if self.is_bound:
            return field.selected(self.data.getlist(self.add_prefix(name)))
        return field.selected(self.initial.get(name))

    def pickers(self) -> list[dict[str, Any]]:
        return [
            {"field": self[name], "kind": kind, "selected": self.selected(name)}
            for name, kind in self.PICKERS
        ]


class PhoneCreateForm(PickerForm):
    """The new-phone form. ``number`` holds the parsed number once the form is valid."""

    PICKERS = (("persons", "people"), ("companies", "companies"), ("workspaces", "workspaces"))

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    country = forms.ChoiceField(label="Country", choices=region_choices)
    national_number = forms.CharField(label="Number", max_length=40)
    label = forms.ChoiceField(label="Label", choices=Phone.Label.choices, initial="work")
    is_primary = forms.BooleanField(label="Primary", required=False)
    is_verified = forms.BooleanField(label="Verified", required=False)
    persons = CachedRecordsField(Person, label="People")
    companies = CachedRecordsField(Company, label="Companies")
    workspaces = CachedRecordsField(Workspace, label="Workspaces")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.number: NumberCheck | None = None
        if not self.is_bound:
            self.initial.setdefault("client_id", uuid.uuid4())
            self.initial.setdefault("country", settings.WELL_DEFAULT_REGION)

    @classmethod
    def initial_from(cls, form_data: dict[str, Any]) -> dict[str, Any]:
        """Initial values from a submitted form's data (as stored with a queued phone)."""
        initial: dict[str, Any] = {}
        for name, value in form_data.items():
            if name in cls.base_fields:
                values = [value] if isinstance(value, str) else list(value)
                many = isinstance(cls.base_fields[name], CachedRecordsField)
                initial[name] = values if many else (values[-1] if values else "")
        return initial

    def phone_fields(self) -> dict[str, Any]:
        """The phone this valid form describes, as ``phone_create`` takes it."""
        assert self.number is not None
        data = self.cleaned_data
        return {
            "client_id": data["client_id"],
            "country_code": self.number.country_code or 0,
            "national_number": self.number.national_number,
            "e164_number": self.number.e164,
            "label": data["label"],
            "is_primary": data["is_primary"],
            "is_verified": data["is_verified"],
            "people": data["persons"],
            "companies": data["companies"],
            "workspaces": data["workspaces"],
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        raw = cleaned.get("national_number")
        if raw is None:
            return cleaned
        check = check_number(raw, cleaned.get("country") or settings.WELL_DEFAULT_REGION)
        if check.region and check.region != cleaned.get("country"):
            # A pasted international number decides the country.
            cleaned["country"] = check.region
            if self.data is not None and hasattr(self.data, "_mutable"):
                self.data = self.data.copy()
                self.data["country"] = check.region
        if not check.valid:
            self.add_error("national_number", check.problem)
        else:
            self.number = check
        return cleaned


@dataclass(frozen=True)
class ActiveFilter:
    """One filter a list query applies: its query parameter, the one value of it to drop
    to remove this filter (None: the whole parameter) and its chip's text."""

    name: str
    value: str | None
    text: str


def _tristate(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class PhoneFilterForm(PickerForm):
    """The list's query string: search, filters, sort, page size and cursor. Anything
    malformed is dropped rather than refused, so a hand-edited URL still shows a list."""

    YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]
    PICKERS = (("workspace", "workspaces"), ("company", "companies"), ("person", "people"))

    q = forms.CharField(label="Search", required=False, max_length=100)
    workspace = CachedRecordsField(Workspace, label="Workspaces")
    company = CachedRecordsField(Company, label="Companies")
    person = CachedRecordsField(Person, label="People")
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
        label="Sort",
        required=False,
        choices=[
            ("-created", "Newest first"),
            ("created", "Oldest first"),
            ("-updated", "Recently updated"),
            ("updated", "Least recently updated"),
            ("number", "Number, ascending"),
            ("-number", "Number, descending"),
        ],
    )
    size = forms.TypedChoiceField(
        label="Per page",
        required=False,
        coerce=int,
        empty_value=25,
        choices=[(25, "25"), (50, "50"), (100, "100")],
    )
    cursor = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def filters(self) -> PhoneFilters:
        """The filters this query string asks for. A value that does not parse is left out
        (cleaned_data holds only the fields that validated), so a hand-edited URL still
        shows a list."""
        self.is_valid()
        data = self.cleaned_data
        return PhoneFilters(
            q=data.get("q") or "",
            workspaces=tuple(w.pk for w in data.get("workspace") or ()),
            companies=tuple(c.pk for c in data.get("company") or ()),
            people=tuple(p.pk for p in data.get("person") or ()),
            label=data.get("label") or "",
            country_code=data.get("country"),
            is_primary=_tristate(data.get("primary") or ""),
            is_verified=_tristate(data.get("verified") or ""),
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
        )

    # The filters that sit behind the list's "More filters" disclosure.
    MORE = ("person", "company", "primary", "verified", "created_from", "created_to")

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
                shown = dict((str(k), v) for k, v in field.choices).get(str(value), value)
                if name == "country":
                    shown = f"+{value}"
                active.append(ActiveFilter(name, None, f"{field.label}: {shown}"))
            else:
                active.append(ActiveFilter(name, None, f"{field.label}: {value:%Y-%m-%d}"))
        return active


class LoginForm(AuthenticationForm):
    """Django's login form, with the username cut to the length a username can have: an
    overlong one is then simply wrong (and fits in the lockout and audit records)."""

    def clean_username(self) -> str:
        limit = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD).max_length
        return (self.cleaned_data.get("username") or "")[:limit]
