"""Forms: validate and normalise what staff type. They never call WellApp."""

import uuid
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.db import models
from django.http import QueryDict

from phones.models import Company, Person, Phone, Workspace
from phones.phone_numbers import (
    NumberCheck,
    check_number,
    region_choices,
)
from phones.upstream.drafts import PhoneDraft

MAX_PICKS = 50
MAX_ID_LENGTH = 200


def usable_id(value: str) -> bool:
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
        if not all(usable_id(i) for i in ids):
            raise forms.ValidationError("That selection is not a known record.", code="unknown")
        found = self.model._default_manager.in_bulk(ids)
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
        ids = [i for i in self.to_python(value) if usable_id(i)]
        if not ids:
            return []
        found = self.model._default_manager.in_bulk(ids[:MAX_PICKS])
        return [found[i] for i in ids if i in found]


class PickerForm(forms.Form):
    """A form with directory pickers, and what each picker needs to render."""

    PICKERS: tuple[tuple[str, str], ...] = ()  # (field name, picker kind)

    def selected(self, name: str) -> list[models.Model]:
        """The cached records currently picked in one of the picker fields."""
        field = self.fields[name]
        assert isinstance(field, CachedRecordsField)
        cleaned = getattr(self, "cleaned_data", {})
        if name in cleaned:
            return cleaned[name]  # read when the field was cleaned: the same records, in order
        if self.is_bound:
            return field.selected(cast(QueryDict, self.data).getlist(self.add_prefix(name)))
        return field.selected(self.initial.get(name))

    def pickers(self) -> list[dict[str, Any]]:
        return [
            {"field": self[name], "kind": kind, "selected": self.selected(name)}
            for name, kind in self.PICKERS
        ]


class PhoneCreateForm(PickerForm):
    """The new-phone form. ``number`` holds the parsed number once the form is valid, and
    ``draft()`` the phone it describes."""

    PICKERS = (("people", "people"), ("companies", "companies"), ("workspaces", "workspaces"))
    # Names earlier versions of this form gave its fields (queued phones' stored form data
    # may still use them).
    FORMER_NAMES = {"persons": "people"}

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    country = forms.ChoiceField(label="Country", choices=region_choices)
    national_number = forms.CharField(label="Number", max_length=40)
    label = forms.ChoiceField(label="Label", choices=Phone.Label.choices, initial="work")
    is_primary = forms.BooleanField(label="Primary", required=False)
    is_verified = forms.BooleanField(label="Verified", required=False)
    people = CachedRecordsField(Person, label="People")
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
        for stored_name, value in form_data.items():
            name = cls.FORMER_NAMES.get(stored_name, stored_name)
            if name in cls.base_fields:
                values = [value] if isinstance(value, str) else list(value)
                many = isinstance(cls.base_fields[name], CachedRecordsField)
                initial[name] = values if many else (values[-1] if values else "")
        return initial

    def draft(self) -> PhoneDraft:
        """The phone this valid form describes, linked to the picked records in their order."""
        assert self.number is not None, "draft() needs a valid form"
        data = self.cleaned_data
        return PhoneDraft(
            id=data["client_id"],
            country_code=self.number.country_code or 0,
            national_number=self.number.national_number,
            e164_number=self.number.e164,
            label=data["label"],
            is_primary=data["is_primary"],
            is_verified=data["is_verified"],
            people=tuple(data["people"]),
            companies=tuple(data["companies"]),
            workspaces=tuple(data["workspaces"]),
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        raw = cleaned.get("national_number")
        if raw is None:
            return cleaned
        check = check_number(raw, cleaned.get("country") or settings.WELL_DEFAULT_REGION)
        if check.region and check.region != cleaned.get("country"):
            # A pasted international number decides the country.
            cleaned["country"] = check.region
            if self.data is not None and hasattr(self.data, "_mutable"):
                data = cast(QueryDict, self.data).copy()
                data["country"] = check.region
                self.data = data
        if not check.valid:
            self.add_error("national_number", check.problem)
        else:
            self.number = check
        return cleaned


class LoginForm(AuthenticationForm):
    """Django's login form, with the username cut to the length a username can have: an
    overlong one is then simply wrong (and fits in the lockout and audit records)."""

    def clean_username(self) -> str:
        field = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD)
        limit = field.max_length if isinstance(field, models.Field) else None
        return (self.cleaned_data.get("username") or "")[:limit]
