"""The sandbox's mutable state: stored phones, faults and the request log, under one lock.

Generated phones never change; a created phone, or a changed copy of a generated one, lives
in `stored`, and a generated phone that was changed or deleted is listed in `hidden`.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from sandbox.data import DemoData, resolve_sizes
from sandbox.documents import ApiError, Directory, validation_error
from sandbox.faults import Fault, FaultTable
from sandbox.ordering import BaseOrders
from sandbox.pagination import Key, keyset_page
from sandbox.records import Company, Person, Phone, Workspace
from sandbox.validation import PhoneInput

DEFAULT_TOKEN = "sandbox-token"  # noqa: S105 (the demo token, not a secret)
REQUEST_LOG_SIZE = 1000
RELATIONSHIP_ERRORS = (
    ("persons", "PERSON_NOT_FOUND", "Person"),
    ("companies", "COMPANY_NOT_FOUND", "Company"),
    ("workspaces", "WORKSPACE_NOT_FOUND", "Workspace"),
)


class SandboxState:
    """In-memory data, fault table and request log of one sandbox (thread-safe)."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        size: str = "default",
        seed: int = 42,
        people: int | None = None,
        phones: int | None = None,
        companies: int | None = None,
        workspaces: int | None = None,
    ) -> None:
        self.token = token
        sizes = resolve_sizes(
            size, people=people, phones=phones, companies=companies, workspaces=workspaces
        )
        self.data = DemoData(sizes, seed)
        self.orders = BaseOrders(self.data)
        self.lock = threading.RLock()
        self.clock = time.time
        self.faults = FaultTable()
        self.latency_fault_id: str | None = None
        self.stored: dict[str, Phone] = {}
        self.hidden: set[int] = set()
        self.requests: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_SIZE)
        self.counts: Counter[str] = Counter()
        self.in_flight = 0
        self._sorted: dict[str, list[tuple[Key, Phone]]] = {}
        self.directory = Directory(self.person, self.company, self.workspace)

    # ---- directory -------------------------------------------------------------------------
    def find_person(self, person_id: str) -> Person | None:
        k = self.data.person_index(person_id)
        return None if k is None else self.data.person(k)

    def find_company(self, company_id: str) -> Company | None:
        k = self.data.company_index(company_id)
        return None if k is None else self.data.company(k)

    def find_workspace(self, workspace_id: str) -> Workspace | None:
        k = self.data.workspace_index.get(workspace_id)
        return None if k is None else self.data.workspaces[k]

    def person(self, person_id: str) -> Person:
        found = self.find_person(person_id)
        if found is None:
            raise KeyError(person_id)
        return found

    def company(self, company_id: str) -> Company:
        found = self.find_company(company_id)
        if found is None:
            raise KeyError(company_id)
        return found

    def workspace(self, workspace_id: str) -> Workspace:
        found = self.find_workspace(workspace_id)
        if found is None:
            raise KeyError(workspace_id)
        return found

    # ---- phones ------------------------------------------------------------------------------
    def _current(self, phone_id: str) -> tuple[Phone | None, int | None]:
        phone_id = phone_id.lower()
        index = self.data.phone_index(phone_id)
        stored = self.stored.get(phone_id)
        if stored is not None:
            return stored, index
        if index is not None and index not in self.hidden:
            return self.data.base_phone(index), index
        return None, index

    def get_phone(self, phone_id: str, workspace_id: str | None = None) -> Phone | None:
        """The phone, or None when absent or outside the workspace."""
        with self.lock:
            phone, _ = self._current(phone_id)
        if phone is None or (workspace_id is not None and workspace_id not in phone.workspaces):
            return None
        return phone

    def phone_total(self) -> int:
        with self.lock:
            base = self.data.sizes.phones - len(self.hidden)
            return base + len(self.stored)

    def _stored_sorted(self, order: str) -> list[tuple[Key, Phone]]:
        entries = self._sorted.get(order)
        if entries is None:
            entries = sorted(
                ((getattr(phone, order), phone.id), phone) for phone in self.stored.values()
            )
            self._sorted[order] = entries
        return entries

    def list_phones(
        self,
        *,
        order: str = "created_at",
        descending: bool = False,
        after: Key | None = None,
        limit: int = 50,
        workspace_id: str | None = None,
        since: float | None = None,
    ) -> tuple[list[tuple[Key, Phone]], int, bool]:
        """One keyset page: [(position, phone)], the total matching, and whether more follow."""
        workspace = None if workspace_id is None else self.data.workspace_index[workspace_id]
        view = self.orders.view(order, workspace, since)
        with self.lock:
            stored = self._stored_sorted(order)
            if workspace_id is not None or since is not None:
                stored = [
                    entry
                    for entry in stored
                    if (workspace_id is None or workspace_id in entry[1].workspaces)
                    and (since is None or entry[1].updated_at >= since)
                ]
            items, more = keyset_page(
                view=view,
                base_key=lambda i: self.orders.key(order, i),
                base_phone=self.data.base_phone,
                hidden=self.hidden,
                stored=stored,
                after=after,
                descending=descending,
                limit=limit,
            )
            hidden = sum(1 for i in self.hidden if self.orders.matches(i, workspace, since))
            return items, view.count - hidden + len(stored), more

    def create_phone(self, phone_input: PhoneInput) -> Phone:
        """Store a new phone; 409 if the id exists, 404 if a related id is unknown."""
        with self.lock:
            existing, _ = self._current(phone_input.id)
            if existing is not None:
                raise ApiError(
                    409,
                    "PHONE_ALREADY_EXISTS",
                    f"A phone with id {phone_input.id} already exists",
                    path="data.id",
                    issue="already_exists",
                )
            finders = {
                "persons": self.find_person,
                "companies": self.find_company,
                "workspaces": self.find_workspace,
            }
            for name, code, noun in RELATIONSHIP_ERRORS:
                for related_id in getattr(phone_input, name):
                    if finders[name](related_id) is None:
                        raise ApiError(
                            404,
                            code,
                            f"{noun} {related_id} was not found",
                            path=f"data.relationships.{name}",
                            issue="not_found",
                        )
            now = int(self.clock())
            attributes = phone_input.attributes
            phone = Phone(
                id=phone_input.id,
                country_code=attributes["country_code"],
                national_number=attributes["national_number"],
                e164_number=attributes["e164_number"],
                label=attributes["label"],
                is_primary=attributes["is_primary"],
                is_verified=attributes["is_verified"],
                created_at=now,
                updated_at=now,
                persons=phone_input.persons,
                companies=phone_input.companies,
                workspaces=phone_input.workspaces,
            )
            self.stored[phone.id] = phone
            self._sorted.clear()
            return phone

    def update_phone(self, phone_id: str, attributes: dict[str, Any]) -> Phone:
        """Change attributes (already validated) and bump updated_at; KeyError if absent."""
        with self.lock:
            phone, index = self._current(phone_id)
            if phone is None:
                raise KeyError(phone_id)
            changed = replace(phone, **attributes, updated_at=int(self.clock()))
            expected = f"+{changed.country_code}{changed.national_number}"
            if "e164_number" not in attributes:
                changed = replace(changed, e164_number=expected)
            elif changed.e164_number != expected:
                raise validation_error(
                    "attributes.e164_number", "mismatch", f"e164_number must equal {expected}"
                )
            self.stored[changed.id] = changed
            if index is not None:
                self.hidden.add(index)
            self._sorted.clear()
            return changed

    def delete_phone(self, phone_id: str) -> bool:
        with self.lock:
            phone, index = self._current(phone_id)
            if phone is None:
                return False
            self.stored.pop(phone.id, None)
            if index is not None:
                self.hidden.add(index)
            self._sorted.clear()
            return True

    # ---- faults and log ---------------------------------------------------------------------
    def add_fault(self, spec: dict[str, Any]) -> Fault:
        with self.lock:
            return self.faults.add(spec)

    def remove_fault(self, fault_id: str) -> bool:
        with self.lock:
            return self.faults.remove(fault_id)

    def clear_faults(self) -> int:
        with self.lock:
            return self.faults.clear()

    def list_faults(self) -> list[dict[str, Any]]:
        with self.lock:
            return self.faults.listing()

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            return self.faults.take(method, path)

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Counts a /v1 request as in flight until its answer is decided and logged (a slow
        fault's wait included)."""
        with self.lock:
            self.in_flight += 1
        try:
            yield
        finally:
            with self.lock:
                self.in_flight -= 1

    def record(self, entry: dict[str, Any], route: str) -> None:
        with self.lock:
            self.requests.append(entry)
            self.counts[route] += 1

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "requests": list(self.requests),
                "counts": dict(self.counts),
                "phones": self.phone_total(),
                "in_flight": self.in_flight,
            }

    def reset(self) -> None:
        """Back to the generated demo data, with no faults and an empty log (a request still
        in flight is answered, and logged, after it)."""
        with self.lock:
            self.stored.clear()
            self.hidden.clear()
            self._sorted.clear()
            self.faults.clear()
            self.latency_fault_id = None
            self.requests.clear()
            self.counts.clear()
