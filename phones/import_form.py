"""The import screens' forms: the rows to import (pasted or a CSV file) with the country
their numbers are dialled from, and one row's cells as staff correct them."""

import hashlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django import forms
from django.conf import settings

from phones.import_rows import COLUMNS
from phones.phone_numbers import region_choices

# A file larger than this is refused before it is read: 10,000 rows fit in far less.
MAX_FILE_BYTES = 10 * 1024 * 1024
FILE_SUFFIXES = (".csv", ".tsv", ".txt")
# A corrected cell longer than this is no phone, label or list of names.
MAX_CELL_LENGTH = 1000


@dataclass(frozen=True)
class ImportSource:
    """What staff gave: the uploaded file (read in chunks as its rows are read) or the
    pasted text, its name ("" for pasted text) and the SHA-256 of exactly what was given."""

    data: IO[bytes] | str
    file_name: str
    sha256: str


class ImportForm(forms.Form):
    """Rows pasted from a spreadsheet or a CSV file (one of the two), and the country of
    the numbers written without a leading +."""

    text = forms.CharField(required=False, strip=False, label="Paste the rows")
    file = forms.FileField(required=False, label="Or upload a CSV file")
    country = forms.ChoiceField(
        choices=region_choices, label="Country of numbers written without +"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"country": settings.WELL_DEFAULT_REGION})
        super().__init__(*args, **kwargs)

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if PurePath(upload.name or "").suffix.lower() not in FILE_SUFFIXES:
            raise forms.ValidationError(
                "Choose a .csv file (a spreadsheet saved as CSV), or paste the rows instead.",
                code="suffix",
            )
        if upload.size is not None and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"That file is over {MAX_FILE_BYTES // (1024 * 1024)} MB; split it into "
                "files of at most 10,000 rows.",
                code="size",
            )
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        text, upload = cleaned.get("text") or "", cleaned.get("file")
        if "file" in self.errors:
            return cleaned
        if upload is not None and text.strip():
            raise forms.ValidationError(
                "Paste the rows or choose a file, not both: clear the pasted rows to import "
                "the file.",
                code="both",
            )
        if upload is None and not text.strip():
            self.add_error("text", "Paste the rows to import, or choose a CSV file.")
        return cleaned

    def source(self) -> ImportSource:
        """The validated input, read once (call after ``is_valid``)."""
        upload = self.cleaned_data.get("file")
        if upload is not None:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            return ImportSource(
                data=upload,
                file_name=PurePath(upload.name or "").name[:200],
                sha256=digest.hexdigest(),
            )
        text = self.cleaned_data["text"]
        return ImportSource(
            data=text, file_name="", sha256=hashlib.sha256(text.encode("utf-8")).hexdigest()
        )


class ImportRowForm(forms.Form):
    """One row's cells as staff corrected them; the checks themselves come after."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for column in COLUMNS:
            self.fields[column] = forms.CharField(
                required=False, max_length=MAX_CELL_LENGTH, label=column.capitalize()
            )

    def cells(self) -> dict[str, str]:
        """Column -> text, every column present (call after ``is_valid``)."""
        return {column: self.cleaned_data.get(column) or "" for column in COLUMNS}
