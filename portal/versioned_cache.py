"""A bounded, thread-safe cache of values computed from the index, each kept under the catalog
version (``portal.catalog_version``) it was computed at.

One per application process (``create_portal_router`` makes it): requests run in a thread pool,
so lookups take a lock, but a value is computed outside it (two requests missing the same key at
once both compute it; both results are equal). Entries of older versions are never looked up
again and leave as the least recently used.

>>> cache: VersionedCache[str, int] = VersionedCache(max_entries=2)
>>> cache.get("v1", "browse", lambda: 41), cache.get("v1", "browse", lambda: 0)
(41, 41)
>>> cache.get("v2", "browse", lambda: 42)
42
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MAX_ENTRIES = 512


class VersionedCache(Generic[K, V]):
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._max_entries = max_entries
        self._entries: OrderedDict[tuple[str, K], V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, version: str, key: K, compute: Callable[[], V]) -> V:
        """The value of ``key`` at ``version``, computed by ``compute`` unless kept. The caller
        read ``version`` from the database before reading anything ``compute`` reads."""
        entry = (version, key)
        with self._lock:
            if entry in self._entries:
                self._entries.move_to_end(entry)
                return self._entries[entry]
        value = compute()
        with self._lock:
            self._entries[entry] = value
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return value
