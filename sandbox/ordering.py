"""Sorted views of the generated (immutable) phones, for keyset pagination.

Phones sort by (value, id) for every `orderBy`. Generated phones are created in index
order, so `created_at` needs no sorting; other orders are sorted once into a compact index
array on first use (large data sets build the updated_at order at start-up: `warm_up`).
Filtered views (workspace, updated-since) are either a small sorted candidate list or the
full order walked with a predicate.
"""

from __future__ import annotations

import heapq
import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sandbox.data import DemoData

ORDER_FIELDS = ("created_at", "updated_at", "e164_number", "national_number", "country_code")


@dataclass(frozen=True)
class BaseView:
    """Generated phones matching a filter, as indexes sorted ascending by (value, id).

    `predicate`, when set, must also hold for an index to count; `count` is how many
    indexes of `indexes` pass it.
    """

    indexes: Sequence[int]
    predicate: Callable[[int], bool] | None
    count: int


class BaseOrders:
    """Sorted orders and filtered views over the generated phones (thread-safe, cached)."""

    small_view_limit = 50_000
    sort_run = 1 << 17
    cache_size = 16

    def __init__(self, data: DemoData) -> None:
        self.data = data
        self._lock = threading.Lock()
        self._orders: dict[str, Sequence[int]] = {"created_at": range(data.sizes.phones)}
        self._members: list[array] | None = None
        self._build_locks: dict[str, threading.Lock] = {}
        self._views: OrderedDict[tuple[Any, ...], BaseView] = OrderedDict()

    # ---- values --------------------------------------------------------------------------
    def value(self, order: str, i: int) -> Any:
        data = self.data
        if order == "created_at":
            return data.created_ts(i)
        if order == "updated_at":
            return data.updated_ts(i)
        country_code, national = data.number(i)
        if order == "country_code":
            return country_code
        if order == "national_number":
            return national
        return f"+{country_code}{national}"

    def key(self, order: str, i: int) -> tuple[Any, str]:
        """The (value, id) position of a generated phone in an order."""
        return self.value(order, i), self.data.phone_id(i)

    def _fast_key(self, order: str) -> Callable[[int], Any]:
        # Generated ids differ within their first 48 bits, which lead the id's text, so
        # (value, those bits) sorts exactly like (value, id) among generated phones.
        scramble = self.data.scramble
        value = self.value
        if order == "created_at":
            return lambda i: i
        if order == "updated_at":
            updated_ts = self.data.updated_ts
            return lambda i: (updated_ts(i) << 48) | scramble(i)
        if order == "country_code":
            return lambda i: (value(order, i) << 48) | scramble(i)
        return lambda i: f"{value(order, i)}\x00{scramble(i):012x}"

    # ---- orders and views ------------------------------------------------------------------
    def _building(self, name: str) -> threading.Lock:
        """The lock serialising the build of one cached structure (others stay available)."""
        with self._lock:
            return self._build_locks.setdefault(name, threading.Lock())

    def order(self, order: str, stop: threading.Event | None = None) -> Sequence[int]:
        """Generated phone indexes sorted by (value, id). A build abandoned because `stop`
        was set caches nothing and returns an empty sequence."""
        indexes = self._orders.get(order)
        if indexes is None:
            with self._building(order):
                indexes = self._orders.get(order)
                if indexes is None:
                    indexes = self._sort(order, stop)
                    if indexes is None:
                        return range(0)
                    self._orders[order] = indexes
        return indexes

    def warm_up(self, stop: threading.Event | None = None) -> None:
        """Build what incremental syncs and workspace scoping need, ahead of first use."""
        self.order("updated_at", stop)
        self.workspace_members(0, stop)

    def _sort(self, order: str, stop: threading.Event | None) -> array | None:
        # Sorted in runs, then merged, so no single step holds the interpreter for long and
        # other requests keep being served while a large order is built.
        fast_key = self._fast_key(order)
        count = self.data.sizes.phones
        run = self.sort_run
        keys: list[Any] = []
        for start in range(0, count, run):
            if stop is not None and stop.is_set():
                return None
            keys.extend(map(fast_key, range(start, min(start + run, count))))
        runs = []
        for start in range(0, count, run):
            if stop is not None and stop.is_set():
                return None
            runs.append(sorted(range(start, min(start + run, count)), key=keys.__getitem__))
        return array("I", heapq.merge(*runs, key=keys.__getitem__))

    def workspace_members(self, workspace: int, stop: threading.Event | None = None) -> array:
        """Indexes of generated phones linked to a workspace, ascending (empty if a build
        was abandoned because `stop` was set)."""
        if self._members is None:
            with self._building("workspace members"):
                if self._members is None:
                    members = [array("I") for _ in range(self.data.sizes.workspaces)]
                    workspace_indexes = self.data.workspace_indexes
                    for i in range(self.data.sizes.phones):
                        if not i % self.sort_run and stop is not None and stop.is_set():
                            return array("I")
                        for w in workspace_indexes(i):
                            members[w].append(i)
                    self._members = members
        return self._members[workspace]

    def updated_since(self, since: float) -> Sequence[int]:
        """Indexes of generated phones with updated_at >= since (in updated_at order)."""
        by_updated = self.order("updated_at")
        updated_ts = self.data.updated_ts
        start = bisect_left(by_updated, since, key=updated_ts)
        return by_updated[start:]

    def matches(self, i: int, workspace: int | None, since: float | None) -> bool:
        if workspace is not None and workspace not in self.data.workspace_indexes(i):
            return False
        return since is None or self.data.updated_ts(i) >= since

    def view(self, order: str, workspace: int | None, since: float | None) -> BaseView:
        if workspace is None and since is None:
            return BaseView(self.order(order), None, self.data.sizes.phones)
        cache_key = (order, workspace, since)
        with self._lock:
            cached = self._views.get(cache_key)
            if cached is not None:
                self._views.move_to_end(cache_key)
                return cached
        view = self._build_view(order, workspace, since)
        with self._lock:
            self._views[cache_key] = view
            while len(self._views) > self.cache_size:
                self._views.popitem(last=False)
        return view

    def _build_view(self, order: str, workspace: int | None, since: float | None) -> BaseView:
        sources: list[Sequence[int]] = []
        if workspace is not None:
            sources.append(self.workspace_members(workspace))
        if since is not None:
            sources.append(self.updated_since(since))
        source = min(sources, key=len)
        both = len(sources) == 2

        def predicate(i: int) -> bool:
            return self.matches(i, workspace, since)

        if len(source) <= self.small_view_limit:
            indexes = [i for i in source if predicate(i)] if both else list(source)
            indexes.sort(key=self._fast_key(order))
            return BaseView(indexes, None, len(indexes))
        count = sum(1 for i in source if predicate(i)) if both else len(source)
        return BaseView(self.order(order), predicate, count)
