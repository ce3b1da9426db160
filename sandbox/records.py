"""The sandbox's record types. Timestamps are whole epoch seconds (UTC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


def epoch(moment: datetime) -> int:
    """Whole epoch seconds for an aware (or UTC-naive) datetime."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    first_name: str
    last_name: str
    email: str
    job_title: str
    created_at: int
    updated_at: int

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True, slots=True)
class Company:
    id: str
    name: str
    description: str
    domain: str
    website: str
    locale: str
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class Workspace:
    id: str
    name: str
    description: str
    avatar_color: str
    external_workspace_id: str
    auto_extract_enabled: bool
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class Phone:
    id: str
    country_code: int
    national_number: str
    e164_number: str
    label: str
    is_primary: bool
    is_verified: bool
    created_at: int
    updated_at: int
    persons: tuple[str, ...]
    companies: tuple[str, ...]
    workspaces: tuple[str, ...]
